"""The breaker board (`/_signalbox/breakers`, version 1) over HTTP against the real `signalbox serve`.

A service reports its breaker with PUT and hears the standing override in the answer; an
operator lists breakers, sets overrides and reads the audit trail. Driven with urllib only, as
a service written in any language would.
"""
import json
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

from conftest import Server

BASE = "/_signalbox/breakers"


def call(endpoint, method, path, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def snapshot(service, dependency, state="closed", taken_at=None):
    """A breaker snapshot v1, as the Swift breaker library (or any service) reports it."""
    return {
        "version": 1, "service": service, "dependency": dependency, "state": state,
        "config": {"slidingWindow": {"kind": "count", "size": 20}, "minimumNumberOfCalls": 10,
                   "failureRateThreshold": 50, "slowCallRateThreshold": 80,
                   "slowCallDurationThresholdMs": 2000, "waitDurationInOpenMs": 30000,
                   "permittedCallsInHalfOpen": 5, "maxWaitDurationInHalfOpenMs": None,
                   "callTimeoutMs": 5000},
        "window": {"kind": "count", "size": 20, "minimumCalls": 10, "belowMinimumCalls": False,
                   "calls": 20, "successes": 8, "failures": 12, "timeouts": 3, "slowCalls": 2,
                   "failureRate": 60, "slowCallRate": 10, "shortCircuited": 41},
        "latency": {"samples": 20, "p50Ms": 212.4, "p95Ms": 4870.1, "p99Ms": 5000},
        "totals": {"calls": 1840, "successes": 1790, "failures": 50, "timeouts": 3,
                   "slowCalls": 9, "ignored": 0, "shortCircuited": 41},
        "halfOpen": None,
        "retryAt": None,
        "lastTransition": None,
        "override": None,
        "takenAt": taken_at if taken_at is not None else time.time(),
    }


def report(endpoint, service, dependency, state="closed"):
    status, body = call(endpoint, "PUT", f"{BASE}/{service}/{dependency}", snapshot(service, dependency, state))
    assert status == 200, body
    return body["override"]


def override(endpoint, service, dependency, **body):
    return call(endpoint, "POST", f"{BASE}/{service}/{dependency}/override", body)


def test_report_list_override_next_report_audit(endpoint):
    service = uniq("payment")
    assert report(endpoint, service, "gateway", "open") is None
    assert report(endpoint, service, "vault") is None

    status, board = call(endpoint, "GET", f"{BASE}?service={service}")
    assert status == 200
    assert board["version"] == 1
    assert [e["breaker"]["dependency"] for e in board["breakers"]] == ["gateway", "vault"]
    entry = board["breakers"][0]
    assert entry["breaker"]["state"] == "open"
    assert entry["stale"] is False
    assert entry["override"] is None
    assert abs(entry["reportedAt"] - time.time()) < 60

    status, answer = override(endpoint, service, "gateway", mode="force-closed",
                              reason="gateway is fine, breaker flaps", actor="alice")
    assert status == 200, answer
    assert answer["breaker"]["override"]["mode"] == "force-closed"
    assert answer["breaker"]["override"]["actor"] == "alice"
    audit = answer["audit"]
    assert (audit["from"], audit["to"], audit["mode"]) == ("open", "forced-closed", "force-closed")
    assert (audit["service"], audit["dependency"], audit["actor"]) == (service, "gateway", "alice")
    assert audit["reason"] == "gateway is fine, breaker flaps"

    # The service hears it on its next report, and keeps hearing it while it stands.
    heard = report(endpoint, service, "gateway", "open")
    assert heard["mode"] == "force-closed"
    assert heard["actor"] == "alice"
    assert report(endpoint, service, "gateway", "forced-closed")["mode"] == "force-closed"

    status, one = call(endpoint, "GET", f"{BASE}/{service}/gateway")
    assert status == 200
    assert one["breaker"]["state"] == "forced-closed"
    assert one["override"]["mode"] == "force-closed"

    status, trail = call(endpoint, "GET", f"{BASE}/audit?service={service}&dependency=gateway&limit=10")
    assert status == 200
    assert trail["entries"] == [audit]


def test_override_learned_within_one_report_interval(endpoint):
    """A service reporting every 500 ms learns an override within a second."""
    service = uniq("shipping")
    report(endpoint, service, "carrier")
    heard = {}
    stop = threading.Event()

    def reporter():
        while not stop.is_set():
            result = report(endpoint, service, "carrier")
            if result is not None and "at" not in heard:
                heard["at"] = time.monotonic()
                heard["override"] = result
            stop.wait(0.5)

    thread = threading.Thread(target=reporter, daemon=True)
    thread.start()
    set_at = time.monotonic()
    status, _ = override(endpoint, service, "carrier", mode="force-open", reason="carrier outage")
    assert status == 200
    deadline = time.monotonic() + 10
    while "at" not in heard and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    assert heard["override"]["mode"] == "force-open"
    print(f"override learned {heard['at'] - set_at:.3f} s after it was set")


def test_automatic_is_handed_over_once_then_null(endpoint):
    service = uniq("payment")
    report(endpoint, service, "gateway")
    assert override(endpoint, service, "gateway", mode="force-open", reason="drain")[0] == 200
    assert report(endpoint, service, "gateway", "open")["mode"] == "force-open"
    status, answer = override(endpoint, service, "gateway", mode="automatic", reason="incident over")
    assert status == 200
    assert answer["audit"]["to"] == "closed"
    assert answer["audit"]["actor"] == "operator"
    assert answer["breaker"]["override"]["mode"] == "automatic"
    assert report(endpoint, service, "gateway", "forced-open")["mode"] == "automatic"
    assert report(endpoint, service, "gateway", "closed") is None
    assert call(endpoint, "GET", f"{BASE}/{service}/gateway")[1]["override"] is None
    status, trail = call(endpoint, "GET", f"{BASE}/audit?service={service}")
    assert [e["mode"] for e in trail["entries"]] == ["automatic", "force-open"]
    assert trail["entries"][0]["id"] > trail["entries"][1]["id"]


def test_unknown_breakers_are_404(endpoint):
    service = uniq("ghost")
    status, body = call(endpoint, "GET", f"{BASE}/{service}/gateway")
    assert status == 404
    assert body["__type"] == "BreakerNotFoundException"
    assert service in body["message"]
    status, body = override(endpoint, service, "gateway", mode="force-open", reason="x")
    assert status == 404
    assert body["__type"] == "BreakerNotFoundException"
    assert call(endpoint, "GET", f"{BASE}/audit?service={service}")[1] == {"entries": []}


@pytest.mark.parametrize("body,needle", [
    ({"mode": "force-sideways", "reason": "x"}, "mode"),
    ({"reason": "x"}, "mode is required"),
    ({"mode": "force-open"}, "reason is required"),
    ({"mode": "force-open", "reason": ""}, "reason must not be empty"),
    ({"mode": "force-open", "reason": "x" * 513}, "512"),
    ({"mode": "force-open", "reason": "clear\x1b[2J"}, "U+001B"),
    ({"mode": "force-open", "reason": "x", "actor": 5}, "actor"),
])
def test_bad_override_bodies_are_400(endpoint, body, needle):
    service = uniq("payment")
    report(endpoint, service, "gateway")
    status, answer = override(endpoint, service, "gateway", **body)
    assert status == 400
    assert answer["__type"] == "ValidationException"
    assert needle in answer["message"]
    assert call(endpoint, "GET", f"{BASE}/audit?service={service}")[1] == {"entries": []}
    assert call(endpoint, "GET", f"{BASE}/{service}/gateway")[1]["override"] is None


def test_bad_reports_are_400_and_change_nothing(endpoint):
    service = uniq("payment")
    # Body and path disagree.
    status, body = call(endpoint, "PUT", f"{BASE}/{service}/gateway", snapshot(service, "vault"))
    assert status == 400 and body["__type"] == "ValidationException"
    # Not a snapshot v1: the message names the field.
    broken = snapshot(service, "gateway")
    broken["window"]["calls"] = -1
    status, body = call(endpoint, "PUT", f"{BASE}/{service}/gateway", broken)
    assert status == 400 and "window.calls" in body["message"]
    future = snapshot(service, "gateway")
    future["version"] = 2
    assert call(endpoint, "PUT", f"{BASE}/{service}/gateway", future)[0] == 400
    assert call(endpoint, "PUT", f"{BASE}/{service}/gateway", raw=b"{not json")[0] == 400
    # Names: 1-128 of [A-Za-z0-9._-].
    for name in ["pay%20ment", "a" * 129, "caf%C3%A9"]:
        status, body = call(endpoint, "GET", f"{BASE}/{name}/gateway")
        assert status == 400, name
        assert body["__type"] == "ValidationException"
    assert call(endpoint, "GET", f"{BASE}?service={service}")[1]["breakers"] == []
    status, body = call(endpoint, "GET", f"{BASE}/audit?limit=0")
    assert status == 400 and "limit" in body["message"]


def test_readonly_server_refuses_overrides(tmp_path):
    server = Server(tmp_path / "data", ["--readonly"])
    endpoint = server.start()
    try:
        report(endpoint, "payment", "gateway", "open")
        status, body = override(endpoint, "payment", "gateway", mode="force-closed", reason="x")
        assert status == 403
        assert body["__type"] == "ReadOnlyModeException"
        assert call(endpoint, "GET", f"{BASE}/audit")[1] == {"entries": []}
        assert report(endpoint, "payment", "gateway", "open") is None
        # Reading is still allowed.
        assert call(endpoint, "GET", f"{BASE}/payment/gateway")[0] == 200
    finally:
        server.stop()


def test_audit_trail_and_overrides_survive_kill9(fresh_server):
    endpoint = fresh_server.endpoint
    report(endpoint, "payment", "gateway", "open")
    report(endpoint, "shipping", "carrier")
    acknowledged = []
    lock = threading.Lock()

    def operator(index):
        for n in range(10):
            target = ("payment", "gateway") if (index + n) % 2 == 0 else ("shipping", "carrier")
            mode = "force-open" if n % 2 == 0 else "force-closed"
            status, answer = override(endpoint, *target, mode=mode, reason=f"op{index}-{n}", actor=f"op{index}")
            if status == 200:
                with lock:
                    acknowledged.append(answer["audit"])

    threads = [threading.Thread(target=operator, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(acknowledged) == 40
    fresh_server.kill9()
    endpoint = fresh_server.start()

    status, trail = call(endpoint, "GET", f"{BASE}/audit?limit=1000")
    assert status == 200
    by_id = {e["id"]: e for e in trail["entries"]}
    for entry in acknowledged:
        assert by_id.get(entry["id"]) == entry
    # The standing override of each breaker is its newest audit entry.
    status, board = call(endpoint, "GET", BASE)
    entries = {(e["breaker"]["service"], e["breaker"]["dependency"]): e for e in board["breakers"]}
    assert set(entries) == {("payment", "gateway"), ("shipping", "carrier")}
    for key, entry in entries.items():
        newest = max((a for a in acknowledged if (a["service"], a["dependency"]) == key), key=lambda a: a["id"])
        assert entry["override"]["reason"] == newest["reason"]
        assert entry["override"]["mode"] == newest["mode"]
    # And the services hear it again after the restart.
    newest = max((a for a in acknowledged if a["service"] == "payment"), key=lambda a: a["id"])
    assert report(endpoint, "payment", "gateway", "open")["mode"] == newest["mode"]
