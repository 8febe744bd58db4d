"""Acknowledged means durable: kill -9 the server while many senders are mid-flight, restart it
on the same data directory, and every message it acknowledged is still there."""
import threading
import time

from botocore.exceptions import ClientError, EndpointConnectionError, ConnectionClosedError

from conftest import make_client

SENDERS = 8


def test_no_acknowledged_message_lost_after_kill9(fresh_server):
    sqs = make_client("sqs", fresh_server.endpoint)
    std = sqs.create_queue(QueueName="crash-standard")["QueueUrl"]
    fifo = sqs.create_queue(QueueName="crash.fifo", Attributes={"FifoQueue": "true",
                                                                "ContentBasedDeduplication": "true"})["QueueUrl"]
    acknowledged = {std: set(), fifo: set()}
    lock = threading.Lock()
    stop = threading.Event()
    started = threading.Barrier(SENDERS + 1)

    def sender(index):
        client = make_client("sqs", fresh_server.endpoint)
        started.wait()
        n = 0
        while not stop.is_set():
            url = fifo if n % 3 == 0 else std
            bodies = [f"s{index}-m{n}-{k}" for k in range(5)]
            try:
                if url == fifo:
                    result = client.send_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(k), "MessageBody": b, "MessageGroupId": f"g{index}"} for k, b in enumerate(bodies)])
                else:
                    result = client.send_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(k), "MessageBody": b} for k, b in enumerate(bodies)])
            except (ClientError, EndpointConnectionError, ConnectionClosedError, Exception):
                return  # the server died mid-request: this batch was never acknowledged
            with lock:
                for entry in result["Successful"]:
                    acknowledged[url].add(bodies[int(entry["Id"])])
            n += 1

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    started.wait()
    # Let the senders get going, then kill the server without warning.
    deadline = time.time() + 30
    while time.time() < deadline:
        with lock:
            if len(acknowledged[std]) + len(acknowledged[fifo]) >= 300:
                break
        time.sleep(0.05)
    fresh_server.kill9()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    total = len(acknowledged[std]) + len(acknowledged[fifo])
    assert total >= 300, f"only {total} messages acknowledged before the kill"

    fresh_server.start()
    sqs = make_client("sqs", fresh_server.endpoint)
    for url, expected in acknowledged.items():
        url = sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1])["QueueUrl"]
        received = set()
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300)
            if "Messages" not in got:
                break
            for message in got["Messages"]:
                received.add(message["Body"])
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got["Messages"])])
        missing = expected - received
        assert not missing, f"{len(missing)} acknowledged messages lost from {url}, e.g. {sorted(missing)[:5]}"


def test_in_flight_messages_reappear_after_restart(fresh_server):
    sqs = make_client("sqs", fresh_server.endpoint)
    url = sqs.create_queue(QueueName="inflight")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=2)["Messages"][0]["Body"] == "in flight"
    fresh_server.kill9()
    fresh_server.start()
    sqs = make_client("sqs", fresh_server.endpoint)
    url = sqs.get_queue_url(QueueName="inflight")["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, MessageSystemAttributeNames=["ApproximateReceiveCount"])
    assert got["Messages"][0]["Body"] == "in flight"
    assert got["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "2"
