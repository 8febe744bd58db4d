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
