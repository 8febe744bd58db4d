#!/usr/bin/env python3
"""SQS wire benchmark, side by side: `signalbox serve` and `moto_server` driven by the same boto3
client code on this machine. Prints Send/Receive/Delete throughput through the batch APIs,
send→receive latency percentiles, and the signalbox/moto ratio.

    python3 conformance/bench_sqs.py [--messages 4000] [--threads 8]
"""
import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import Server, make_client  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    proc = subprocess.Popen(["moto_server", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            make_client("sqs", endpoint).list_queues()
            return proc, endpoint
        except Exception:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("moto_server did not start")


def run(endpoint, messages, threads):
    sqs = make_client("sqs", endpoint)
    url = sqs.create_queue(QueueName=f"bench{int(time.time() * 1000)}")["QueueUrl"]
    batches = messages // 10
    counter = iter(range(batches))
    lock = threading.Lock()

    def sender():
        client = make_client("sqs", endpoint)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            client.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": f"{time.time()}|{'x' * 200}"} for i in range(10)])

    start = time.time()
    workers = [threading.Thread(target=sender) for _ in range(threads)]
    [w.start() for w in workers]
    [w.join() for w in workers]
    send_rate = batches * 10 / (time.time() - start)

    latencies = []
    received = [0]

    def consumer():
        client = make_client("sqs", endpoint)
        empty = 0
        while empty < 2:
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)
            msgs = got.get("Messages", [])
            if not msgs:
                empty += 1
                continue
            now = time.time()
            with lock:
                received[0] += len(msgs)
                latencies.extend(now - float(m["Body"].split("|")[0]) for m in msgs)
            client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])

    start = time.time()
    workers = [threading.Thread(target=consumer) for _ in range(threads)]
    [w.start() for w in workers]
    [w.join() for w in workers]
    recv_rate = received[0] / (time.time() - start)

    idle = []
    for _ in range(200):
        t0 = time.time()
        sqs.send_message(QueueUrl=url, MessageBody="ping")
        got = sqs.receive_message(QueueUrl=url)
        idle.append(time.time() - t0)
        for m in got.get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    idle.sort()
    return {"send": send_rate, "recv": recv_rate, "received": received[0],
            "p50": idle[len(idle) // 2] * 1000, "p99": idle[int(len(idle) * 0.99) - 1] * 1000}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="signalbox-bench-"))
    server = Server(data)
    server.start()
    moto, moto_endpoint = start_moto()
    try:
        results = {"signalbox": run(server.endpoint, args.messages, args.threads),
                   "moto": run(moto_endpoint, args.messages, args.threads)}
    finally:
        server.stop()
        moto.terminate()
        moto.wait()
        shutil.rmtree(data, ignore_errors=True)
    for name, r in results.items():
        print(f"{name:9s} SendMessageBatch {r['send']:7.0f} msg/s | Receive+DeleteBatch {r['recv']:7.0f} msg/s "
              f"({r['received']} msgs) | send→receive idle p50 {r['p50']:.2f} ms p99 {r['p99']:.2f} ms")
    s, m = results["signalbox"], results["moto"]
    print(f"ratio signalbox/moto: send {s['send'] / m['send']:.2f}x, receive+delete {s['recv'] / m['recv']:.2f}x")


if __name__ == "__main__":
    main()
