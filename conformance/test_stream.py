"""The live stream (`/_signalbox/stream`) with a real WebSocket client: subscriptions, server-side
pattern filters, queue statistics, and a slow viewer that loses frames without slowing PutEvents."""
import json
import time
import uuid

from websockets.sync.client import connect

from conftest import ACCOUNT, REGION, make_client


def ws_url(endpoint, query=""):
    return endpoint.replace("http://", "ws://") + "/_signalbox/stream" + query


def next_frame(ws, wanted, timeout=10.0):
    """The next frame whose type is in `wanted`, skipping others."""
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        assert frame["v"] == 1
        if frame["type"] in wanted:
            return frame


def test_events_with_pattern_filter(endpoint):
    events = make_client("events", endpoint)
    sqs = make_client("sqs", endpoint)
    suffix = uuid.uuid4().hex[:8]
    qname, rule, source = f"stream-q-{suffix}", f"stream-r-{suffix}", f"stream-{suffix}"
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"}])
    with connect(ws_url(endpoint)) as ws:
        ws.send(json.dumps({"type": "subscribe", "topics": ["events"], "pattern": {"source": [source]}}))
        ack = next_frame(ws, {"subscribed"})
        assert ack["topics"] == ["events"] and ack["filtered"] is True
        events.put_events(Entries=[{"Source": "someone-else", "DetailType": "t", "Detail": "{}"},
                                   {"Source": source, "DetailType": "t", "Detail": '{"n":1}'}])
        frame = next_frame(ws, {"event"})
        assert frame["topic"] == "events"
        assert frame["data"]["event"]["source"] == source
        assert frame["data"]["matched"] == [{"bus": "default", "rule": rule}]
        assert frame["data"]["deliveries"][0]["status"] == "delivered"
        assert frame["data"]["deliveries"][0]["targetId"] == "q"
        ws.send(json.dumps({"type": "subscribe", "topics": ["events"], "pattern": {"source": "not-a-list"}}))
        error = next_frame(ws, {"error"})
        assert error["code"] == "InvalidEventPatternException"
        ws.send(json.dumps({"type": "ping"}))
        assert next_frame(ws, {"pong"})["type"] == "pong"
    events.remove_targets(Rule=rule, Ids=["q"])
    events.delete_rule(Name=rule)
    sqs.delete_queue(QueueUrl=url)


def test_queue_statistics(endpoint):
    sqs = make_client("sqs", endpoint)
    qname = f"stats-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one")
    sqs.send_message(QueueUrl=url, MessageBody="two", DelaySeconds=60)
    with connect(ws_url(endpoint, "?topics=queues")) as ws:
        assert next_frame(ws, {"subscribed"})["topics"] == ["queues"]
        deadline = time.monotonic() + 15
        row = None
        while time.monotonic() < deadline:
            frame = next_frame(ws, {"queue-stats"})
            row = next((q for q in frame["data"]["queues"] if q["name"] == qname), None)
            if row and row["visible"] == 1 and row["delayed"] == 1:
                break
        assert row == {"name": qname, "visible": 1, "inFlight": 0, "delayed": 1}
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)
        while time.monotonic() < deadline:
            frame = next_frame(ws, {"queue-stats"})
            row = next((q for q in frame["data"]["queues"] if q["name"] == qname), None)
            if row and row["inFlight"] == 1:
                break
        assert row["inFlight"] == 1 and row["visible"] == 0
    sqs.delete_queue(QueueUrl=url)


def test_slow_viewer_is_dropped_not_waited_for(endpoint):
    events = make_client("events", endpoint)
    source = f"flood-{uuid.uuid4().hex[:8]}"
    detail = json.dumps({"pad": "x" * 8192})
    # A viewer with a 4-frame buffer that does not read while the flood goes on; the client's own
    # queue is one frame, so the socket backs up and the server must drop for it.
    with connect(ws_url(endpoint, "?topics=events&buffer=4"), max_queue=1) as slow:
        started = time.monotonic()
        accepted = 0
        for _ in range(300):
            result = events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": detail}] * 10)
            assert result["FailedEntryCount"] == 0
            accepted += 10
        elapsed = time.monotonic() - started
        print(f"\n3000 PutEvents entries (8 KB) with a stalled viewer: {elapsed:.2f} s, {accepted / elapsed:.0f} events/s")
        dropped = 0
        received = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and received + dropped < accepted:
            frame = json.loads(slow.recv(timeout=5))
            if frame["type"] == "dropped":
                dropped += frame["count"]
            elif frame["type"] == "event":
                received += 1
        assert dropped > 0
        assert received + dropped == accepted


def test_batched_viewer_gets_arrays_of_frames(endpoint):
    """`?batch=MS`: the frames of each window arrive as one message, a JSON array of frames in
    order; without it every message stays a single frame."""
    events = make_client("events", endpoint)
    source = f"batch-{uuid.uuid4().hex[:8]}"
    with connect(ws_url(endpoint, "?batch=200")) as ws:
        ws.send(json.dumps({"type": "subscribe", "topics": ["events"], "pattern": {"source": [source]}}))
        ack = json.loads(ws.recv(timeout=10))
        assert isinstance(ack, list) and ack[0]["type"] == "subscribed"
        events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": json.dumps({"n": n})}
                                   for n in range(5)])
        received = []
        deadline = time.monotonic() + 10
        messages = 0
        while len(received) < 5:
            message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            assert isinstance(message, list), message
            messages += 1
            received += [frame for frame in message if frame["type"] == "event"]
        assert [f["data"]["event"]["detail"]["n"] for f in received] == [0, 1, 2, 3, 4]
        assert all(f["v"] == 1 for f in received)
        assert messages < 5, "five events put at once come in fewer messages than frames"


def test_sent_with_events_and_plain_viewers_read_the_same_put(endpoint):
    """A batched viewer with `sentWithEvents` and a plain one, on the same put: the first gets
    each delivery's message inside its event's frame (arrays over 16 KiB arrive in WebSocket
    continuation frames), the second a `sent` frame per queue reached and then the event; with
    the messages taken out, the two event frames are the same frame."""
    events, sqs = make_client("events", endpoint), make_client("sqs", endpoint)
    tag = uuid.uuid4().hex[:8]
    source = f"both-{tag}"
    raw_url = sqs.create_queue(QueueName=f"raw-{tag}")["QueueUrl"]
    fixed_url = sqs.create_queue(QueueName=f"fixed-{tag}")["QueueUrl"]
    arn = lambda url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"both-{tag}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "raw", "Arn": arn(raw_url)},
                                           {"Id": "fixed", "Arn": arn(fixed_url), "Input": json.dumps({"fixed": "ü"})}])
    topics = ["events", "messages"]
    with connect(ws_url(endpoint, "?batch=50&buffer=4096"), max_size=2**22) as asked, \
            connect(ws_url(endpoint), max_size=2**22) as plain:
        asked.send(json.dumps({"type": "subscribe", "topics": topics, "pattern": {"source": [source]}, "sentWithEvents": True}))
        plain.send(json.dumps({"type": "subscribe", "topics": topics}))
        assert json.loads(asked.recv(timeout=10))[0]["sentWithEvents"] is True
        assert "sentWithEvents" not in json.loads(plain.recv(timeout=10))
        big = "x" * 40_000
        events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": json.dumps({"n": n, "pad": big})}
                                   for n in range(3)])

        carried = []
        deadline = time.monotonic() + 10
        while len(carried) < 3:
            for frame in json.loads(asked.recv(timeout=max(0.1, deadline - time.monotonic()))):
                assert frame["type"] != "message" or frame["data"]["queue"] not in (f"raw-{tag}", f"fixed-{tag}"), \
                    "no sent frame for a message carried in its event"
                if frame["type"] == "event":
                    carried.append(frame)
        sent, plain_events = {}, []
        while len(plain_events) < 3:
            frame = next_frame(plain, {"event", "message"})
            if frame["type"] == "message" and frame["data"]["change"] == "sent" \
                    and frame["data"]["queue"] in (f"raw-{tag}", f"fixed-{tag}"):
                sent[(frame["data"]["sender"]["eventId"], frame["data"]["queue"])] = frame["data"]
            elif frame["type"] == "event" and frame["data"]["event"]["source"] == source:
                plain_events.append(frame)

    assert [f["data"]["event"]["detail"]["n"] for f in carried] == [0, 1, 2]
    for with_sent, without in zip(carried, plain_events):
        event_id = with_sent["data"]["event"]["id"]
        deliveries = with_sent["data"]["deliveries"]
        assert [d["status"] for d in deliveries] == ["delivered", "delivered"]
        for delivery in deliveries:
            message = delivery.pop("sent")
            expected = dict(sent[(event_id, message["queue"])])
            assert expected.pop("change") == "sent"
            assert expected.pop("sender") == {"eventId": event_id, "bus": "default", "rule": rule,
                                              "targetId": delivery["targetId"]}
            assert message == expected
        raw = next(d for d in sent.values() if d["sender"]["eventId"] == event_id and d["queue"] == f"raw-{tag}")
        assert raw.get("bodyIsEvent") is True and "body" not in raw
        with_sent.pop("seq"), without.pop("seq")
        assert with_sent == without
