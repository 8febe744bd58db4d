"""Step Functions with the bus, through boto3 and a real WebSocket client: an `events:putEvents`
step whose event reaches an SQS queue through a rule, a rule whose target is a state machine,
the `executions` stream topic, and a prompt SIGTERM while an activity long poll is open."""
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path

from websockets.sync.client import connect

from conftest import ACCOUNT, REGION, Server, make_client

os.environ.setdefault("SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS", "2")
ROLE = f"arn:aws:iam::{ACCOUNT}:role/saga"


def wait_end(sfn, arn, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{arn} still RUNNING after {timeout}s")


def receive_one(sqs, url, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"]).get("Messages", [])
        if messages:
            return messages[0]
    raise AssertionError(f"no message in {url} after {timeout}s")


def test_put_events_step_lands_in_queue_via_rule(endpoint):
    sfn, events, sqs = (make_client(s, endpoint) for s in ("stepfunctions", "events", "sqs"))
    suffix = uuid.uuid4().hex[:8]
    qname, rule, source = f"shipped-{suffix}", f"shipped-{suffix}", f"saga.{suffix}"
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source], "detail-type": ["OrderShipped"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"}])
    definition = {"StartAt": "Announce", "States": {"Announce": {
        "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
        "Parameters": {"Entries": [{"Detail": {"orderId.$": "$.orderId", "total": 42}, "DetailType": "OrderShipped",
                                    "Source": source, "EventBusName": "default"}]},
        "ResultPath": "$.put", "End": True}}}
    machine = sfn.create_state_machine(name=f"announce-{suffix}", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"orderId": "o-9"}))["executionArn"]
    described = wait_end(sfn, execution)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["orderId"] == "o-9"
    assert output["put"]["FailedEntryCount"] == 0
    event_id = output["put"]["Entries"][0]["EventId"]
    event = json.loads(receive_one(sqs, url)["Body"])
    assert event["id"] == event_id
    assert event["source"] == source and event["detail-type"] == "OrderShipped"
    assert event["detail"] == {"orderId": "o-9", "total": 42}
    assert event["resources"] == [machine, execution]
    types = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
    assert types == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded",
                     "TaskStateExited", "ExecutionSucceeded"]
    scheduled = sfn.get_execution_history(executionArn=execution)["events"][2]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "events" and scheduled["resource"] == "putEvents"


def test_put_events_step_to_missing_bus_fails_with_eventbridge_error(endpoint):
    sfn = make_client("stepfunctions", endpoint)
    suffix = uuid.uuid4().hex[:8]
    definition = {"StartAt": "Announce", "States": {"Announce": {
        "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
        "Parameters": {"Entries": [{"Detail": {}, "DetailType": "X", "Source": "s", "EventBusName": f"nope-{suffix}"}]},
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}], "End": True},
        "Caught": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=f"nowhere-{suffix}", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    described = wait_end(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["error"]["Error"].startswith("EventBridge.")


def test_rule_with_state_machine_target_started_by_put_events(endpoint):
    sfn, events = make_client("stepfunctions", endpoint), make_client("events", endpoint)
    suffix = uuid.uuid4().hex[:8]
    definition = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=f"on-order-{suffix}", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    rule, source = f"start-{suffix}", f"shop.{suffix}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "saga", "Arn": machine, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/events-sfn"}])
    put = events.put_events(Entries=[{"Source": source, "DetailType": "OrderPlaced", "Detail": json.dumps({"orderId": "o-1"})}])
    assert put["FailedEntryCount"] == 0
    event_id = put["Entries"][0]["EventId"]
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert len(executions) == 1
    described = wait_end(sfn, executions[0]["executionArn"])
    assert described["status"] == "SUCCEEDED"
    started = json.loads(described["input"])
    assert started["id"] == event_id
    assert started["source"] == source and started["detail-type"] == "OrderPlaced"
    assert started["detail"] == {"orderId": "o-1"}
    assert started["account"] == ACCOUNT and started["region"] == REGION
    assert json.loads(described["output"]) == started


def test_executions_stream_frames(endpoint):
    sfn = make_client("stepfunctions", endpoint)
    suffix = uuid.uuid4().hex[:8]
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": 1}, "Next": "B"},
                                             "B": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}}}
    machine = sfn.create_state_machine(name=f"streamed-{suffix}", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    url = endpoint.replace("http://", "ws://") + "/_signalbox/stream?topics=executions"
    with connect(url) as ws:
        ws.send(json.dumps({"type": "subscribe", "topics": ["executions"], "pattern": {"stateMachineArn": [machine]}}))
        while json.loads(ws.recv(timeout=10))["type"] != "subscribed":
            pass
        execution = sfn.start_execution(stateMachineArn=machine, name="run-1")["executionArn"]
        frames = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            frame = json.loads(ws.recv(timeout=10))
            assert frame["v"] == 1
            if frame.get("topic") != "executions":
                continue
            frames.append(frame)
            if frame["type"] == "execution" and frame["data"]["status"] != "RUNNING":
                break
    history = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    streamed = [f for f in frames if f["type"] == "history"]
    assert [f["data"]["event"]["id"] for f in streamed] == [e["id"] for e in history]
    assert [f["data"]["event"]["type"] for f in streamed] == [e["type"] for e in history]
    first = streamed[0]["data"]
    assert first["executionArn"] == execution and first["stateMachineArn"] == machine and first["name"] == "run-1"
    assert first["event"]["executionStartedEventDetails"]["roleArn"] == ROLE
    assert streamed[-1]["data"]["event"]["executionFailedEventDetails"] == {"error": "Boom", "cause": "on purpose"}
    statuses = [f["data"]["status"] for f in frames if f["type"] == "execution"]
    assert statuses == ["RUNNING", "FAILED"]
    closed = frames[-1]["data"]
    assert closed["error"] == "Boom" and closed["cause"] == "on purpose" and "stopDate" in closed


def test_sigterm_with_open_activity_poll_exits_promptly(monkeypatch):
    monkeypatch.delenv("SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS", raising=False)  # AWS's full 60 s poll
    data = Path(tempfile.mkdtemp(prefix="signalbox-sfn-sigterm-"))
    server = Server(data)
    try:
        server.start()
        sfn = make_client("stepfunctions", server.endpoint, read_timeout=90)
        activity = sfn.create_activity(name="idle-workers")["activityArn"]
        answer = {}

        def poll():
            try:
                answer.update(sfn.get_activity_task(activityArn=activity))
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                answer["error"] = repr(error)

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.5)  # the poll is parked on the server
        started = time.monotonic()
        code = server.stop()
        elapsed = time.monotonic() - started
        poller.join(timeout=10)
        assert code == 0, "\n".join(server.log_lines)
        assert elapsed < 5, f"SIGTERM took {elapsed:.1f}s with a parked GetActivityTask"
        assert not poller.is_alive()
        # The parked poll was answered (empty, as AWS ends a poll), not cut off.
        assert "error" not in answer, answer["error"]
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert "taskToken" not in answer
    finally:
        if server.proc and server.proc.poll() is None:
            server.proc.kill()
        shutil.rmtree(data, ignore_errors=True)
