#!/usr/bin/env python3
"""EventBridge wire benchmark, side by side: `signalbox serve` and `moto_server` driven by the same
boto3 client code on this machine. 100 rules of mixed operators, each with an SQS target;
PutEvents in batches of 10 from several threads; prints events/s for each and the ratio.

    python3 conformance/bench_events.py [--events 6000] [--threads 8] [--moto-events 200] [--no-moto]

moto_server runs fewer events (`--moto-events`): with 100 rules it takes seconds per call.
"""
import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import ACCOUNT, REGION, Server, make_client  # noqa: E402
from bench_sqs import start_moto  # noqa: E402

SOURCES = ["svc.orders", "svc.payments", "svc.shipping", "svc.inventory", "svc.notify"]


def patterns():
    out = []
    for i in range(100):
        source = [SOURCES[i % 5]]
        kind = i % 10
        if kind == 0:
            out.append({"source": source, "detail": {"status": ["placed"]}})
        elif kind == 1:
            out.append({"source": source, "detail": {"total": [{"numeric": [">", i * 4, "<=", i * 4 + 50]}]}})
        elif kind == 2:
            out.append({"source": source, "detail-type": [{"prefix": "Order"}]})
        elif kind == 3:
            out.append({"source": source, "detail": {"status": [{"anything-but": ["cancelled", "placed"]}]}})
        elif kind == 4:
            out.append({"source": source, "detail": {"customer": {"tier": ["gold"]}}})
        elif kind == 5:
            out.append({"source": source, "detail": {"customer": {"ip": [{"cidr": f"10.0.{i % 4}.0/26"}]}}})
        elif kind == 6:
            out.append({"source": source, "detail": {"items": {"sku": [{"suffix": f"-{i % 40}"}]}}})
        elif kind == 7:
            out.append({"source": source, "detail-type": [{"equals-ignore-case": "shipped"}],
                        "detail": {"orderId": [{"exists": True}]}})
        elif kind == 8:
            out.append({"source": source, "detail": {"orderId": [{"wildcard": f"o-*{i % 10}"}]}})
        else:
            out.append({"source": source, "$or": [{"detail": {"total": [{"numeric": ["<", 10]}]}},
                                                  {"detail": {"status": ["paid"]}}]})
    return out


def entry(n):
    detail = {"orderId": f"o-{n}", "total": n % 500, "status": ["placed", "paid", "shipped", "cancelled"][n % 4],
              "customer": {"tier": "gold" if n % 7 == 0 else "standard", "ip": f"10.0.{n % 4}.{n % 250}"},
              "items": [{"sku": f"SKU-{n % 40}", "qty": n % 3 + 1}], "pad": "p" * 700}
    return {"Source": SOURCES[n % 5], "DetailType": ["OrderPlaced", "PaymentTaken", "Shipped", "Reserved"][n % 4],
            "Detail": json.dumps(detail)}


def run(endpoint, events, threads):
    ev = make_client("events", endpoint)
    sqs = make_client("sqs", endpoint)
    stamp = int(time.time() * 1000)
    for q in range(10):
        sqs.create_queue(QueueName=f"bench-{stamp}-{q}")
    for i, pattern in enumerate(patterns()):
        ev.put_rule(Name=f"bench-{stamp}-{i}", EventPattern=json.dumps(pattern))
        ev.put_targets(Rule=f"bench-{stamp}-{i}", Targets=[
            {"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:bench-{stamp}-{i % 10}"}])
    batches = iter(range(events // 10))
    lock = threading.Lock()
    failed = [0]

    def sender():
        client = make_client("events", endpoint)
        while True:
            with lock:
                b = next(batches, None)
            if b is None:
                return
            result = client.put_events(Entries=[entry(b * 10 + k) for k in range(10)])
            if result["FailedEntryCount"]:
                with lock:
                    failed[0] += result["FailedEntryCount"]

    start = time.time()
    workers = [threading.Thread(target=sender) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.time() - start
    delivered = sum(int(sqs.get_queue_attributes(
        QueueUrl=sqs.get_queue_url(QueueName=f"bench-{stamp}-{q}")["QueueUrl"],
        AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]) for q in range(10))
    return events / elapsed, delivered, failed[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--moto-events", type=int, default=200)
    parser.add_argument("--no-moto", action="store_true")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="signalbox-bench-events-"))
    server = Server(data)
    server.start()
    try:
        rate, delivered, failed = run(server.endpoint, args.events, args.threads)
        print(f"signalbox: PutEvents {rate:.0f} events/s (100 mixed rules, SQS targets, durable, boto3, "
              f"{args.threads} threads, 10/batch); {delivered} deliveries, {failed} failed entries")
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    if args.no_moto or not shutil.which("moto_server"):
        return
    proc, endpoint = start_moto()
    try:
        moto_events = min(args.events, args.moto_events)
        moto_rate, moto_delivered, moto_failed = run(endpoint, moto_events, args.threads)
        print(f"moto_server: PutEvents {moto_rate:.0f} events/s ({moto_events} events); {moto_delivered} deliveries")
        print(f"ratio signalbox/moto: {rate / moto_rate:.1f}x")
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
