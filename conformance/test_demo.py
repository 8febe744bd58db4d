"""The demo end to end, as a new user runs it (issue 5, "Show"): the real binary,
`signalbox serve --demo --chaos payment.error=0.5,...`, observed only through boto3 and the
stack's documented extensions (/_signalbox/breakers, /_signalbox/chaos).

Every wait polls with a generous deadline: the machine is small and shared, and a deadline
here detects a failure, it does not measure speed."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import Server, make_client, signalbox_bin

os.environ.setdefault("SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS", "2")

CHAOS = "payment.error=0.5,analytics.poison=0.2"
BREAKER = "/_signalbox/breakers/payment/payment-gateway"
DEADLINE = 180


def rest(endpoint, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def eventually(what, probe, deadline=DEADLINE, every=0.5):
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        try:
            value = probe()
        except Exception as error:  # the stack may be busy; keep polling until the deadline
            value, last = None, error
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what} (last error: {last})")


@pytest.fixture(scope="module")
def demo():
    data = Path(tempfile.mkdtemp(prefix="signalbox-demo-"))
    srv = Server(data, extra_args=["--demo", "--rate", "4/s", "--chaos", CHAOS])
    srv.start()
    yield srv
    srv.stop()
    shutil.rmtree(data, ignore_errors=True)


def saga_arn(sfn):
    machines = sfn.list_state_machines()["stateMachines"]
    return next(m["stateMachineArn"] for m in machines if m["name"] == "order-saga")


def executions(sfn, status):
    return sfn.list_executions(stateMachineArn=saga_arn(sfn), statusFilter=status, maxResults=1000)["executions"]


def entered_states(sfn, execution_arn):
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def dlq_depth(sqs):
    url = sqs.get_queue_url(QueueName="analytics-dlq")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def inventory_health(sd):
    namespace = next(n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == "shop.local")
    services = sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace["Id"]], "Condition": "EQ"}])
    service = next(s for s in services["Services"] if s["Name"] == "inventory")
    return sd.get_instances_health_status(ServiceId=service["Id"])["Status"].get("inventory-1")


def breaker_state(endpoint):
    status, entry = rest(endpoint, "GET", BREAKER)
    return entry["breaker"]["state"] if status == 200 else None


def test_demo_under_chaos_and_recovery(demo):
    endpoint = demo.endpoint
    sfn = make_client("stepfunctions", endpoint)
    sqs = make_client("sqs", endpoint)
    sd = make_client("servicediscovery", endpoint)

    # The chaos given at start reaches the stack (once the demo has set up), where operators change it.
    eventually("the starting chaos on /_signalbox/chaos",
               lambda: rest(endpoint, "GET", "/_signalbox/chaos") == (200, {"spec": CHAOS, "faults": [
                   {"service": "payment", "fault": "error", "probability": 0.5},
                   {"service": "analytics", "fault": "poison", "probability": 0.2}]}))

    # Half the charges fail: the payment breaker opens on the board.
    def opened():
        status, entry = rest(endpoint, "GET", BREAKER)
        if status != 200:
            return None
        breaker = entry["breaker"]
        last = breaker.get("lastTransition") or {}
        return breaker["state"] in ("open", "half-open") or last.get("to") == "open"
    eventually("the payment breaker to open on the board", opened)

    # Failed charges compensate: the saga's history shows CompensateInventory.
    def compensated():
        for execution in executions(sfn, "FAILED"):
            states = entered_states(sfn, execution["executionArn"])
            if "CompensateInventory" in states:
                return states
        return None
    states = eventually("a saga that compensated", compensated)
    assert "ChargePayment" in states and "ShipOrder" not in states

    # Poison analytics messages pile into the dead-letter queue.
    eventually("analytics-dlq to fill", lambda: dlq_depth(sqs) > 0)

    # Every service calls its dependency through a breaker of its own, all on the board.
    def board_pairs():
        status, answer = rest(endpoint, "GET", "/_signalbox/breakers")
        return {(e["breaker"]["service"], e["breaker"]["dependency"]) for e in answer["breakers"]} if status == 200 else set()
    eventually("the four demo breakers on the board", lambda: board_pairs() == {
        ("inventory", "warehouse-db"), ("payment", "payment-gateway"), ("shipping", "carrier-api"),
        ("notification", "mail-provider")})

    # A dependency's fault (same grammar, same wire shape) opens that service's breaker.
    status, answer = rest(endpoint, "PUT", "/_signalbox/chaos", {"spec": CHAOS + ",carrier-api.error=1"})
    assert status == 200
    assert answer["faults"][-1] == {"service": "carrier-api", "fault": "error", "probability": 1}

    def carrier_opened():
        status, entry = rest(endpoint, "GET", "/_signalbox/breakers/shipping/carrier-api")
        last = (entry.get("breaker") or {}).get("lastTransition") or {}
        return status == 200 and (entry["breaker"]["state"] in ("open", "half-open") or last.get("to") == "open")
    eventually("the shipping breaker to open on the board", carrier_opened)
    rest(endpoint, "PUT", "/_signalbox/chaos", {"spec": CHAOS})

    # The instances say what each service publishes and consumes (read by the topology map).
    namespace = next(n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == "shop.local")
    services = sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace["Id"]], "Condition": "EQ"}])
    payment = next(s for s in services["Services"] if s["Name"] == "payment")
    attributes = sd.list_instances(ServiceId=payment["Id"])["Instances"][0]["Attributes"]
    assert attributes["signalbox:publishes"] == "shop-bus"
    assert attributes["signalbox:consumes"] == "payment-charge,payment-refund"

    # Bad specs at run time are refused whole, naming the bad part.
    status, error = rest(endpoint, "PUT", "/_signalbox/chaos", {"spec": "inventory.down,paymnet.error=1"})
    assert status == 400 and error["__type"].endswith("ValidationException")
    assert "paymnet.error=1" in error["message"]
    assert rest(endpoint, "GET", "/_signalbox/chaos")[1]["spec"] == CHAOS

    # inventory.down at run time: its instance stops heartbeating and turns UNHEALTHY.
    status, _ = rest(endpoint, "PUT", "/_signalbox/chaos", {"spec": CHAOS + ",inventory.down"})
    assert status == 200
    eventually("inventory-1 to turn UNHEALTHY", lambda: inventory_health(sd) == "UNHEALTHY")

    # An operator forces the breaker closed: audited, and the service obeys.
    status, answer = rest(endpoint, "POST", BREAKER + "/override",
                          {"mode": "force-closed", "reason": "conformance: gateway fixed", "actor": "conformance"})
    assert status == 200, answer
    status, audit = rest(endpoint, "GET", "/_signalbox/breakers/audit")
    assert status == 200
    assert any(e["service"] == "payment" and e["dependency"] == "payment-gateway" and e["mode"] == "force-closed"
               and e["actor"] == "conformance" for e in audit["entries"])
    eventually("the service's snapshot to say forced-closed", lambda: breaker_state(endpoint) == "forced-closed")

    # Removing the chaos lets everything recover.
    status, cleared = rest(endpoint, "DELETE", "/_signalbox/chaos")
    assert status == 200 and cleared["spec"] == ""
    rest(endpoint, "POST", BREAKER + "/override",
         {"mode": "automatic", "reason": "conformance: incident over", "actor": "conformance"})
    eventually("inventory-1 to be HEALTHY again", lambda: inventory_health(sd) == "HEALTHY")
    eventually("the breaker back in automatic", lambda: breaker_state(endpoint) in ("closed", "half-open"))
    succeeded = len(executions(sfn, "SUCCEEDED"))
    eventually("sagas to succeed again", lambda: len(executions(sfn, "SUCCEEDED")) >= succeeded + 5)
    # The DLQ stops growing: two readings a few visibility timeouts apart agree.
    readings = []

    def dlq_settled():
        readings.append(dlq_depth(sqs))
        return len(readings) >= 2 and readings[-1] == readings[-2]
    eventually("analytics-dlq to stop growing", dlq_settled, every=8)

def test_malformed_chaos_is_refused_before_anything_starts(tmp_path):
    result = subprocess.run(
        [signalbox_bin(), "serve", "--port", "0", "--data", str(tmp_path / "data"), "--demo",
         "--chaos", "payment.error=0.3,paymnet.latency=800ms"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "paymnet.latency=800ms" in result.stderr
    assert "unknown service" in result.stderr
    assert not (tmp_path / "data").exists()


def test_rate_is_validated(tmp_path):
    result = subprocess.run(
        [signalbox_bin(), "demo", "--endpoint", "http://127.0.0.1:1", "--rate", "fast"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "--rate" in result.stderr and "20/s" in result.stderr
