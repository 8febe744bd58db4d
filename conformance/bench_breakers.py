#!/usr/bin/env python3
"""Breaker board benchmark over HTTP against the real `signalbox serve` (keep-alive connections).

Prints report throughput (PUT of a snapshot, the every-500-ms call each breaker makes) with
N reporting threads, report latency percentiles, and override latency (POST, committed to the
durable audit trail before the answer), plus how long a reporting service takes to hear an
override it did not yet know.

    python3 conformance/bench_breakers.py [--breakers 200] [--seconds 5] [--threads 8]
"""
import argparse
import http.client
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import Server  # noqa: E402
from test_breakers import snapshot  # noqa: E402

BASE = "/_signalbox/breakers"


class Client:
    def __init__(self, endpoint):
        url = urlparse(endpoint)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def call(self, method, path, body):
        self.conn.request(method, path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
        return json.loads(data)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--breakers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--overrides", type=int, default=200)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="signalbox-bench-breakers-"))
    server = Server(data)
    endpoint = server.start()
    try:
        names = [(f"svc{i // 4}", f"dep{i % 4}") for i in range(args.breakers)]
        first = Client(endpoint)
        for service, dependency in names:
            first.call("PUT", f"{BASE}/{service}/{dependency}", snapshot(service, dependency))

        latencies = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def reporter(index):
            client = Client(endpoint)
            mine = names[index::args.threads]
            local = []
            n = 0
            while time.monotonic() < stop_at:
                service, dependency = mine[n % len(mine)]
                state = "open" if n % 50 == 0 else "closed"
                started = time.monotonic()
                client.call("PUT", f"{BASE}/{service}/{dependency}", snapshot(service, dependency, state))
                local.append(time.monotonic() - started)
                n += 1
            with lock:
                latencies.extend(local)

        threads = [threading.Thread(target=reporter, args=(i,)) for i in range(args.threads)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        print(f"reports: {len(latencies)} in {elapsed:.1f} s = {len(latencies) / elapsed:.0f}/s "
              f"({args.threads} threads, {args.breakers} breakers, 1 in 50 a state change); "
              f"latency p50 {percentile(latencies, 0.5):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms")
        print(f"  = {len(latencies) / elapsed * 0.5:.0f} breakers reporting every 500 ms")

        client = Client(endpoint)
        override_latencies = []
        for n in range(args.overrides):
            service, dependency = names[n % len(names)]
            mode = ["force-open", "force-closed", "automatic"][n % 3]
            started = time.monotonic()
            client.call("POST", f"{BASE}/{service}/{dependency}/override",
                        {"mode": mode, "reason": f"bench {n}", "actor": "bench"})
            override_latencies.append(time.monotonic() - started)
        print(f"overrides (durable, one at a time): {len(override_latencies)}, "
              f"p50 {percentile(override_latencies, 0.5):.2f} ms, p99 {percentile(override_latencies, 0.99):.2f} ms")

        service, dependency = names[0]
        set_at = time.monotonic()
        client.call("POST", f"{BASE}/{service}/{dependency}/override",
                    {"mode": "force-open", "reason": "bench learn", "actor": "bench"})
        answer = client.call("PUT", f"{BASE}/{service}/{dependency}", snapshot(service, dependency))
        assert answer["override"]["reason"] == "bench learn"
        print(f"override set → heard by the next report: {(time.monotonic() - set_at) * 1000:.2f} ms "
              f"(plus up to one report interval, 500 ms, in a real service)")
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
