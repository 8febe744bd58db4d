"""The seed's order saga (seed 000, verbatim ASL) end to end through boto3, as a new user runs it:
worker threads poll the activities its Lambda ARNs are dispatched to, and every scenario is
checked event by event against GetExecutionHistory."""
import json
import os
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, make_client

os.environ.setdefault("SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS", "2")

ROLE = f"arn:aws:iam::{ACCOUNT}:role/order-saga"
ACTIVITIES = ["inventory-reserve", "payment-charge", "shipping-create", "inventory-release", "payment-refund"]

ORDER_SAGA = {
    "Comment": "Order Saga",
    "StartAt": "ReserveInventory",
    "States": {
        "ReserveInventory": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-reserve",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "SagaFailed"}],
            "Next": "ChargePayment",
        },
        "ChargePayment": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:payment-charge",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensateInventory"}],
            "Next": "ShipOrder",
        },
        "ShipOrder": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:shipping-create",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensatePayment"}],
            "End": True,
        },
        "CompensateInventory": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-release",
            "Next": "SagaFailed",
        },
        "CompensatePayment": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:payment-refund",
            "Next": "CompensateInventory",
        },
        "SagaFailed": {"Type": "Fail"},
    },
}


class Workers:
    """One thread per activity; `behaviour[activity](input)` returns a result dict, raises
    `Failure` to fail the task, or returns `HOLD` to keep the token and never answer."""

    HOLD = object()

    class Failure(Exception):
        def __init__(self, error, cause):
            super().__init__(error)
            self.error, self.cause = error, cause

    def __init__(self, endpoint, behaviour):
        self.endpoint = endpoint
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.calls = []
        self.held = []
        self.lock = threading.Lock()
        self.threads = []

    def __enter__(self):
        setup = make_client("stepfunctions", self.endpoint)
        for name in ACTIVITIES:
            arn = setup.create_activity(name=name)["activityArn"]
            thread = threading.Thread(target=self.run, args=(name, arn), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)

    def run(self, name, arn):
        sfn = make_client("stepfunctions", self.endpoint)
        while not self.stop.is_set():
            try:
                task = sfn.get_activity_task(activityArn=arn, workerName=f"{name}-worker")
            except Exception:
                if self.stop.is_set():
                    return
                time.sleep(0.2)
                continue
            token = task.get("taskToken")
            if not token:
                continue
            payload = json.loads(task["input"])
            with self.lock:
                self.calls.append((name, payload))
            try:
                result = self.behaviour.get(name, lambda p: {**p, name: "ok"})(payload)
            except Workers.Failure as failure:
                sfn.send_task_failure(taskToken=token, error=failure.error, cause=failure.cause)
                continue
            if result is Workers.HOLD:
                with self.lock:
                    self.held.append(token)
                continue
            sfn.send_task_success(taskToken=token, output=json.dumps(result))


def fail(error, cause):
    def behaviour(_):
        raise Workers.Failure(error, cause)
    return behaviour


@pytest.fixture
def sfn(endpoint):
    return make_client("stepfunctions", endpoint)


def create_machine(sfn, name, definition=ORDER_SAGA):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def wait_end(sfn, arn, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{arn} still RUNNING after {timeout}s")


def history(sfn, arn):
    events, kwargs = [], {"executionArn": arn, "maxResults": 50}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events += page["events"]
        if "nextToken" not in page:
            return events
        kwargs["nextToken"] = page["nextToken"]


def task_block(state, outcome="LambdaFunctionSucceeded"):
    return [("TaskStateEntered", state), ("LambdaFunctionScheduled", None), ("LambdaFunctionStarted", None),
            (outcome, None)] + ([("TaskStateExited", state)] if outcome == "LambdaFunctionSucceeded" else [])


def shape(events):
    out = []
    for event in events:
        name = None
        if "stateEnteredEventDetails" in event:
            name = event["stateEnteredEventDetails"]["name"]
        elif "stateExitedEventDetails" in event:
            name = event["stateExitedEventDetails"]["name"]
        out.append((event["type"], name))
    return out


def check_ids(events):
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    for event in events:
        assert 0 <= event["previousEventId"] < event["id"]


def test_happy_path(endpoint, sfn):
    machine = create_machine(sfn, "order-saga-happy")
    with Workers(endpoint, {}) as workers:
        arn = sfn.start_execution(stateMachineArn=machine, name="order-1", input=json.dumps({"orderId": "o-1"}))["executionArn"]
        described = wait_end(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"orderId": "o-1", "inventory-reserve": "ok", "payment-charge": "ok",
                                                "shipping-create": "ok"}
    events = history(sfn, arn)
    check_ids(events)
    assert shape(events) == ([("ExecutionStarted", None)] + task_block("ReserveInventory") + task_block("ChargePayment")
                             + task_block("ShipOrder") + [("ExecutionSucceeded", None)])
    scheduled = [e for e in events if e["type"] == "LambdaFunctionScheduled"]
    assert scheduled[0]["lambdaFunctionScheduledEventDetails"]["resource"].endswith(":function:inventory-reserve")
    assert json.loads(scheduled[0]["lambdaFunctionScheduledEventDetails"]["input"]) == {"orderId": "o-1"}
    assert [name for name, _ in workers.calls] == ["inventory-reserve", "payment-charge", "shipping-create"]
    # reverseOrder and includeExecutionData=False, as AWS.
    reverse = sfn.get_execution_history(executionArn=arn, reverseOrder=True, includeExecutionData=False)["events"]
    assert reverse[0]["type"] == "ExecutionSucceeded" and "output" not in reverse[0]["executionSucceededEventDetails"]


def test_payment_failure_releases_inventory(endpoint, sfn):
    machine = create_machine(sfn, "order-saga-payment")
    with Workers(endpoint, {"payment-charge": fail("PaymentDeclined", "card refused")}) as workers:
        arn = sfn.start_execution(stateMachineArn=machine, name="order-2", input="{}")["executionArn"]
        described = wait_end(sfn, arn)
    assert described["status"] == "FAILED"
    events = history(sfn, arn)
    check_ids(events)
    assert shape(events) == ([("ExecutionStarted", None)] + task_block("ReserveInventory")
                             + task_block("ChargePayment", "LambdaFunctionFailed") + [("TaskStateExited", "ChargePayment")]
                             + task_block("CompensateInventory") + [("FailStateEntered", "SagaFailed"), ("ExecutionFailed", None)])
    failed = next(e for e in events if e["type"] == "LambdaFunctionFailed")["lambdaFunctionFailedEventDetails"]
    assert failed == {"error": "PaymentDeclined", "cause": "card refused"}
    released = [payload for name, payload in workers.calls if name == "inventory-release"]
    assert released == [{"Error": "PaymentDeclined", "Cause": "card refused"}]


def test_shipping_failure_refunds_then_releases(endpoint, sfn):
    machine = create_machine(sfn, "order-saga-shipping")
    with Workers(endpoint, {"shipping-create": fail("NoCarrier", "no carrier available")}) as workers:
        arn = sfn.start_execution(stateMachineArn=machine, name="order-3", input="{}")["executionArn"]
        described = wait_end(sfn, arn)
    assert described["status"] == "FAILED"
    entered = [name for kind, name in shape(history(sfn, arn)) if kind.endswith("StateEntered")]
    assert entered == ["ReserveInventory", "ChargePayment", "ShipOrder", "CompensatePayment", "CompensateInventory", "SagaFailed"]
    assert [name for name, _ in workers.calls] == ["inventory-reserve", "payment-charge", "shipping-create",
                                                   "payment-refund", "inventory-release"]


def test_task_that_never_heartbeats_times_out(endpoint, sfn):
    definition = json.loads(json.dumps(ORDER_SAGA))
    definition["States"]["ChargePayment"]["HeartbeatSeconds"] = 1
    machine = create_machine(sfn, "order-saga-heartbeat", definition)
    with Workers(endpoint, {"payment-charge": lambda p: Workers.HOLD}) as workers:
        arn = sfn.start_execution(stateMachineArn=machine, name="order-4", input="{}")["executionArn"]
        described = wait_end(sfn, arn)
        held = list(workers.held)
    assert described["status"] == "FAILED"
    events = history(sfn, arn)
    timed_out = next(e for e in events if e["type"] == "LambdaFunctionTimedOut")
    assert timed_out["lambdaFunctionTimedOutEventDetails"]["error"] == "States.HeartbeatTimeout"
    entered = [name for kind, name in shape(events) if kind.endswith("StateEntered")]
    assert entered == ["ReserveInventory", "ChargePayment", "CompensateInventory", "SagaFailed"]
    # The worker's token is dead now.
    with pytest.raises(ClientError) as error:
        sfn.send_task_success(taskToken=held[0], output="{}")
    assert error.value.response["Error"]["Code"] == "TaskTimedOut"


def test_wait_for_task_token_step_completed_by_send_task_success(endpoint, sfn):
    sqs = make_client("sqs", endpoint)
    queue = sqs.create_queue(QueueName="approvals")["QueueUrl"]
    definition = {
        "StartAt": "AskApproval",
        "States": {
            "AskApproval": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.orderId"}},
                "ResultPath": "$.approval",
                "End": True,
            }
        },
    }
    machine = create_machine(sfn, "approval-saga", definition)
    arn = sfn.start_execution(stateMachineArn=machine, name="approve-1", input=json.dumps({"orderId": "o-9"}))["executionArn"]
    messages = []
    deadline = time.monotonic() + 20
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
    body = json.loads(messages[0]["Body"])
    assert body["order"] == "o-9"
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=body["token"], output=json.dumps({"approved": True}))
    described = wait_end(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"orderId": "o-9", "approval": {"approved": True}}
    types = [e["type"] for e in history(sfn, arn)]
    assert types == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
                     "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    events = history(sfn, arn)
    submitted = next(e for e in events if e["type"] == "TaskSubmitted")["taskSubmittedEventDetails"]
    assert submitted["resourceType"] == "sqs" and "MessageId" in json.loads(submitted["output"])


def test_redrive_after_the_fault_is_fixed(endpoint, sfn):
    machine = create_machine(sfn, "order-saga-redrive")
    broken = {"shipping-create": fail("NoCarrier", "none"), "payment-refund": fail("RefundServiceDown", "503")}
    with Workers(endpoint, broken) as workers:
        arn = sfn.start_execution(stateMachineArn=machine, name="order-5", input="{}")["executionArn"]
        described = wait_end(sfn, arn)
        assert described["status"] == "FAILED"
        assert described["error"] == "RefundServiceDown"
        assert described["redriveStatus"] == "REDRIVABLE"
        # The refund service is fixed; redrive continues from CompensatePayment.
        del broken["payment-refund"]
        sfn.redrive_execution(executionArn=arn)
        described = wait_end(sfn, arn)
        calls = [name for name, _ in workers.calls]
    assert described["redriveCount"] == 1
    assert described["status"] == "FAILED"
    events = history(sfn, arn)
    check_ids(events)
    entered = [name for kind, name in shape(events) if kind.endswith("StateEntered")]
    assert entered == ["ReserveInventory", "ChargePayment", "ShipOrder", "CompensatePayment", "CompensatePayment",
                       "CompensateInventory", "SagaFailed"]
    assert calls == ["inventory-reserve", "payment-charge", "shipping-create", "payment-refund", "payment-refund",
                     "inventory-release"]
    types = [e["type"] for e in events]
    assert types.index("ExecutionRedriven") == types.index("ExecutionFailed") + 1
