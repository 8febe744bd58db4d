"""Step Functions operations and errors through boto3 (and the AWS CLI for a few), against the
real `signalbox serve`."""
import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, aws_cli, make_client

os.environ.setdefault("SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS", "2")

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfn"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "ResultPath": "$.r", "End": True}}})


@pytest.fixture
def sfn(endpoint):
    return make_client("stepfunctions", endpoint)


def code(call, **kwargs):
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value.response["Error"]["Code"]


def wait_end(sfn, arn, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("still running")


def test_state_machine_lifecycle(sfn):
    created = sfn.create_state_machine(name="lifecycle", definition=PASS, roleArn=ROLE)
    arn = created["stateMachineArn"]
    assert arn == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:lifecycle"
    # Same name, same definition: the same machine; different definition: an error.
    assert sfn.create_state_machine(name="lifecycle", definition=PASS, roleArn=ROLE)["stateMachineArn"] == arn
    other = json.dumps({"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}})
    assert code(sfn.create_state_machine, name="lifecycle", definition=other, roleArn=ROLE) == "StateMachineAlreadyExists"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == PASS and described["status"] == "ACTIVE" and described["type"] == "STANDARD"
    sfn.update_state_machine(stateMachineArn=arn, definition=other)
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == other
    names = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
    assert "lifecycle" in names
    sfn.delete_state_machine(stateMachineArn=arn)
    assert code(sfn.describe_state_machine, stateMachineArn=arn) == "StateMachineDoesNotExist"


def test_definition_errors(sfn):
    assert code(sfn.create_state_machine, name="bad", definition="{", roleArn=ROLE) == "InvalidDefinition"
    missing = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    assert code(sfn.create_state_machine, name="bad", definition=missing, roleArn=ROLE) == "InvalidDefinition"
    bad_path = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "not a path", "End": True}}})
    assert code(sfn.create_state_machine, name="bad", definition=bad_path, roleArn=ROLE) == "InvalidDefinition"
    assert code(sfn.create_state_machine, name="has space", definition=PASS, roleArn=ROLE) == "InvalidName"
    assert code(sfn.create_state_machine, name="ok", definition=PASS, roleArn="role") == "InvalidArn"
    report = sfn.validate_state_machine_definition(definition=missing)
    assert report["result"] == "FAIL"
    assert report["diagnostics"][0]["code"] == "MISSING_TRANSITION_TARGET"
    assert sfn.validate_state_machine_definition(definition=PASS)["result"] == "OK"


def test_executions(sfn):
    machine = sfn.create_state_machine(name="runs", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    arns = [sfn.start_execution(stateMachineArn=machine, name=f"run-{i}", input=json.dumps({"i": i}))["executionArn"] for i in range(5)]
    for arn in arns:
        assert wait_end(sfn, arn)["status"] == "SUCCEEDED"
    described = sfn.describe_execution(executionArn=arns[2])
    assert json.loads(described["output"]) == {"i": 2, "r": {"ok": True}}
    assert described["stateMachineArn"] == machine and described["name"] == "run-2"
    # A closed execution with the same name is ExecutionAlreadyExists.
    assert code(sfn.start_execution, stateMachineArn=machine, name="run-2", input=json.dumps({"i": 2})) == "ExecutionAlreadyExists"
    assert sfn.describe_state_machine_for_execution(executionArn=arns[0])["definition"] == PASS
    page = sfn.list_executions(stateMachineArn=machine, maxResults=2)
    seen = [e["executionArn"] for e in page["executions"]]
    while "nextToken" in page:
        page = sfn.list_executions(stateMachineArn=machine, maxResults=2, nextToken=page["nextToken"])
        seen += [e["executionArn"] for e in page["executions"]]
    assert sorted(seen) == sorted(arns)
    assert sfn.list_executions(stateMachineArn=machine, statusFilter="FAILED")["executions"] == []
    history = sfn.get_execution_history(executionArn=arns[0])["events"]
    assert [e["type"] for e in history] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    first = sfn.get_execution_history(executionArn=arns[0], maxResults=3)
    second = sfn.get_execution_history(executionArn=arns[0], maxResults=3, nextToken=first["nextToken"])
    assert [e["id"] for e in first["events"] + second["events"]] == [1, 2, 3, 4]


def test_execution_errors(sfn):
    machine = sfn.create_state_machine(name="errs", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert code(sfn.start_execution, stateMachineArn=machine, input="{not json") == "InvalidExecutionInput"
    assert code(sfn.start_execution, stateMachineArn=machine, input=json.dumps("x" * 262_144)) == "ValidationException"
    assert code(sfn.start_execution, stateMachineArn=machine + "-nope") == "StateMachineDoesNotExist"
    assert code(sfn.start_execution, stateMachineArn="arn:nope") == "InvalidArn"
    missing = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:errs:none"
    assert code(sfn.describe_execution, executionArn=missing) == "ExecutionDoesNotExist"
    assert code(sfn.get_execution_history, executionArn=missing) == "ExecutionDoesNotExist"
    assert code(sfn.stop_execution, executionArn=missing) == "ExecutionDoesNotExist"
    done = sfn.start_execution(stateMachineArn=machine, name="done")["executionArn"]
    wait_end(sfn, done)
    assert code(sfn.redrive_execution, executionArn=done) == "ExecutionNotRedrivable"


def test_activities_and_tokens(sfn):
    arn = sfn.create_activity(name="ship")["activityArn"]
    assert sfn.create_activity(name="ship")["activityArn"] == arn
    assert sfn.describe_activity(activityArn=arn)["name"] == "ship"
    assert arn in [a["activityArn"] for a in sfn.list_activities()["activities"]]
    definition = json.dumps({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn, "TimeoutSeconds": 30, "End": True}}})
    machine = sfn.create_state_machine(name="act", definition=definition, roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"x": 1}))["executionArn"]
    task = sfn.get_activity_task(activityArn=arn, workerName="w1")
    assert json.loads(task["input"]) == {"x": 1}
    token = task["taskToken"]
    sfn.send_task_heartbeat(taskToken=token)
    assert code(sfn.send_task_success, taskToken=token, output="{bad") == "InvalidOutput"
    assert code(sfn.send_task_success, taskToken=token, output=json.dumps("y" * 262_144)) == "ValidationException"
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output=json.dumps({"shipped": True}))
    assert wait_end(sfn, execution)["status"] == "SUCCEEDED"
    assert code(sfn.send_task_success, taskToken=token, output="{}") == "TaskTimedOut"
    assert code(sfn.send_task_failure, taskToken="not-a-token") == "InvalidToken"
    assert code(sfn.send_task_heartbeat, taskToken="0" * 64) == "TaskDoesNotExist"
    started = [e for e in sfn.get_execution_history(executionArn=execution)["events"] if e["type"] == "ActivityStarted"]
    assert started[0]["activityStartedEventDetails"]["workerName"] == "w1"
    sfn.delete_activity(activityArn=arn)
    assert code(sfn.describe_activity, activityArn=arn) == "ActivityDoesNotExist"
    assert code(sfn.get_activity_task, activityArn=arn) == "ActivityDoesNotExist"


def test_stop_execution(sfn):
    arn = sfn.create_activity(name="stuck")["activityArn"]
    definition = json.dumps({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn, "End": True}}})
    machine = sfn.create_state_machine(name="stopper", definition=definition, roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, name="s")["executionArn"]
    sfn.stop_execution(executionArn=execution, error="Operator", cause="stuck saga")
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "ABORTED" and described["error"] == "Operator" and described["cause"] == "stuck saga"
    assert sfn.list_executions(stateMachineArn=machine, statusFilter="ABORTED")["executions"][0]["executionArn"] == execution
    # The withdrawn task is never handed out.
    assert "taskToken" not in sfn.get_activity_task(activityArn=arn)


def test_aws_cli(endpoint):
    created = json.loads(aws_cli(endpoint, "stepfunctions", "create-state-machine", "--name", "cli",
                                 "--definition", PASS, "--role-arn", ROLE).stdout)
    started = json.loads(aws_cli(endpoint, "stepfunctions", "start-execution", "--state-machine-arn",
                                 created["stateMachineArn"], "--input", '{"a":1}').stdout)
    sfn = make_client("stepfunctions", endpoint)
    wait_end(sfn, started["executionArn"])
    described = json.loads(aws_cli(endpoint, "stepfunctions", "describe-execution", "--execution-arn",
                                   started["executionArn"]).stdout)
    assert described["status"] == "SUCCEEDED"
    listed = json.loads(aws_cli(endpoint, "stepfunctions", "list-state-machines").stdout)
    assert any(m["name"] == "cli" for m in listed["stateMachines"])
    failed = aws_cli(endpoint, "stepfunctions", "describe-state-machine", "--state-machine-arn",
                     created["stateMachineArn"] + "x", check=False)
    assert failed.returncode != 0 and "StateMachineDoesNotExist" in failed.stderr
