"""Acknowledged means delivered: kill -9 the server while many PutEvents callers are mid-flight,
restart it on the same data directory, and every acknowledged event is in its target queue; a
delivery waiting in the outbox (its queue missing) resumes after the restart."""
import json
import threading
import time

from conftest import ACCOUNT, REGION, make_client

SENDERS = 6


def test_no_acknowledged_event_lost_after_kill9(fresh_server):
    events = make_client("events", fresh_server.endpoint)
    sqs = make_client("sqs", fresh_server.endpoint)
    sqs.create_queue(QueueName="crash-events")
    events.put_rule(Name="crash", EventPattern='{"source":["crash"]}')
    events.put_targets(Rule="crash", Targets=[
        {"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:crash-events"},
        {"Id": "later", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:crash-later"},
    ])
    acknowledged = set()
    lock = threading.Lock()
    stop = threading.Event()
    started = threading.Barrier(SENDERS + 1)

    def sender(index):
        client = make_client("events", fresh_server.endpoint)
        started.wait()
        n = 0
        while not stop.is_set():
            try:
                result = client.put_events(Entries=[
                    {"Source": "crash", "DetailType": "t", "Detail": json.dumps({"s": index, "n": n, "k": k})}
                    for k in range(10)])
            except Exception:
                return  # the server died mid-request: never acknowledged
            with lock:
                acknowledged.update(e["EventId"] for e in result["Entries"] if "EventId" in e)
            n += 1

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    started.wait()
    deadline = time.time() + 30
    while time.time() < deadline:
        with lock:
            if len(acknowledged) >= 500:
                break
        time.sleep(0.05)
    fresh_server.kill9()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert len(acknowledged) >= 500, f"only {len(acknowledged)} events acknowledged before the kill"

    fresh_server.start()
    sqs = make_client("sqs", fresh_server.endpoint)

    def drain(name, expected):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        received = set()
        deadline = time.time() + 60
        while time.time() < deadline and not expected <= received:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300, WaitTimeSeconds=1)
            for message in got.get("Messages", []):
                received.add(json.loads(message["Body"])["id"])
            if got.get("Messages"):
                sqs.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got["Messages"])])
        return received

    missing = acknowledged - drain("crash-events", acknowledged)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"
    # The second target's deliveries waited in the outbox through the crash; they arrive once
    # the queue exists.
    sqs.create_queue(QueueName="crash-later")
    missing = acknowledged - drain("crash-later", acknowledged)
    assert not missing, f"{len(missing)} outbox deliveries lost, e.g. {sorted(missing)[:5]}"
