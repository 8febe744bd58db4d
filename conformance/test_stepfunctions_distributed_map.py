"""Distributed Map (issue #17) through boto3 against the real `signalbox serve`: a Map in
`ProcessorConfig.Mode: DISTRIBUTED` runs its items as child executions of a Map Run, with
ItemBatcher, MaxConcurrency, the tolerated failure threshold, ListMapRuns, DescribeMapRun,
UpdateMapRun and ListExecutions(mapRunArn=…), across a crash too.

Expected shapes from AWS's documentation:
- "ItemBatcher (Map)" (docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html):
  with batching, each child receives `{"Items": [...]}`, plus `"BatchInput"` when given; the
  fact-check example items below are that page's.
- API reference, DescribeMapRun: `itemCounts` and `executionCounts` with pending, running,
  succeeded, failed, timedOut, aborted, total, resultsWritten, failuresNotRedrivable,
  pendingRedrive; ListMapRuns' items: executionArn, mapRunArn, stateMachineArn, startDate,
  stopDate; ListExecutions: "You can specify either a mapRunArn or a stateMachineArn, but not
  both", and `mapRunArn` on each item only in the mapRunArn form.
- History events (HistoryEventType): MapRunStarted with `mapRunStartedEventDetails.mapRunArn`,
  MapRunSucceeded, MapRunFailed with `mapRunFailedEventDetails` {error, cause}, MapRunAborted.
- "Viewing a Distributed Map Run" (concepts-examine-map-run.html): children run under the labelled
  machine ARN `arn:…:stateMachine:NAME/LABEL`.
- The threshold error `States.ExceedToleratedFailureThreshold` (error handling page), with the
  cause "The specified tolerated failure threshold was exceeded" as recorded executions show it.
"""
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, make_client

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfn"

FACTS = [
    {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"},
    {"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"},
    {"verdict": "true", "statement_date": "5/18/2016", "statement_source": "news"},
]


def distributed(processor, **fields):
    state = {"Type": "Map", "End": True,
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, **processor}}
    state.update(fields)
    return json.dumps({"StartAt": "Map", "States": {"Map": state}})


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.fixture
def sfn(endpoint):
    return make_client("stepfunctions", endpoint)


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value.response["Error"]


def finished(sfn, execution, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("still running")


def only_map_run(sfn, execution):
    runs = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert len(runs) == 1
    return runs[0]


def test_batches_of_the_documented_items(sfn):
    machine = sfn.create_state_machine(
        name="fact-check", roleArn=ROLE,
        definition=distributed(PASS, ItemsPath="$.facts", Label="facts", MaxConcurrency=2,
                               ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"factCheck.$": "$.month"}}))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"month": "December 2022", "facts": FACTS}))["executionArn"]
    described = finished(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    # Each child's output is its input: the batches as the ItemBatcher page shows them.
    assert json.loads(described["output"]) == [
        {"BatchInput": {"factCheck": "December 2022"}, "Items": FACTS[:2]},
        {"BatchInput": {"factCheck": "December 2022"}, "Items": FACTS[2:]},
    ]
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                                           "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    run = only_map_run(sfn, execution)
    assert events[3]["mapRunStartedEventDetails"] == {"mapRunArn": run["mapRunArn"]}
    assert run["mapRunArn"].startswith(f"arn:aws:states:us-east-1:{ACCOUNT}:mapRun:fact-check/facts:")
    assert run["executionArn"] == execution and run["stateMachineArn"] == machine and "stopDate" in run

    map_run = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert map_run["status"] == "SUCCEEDED" and map_run["maxConcurrency"] == 2
    assert map_run["itemCounts"] == {"pending": 0, "running": 0, "succeeded": 3, "failed": 0, "timedOut": 0, "aborted": 0,
                                     "total": 3, "resultsWritten": 0, "failuresNotRedrivable": 0, "pendingRedrive": 0}
    assert map_run["executionCounts"]["succeeded"] == 2 and map_run["executionCounts"]["total"] == 2

    children = sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]
    assert len(children) == 2
    assert all(c["mapRunArn"] == run["mapRunArn"] and c["stateMachineArn"] == f"{machine}/facts" for c in children)
    child = sfn.describe_execution(executionArn=children[0]["executionArn"])
    assert child["mapRunArn"] == run["mapRunArn"] and child["status"] == "SUCCEEDED"
    assert sfn.describe_state_machine_for_execution(executionArn=children[0]["executionArn"])["label"] == "facts"
    # The machine's own listing has the parent only, without mapRunArn.
    own = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert [e["executionArn"] for e in own] == [execution] and "mapRunArn" not in own[0]


def test_tolerated_failure_threshold(sfn):
    processor = {"StartAt": "Check", "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": False, "Next": "Broken"}], "Default": "Fine"},
        "Broken": {"Type": "Fail", "Error": "ItemBroken", "Cause": "bad item"},
        "Fine": {"Type": "Succeed"}}}
    items = json.dumps([{"ok": False}, {"ok": True}, {"ok": False}, {"ok": True}])
    strict = sfn.create_state_machine(name="strict-map", roleArn=ROLE, definition=distributed(processor, ToleratedFailureCount=1))
    failed = finished(sfn, sfn.start_execution(stateMachineArn=strict["stateMachineArn"], input=items)["executionArn"])
    assert failed["status"] == "FAILED"
    assert failed["error"] == "States.ExceedToleratedFailureThreshold"
    assert failed["cause"] == "The specified tolerated failure threshold was exceeded"
    events = sfn.get_execution_history(executionArn=failed["executionArn"])["events"]
    run_failed = next(e for e in events if e["type"] == "MapRunFailed")
    assert run_failed["mapRunFailedEventDetails"] == {"error": "States.ExceedToleratedFailureThreshold",
                                                      "cause": "The specified tolerated failure threshold was exceeded"}
    run = sfn.describe_map_run(mapRunArn=only_map_run(sfn, failed["executionArn"])["mapRunArn"])
    assert run["status"] == "FAILED" and run["toleratedFailureCount"] == 1 and run["itemCounts"]["failed"] == 2

    lenient = sfn.create_state_machine(name="lenient-map", roleArn=ROLE, definition=distributed(processor, ToleratedFailurePercentage=50))
    tolerated = finished(sfn, sfn.start_execution(stateMachineArn=lenient["stateMachineArn"], input=items)["executionArn"])
    assert tolerated["status"] == "SUCCEEDED"
    assert json.loads(tolerated["output"])[0] == {"Error": "ItemBroken", "Cause": "bad item"}
    run_arn = only_map_run(sfn, tolerated["executionArn"])["mapRunArn"]
    assert len(sfn.list_executions(mapRunArn=run_arn, statusFilter="FAILED")["executions"]) == 2


def test_update_map_run_and_a_crash(fresh_server):
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    activity = sfn.create_activity(name="item-worker")["activityArn"]
    processor = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}}
    machine = sfn.create_state_machine(name="slow-map", roleArn=ROLE, definition=distributed(processor, MaxConcurrency=1))
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="[1, 2, 3]")["executionArn"]
    run_arn = only_map_run(sfn, execution)["mapRunArn"]
    run = sfn.describe_map_run(mapRunArn=run_arn)
    assert run["status"] == "RUNNING"
    assert (run["executionCounts"]["running"], run["executionCounts"]["pending"]) == (1, 2)
    sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=2, toleratedFailureCount=1)
    run = sfn.describe_map_run(mapRunArn=run_arn)
    assert run["maxConcurrency"] == 2 and run["toleratedFailureCount"] == 1 and run["executionCounts"]["running"] == 2

    fresh_server.kill9()
    fresh_server.start()
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    seen = []
    deadline = time.monotonic() + 30
    while len(seen) < 3 and time.monotonic() < deadline:
        task = sfn.get_activity_task(activityArn=activity, workerName="after-crash")
        if task.get("taskToken"):
            seen.append(json.loads(task["input"]))
            sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"done": json.loads(task["input"])}))
    assert sorted(seen) == [1, 2, 3]
    described = finished(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == [{"done": 1}, {"done": 2}, {"done": 3}]
    run = sfn.describe_map_run(mapRunArn=run_arn)
    assert run["status"] == "SUCCEEDED" and run["maxConcurrency"] == 2 and run["itemCounts"]["succeeded"] == 3


def test_stop_aborts_the_map_run(sfn):
    activity = sfn.create_activity(name="never-answers")["activityArn"]
    processor = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}}
    machine = sfn.create_state_machine(name="stopped-map", roleArn=ROLE, definition=distributed(processor))
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="[1, 2]")["executionArn"]
    run_arn = only_map_run(sfn, execution)["mapRunArn"]
    sfn.stop_execution(executionArn=execution)
    types = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
    assert types[-2:] == ["MapRunAborted", "ExecutionAborted"]
    run = sfn.describe_map_run(mapRunArn=run_arn)
    assert run["status"] == "ABORTED" and run["executionCounts"]["aborted"] == 2


def test_errors(sfn):
    reader = distributed(PASS, ItemReader={"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                                           "Parameters": {"Bucket": "b", "Key": "k.json"}})
    error = error_of(sfn.create_state_machine, name="s3-map", roleArn=ROLE, definition=reader)
    assert error["Code"] == "ValidationException" and "the local stack has no S3" in error["Message"]
    writer = distributed(PASS, ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}})
    assert error_of(sfn.create_state_machine, name="s3-map", roleArn=ROLE, definition=writer)["Code"] == "ValidationException"
    assert sfn.validate_state_machine_definition(definition=reader)["result"] == "OK"

    no_type = json.dumps({"StartAt": "Map", "States": {"Map": {"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED"}, **PASS}}}})
    invalid = error_of(sfn.create_state_machine, name="no-type", roleArn=ROLE, definition=no_type)
    assert invalid["Code"] == "InvalidDefinition" and "ExecutionType" in invalid["Message"]
    too_big = distributed(PASS, ItemBatcher={"MaxInputBytesPerBatch": 262145})
    assert error_of(sfn.create_state_machine, name="too-big", roleArn=ROLE, definition=too_big)["Code"] == "InvalidDefinition"

    missing = f"arn:aws:states:us-east-1:{ACCOUNT}:mapRun:none/label:00000000-0000-4000-8000-000000000000"
    assert error_of(sfn.describe_map_run, mapRunArn=missing)["Code"] == "ResourceNotFound"
    assert error_of(sfn.update_map_run, mapRunArn=missing, maxConcurrency=1)["Code"] == "ResourceNotFound"
    assert error_of(sfn.describe_map_run, mapRunArn="arn:aws:states:us-east-1:1:execution:a:b")["Code"] == "InvalidArn"
    assert error_of(sfn.list_executions, mapRunArn=missing,
                    stateMachineArn=f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:x")["Code"] == "ValidationException"


def answer_tasks(sfn, activity, count, fail=lambda item: False, timeout=30):
    """Takes `count` tasks of `activity`, failing those whose item `fail` says; returns the items."""
    seen = []
    deadline = time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline:
        task = sfn.get_activity_task(activityArn=activity, workerName="conformance")
        if not task.get("taskToken"):
            continue
        item = json.loads(task["input"])
        seen.append(item)
        if fail(item):
            sfn.send_task_failure(taskToken=task["taskToken"], error="ItemBroken", cause="try again")
        else:
            sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"done": item}))
    return seen


def map_run_when(sfn, run_arn, done, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = sfn.describe_map_run(mapRunArn=run_arn)
        if done(run):
            return run
        time.sleep(0.05)
    raise AssertionError(f"Map Run never reached the state: {run}")


def test_redriving_the_parent_redrives_the_same_map_run(fresh_server):
    """"Redriving Map Runs" (developer guide) and the API reference: RedriveExecution of the parent
    redrives the Map Run that failed — a MapRunRedriven event ({mapRunArn, redriveCount}), the run's
    redriveCount and redriveDate, its failed children redriven in place (their own redriveCount),
    the succeeded ones kept, children waiting to run again PENDING_REDRIVE — and no new Map Run.
    A kill -9 in the middle of the redriven run loses nothing."""
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    activity = sfn.create_activity(name="flaky-worker")["activityArn"]
    processor = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}}
    machine = sfn.create_state_machine(name="redriven-map", roleArn=ROLE,
                                       definition=distributed(processor, MaxConcurrency=1, ToleratedFailureCount=1))
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="[1, 2, 3]")["executionArn"]
    run_arn = only_map_run(sfn, execution)["mapRunArn"]
    assert answer_tasks(sfn, activity, 2, fail=lambda item: True) == [1, 2]
    assert finished(sfn, execution)["status"] == "FAILED"
    run = map_run_when(sfn, run_arn, lambda r: r["status"] == "FAILED")
    assert run["redriveCount"] == 0 and "redriveDate" not in run
    failed = {e["executionArn"] for e in sfn.list_executions(mapRunArn=run_arn)["executions"]}
    assert len(failed) == 2
    child = sorted(failed)[0]
    assert sfn.describe_execution(executionArn=child)["redriveStatus"] == "REDRIVABLE_BY_MAP_RUN"

    sfn.redrive_execution(executionArn=execution)
    events = sfn.get_execution_history(executionArn=execution, reverseOrder=True, maxResults=2)["events"]
    assert [e["type"] for e in events] == ["MapRunRedriven", "ExecutionRedriven"]
    assert events[0]["mapRunRedrivenEventDetails"] == {"mapRunArn": run_arn, "redriveCount": 1}
    assert [r["mapRunArn"] for r in sfn.list_map_runs(executionArn=execution)["mapRuns"]] == [run_arn]
    run = sfn.describe_map_run(mapRunArn=run_arn)
    assert run["status"] == "RUNNING" and run["redriveCount"] == 1 and "redriveDate" in run
    assert run["executionCounts"]["running"] == 1 and run["executionCounts"]["pendingRedrive"] == 1
    waiting = sfn.list_executions(mapRunArn=run_arn, statusFilter="PENDING_REDRIVE")["executions"]
    assert len(waiting) == 1 and waiting[0]["status"] == "PENDING_REDRIVE" and waiting[0]["itemCount"] == 1
    with pytest.raises(ClientError) as refused:
        sfn.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="PENDING_REDRIVE")
    assert refused.value.response["Error"]["Code"] == "ValidationException"

    fresh_server.kill9()
    fresh_server.start()
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    assert sorted(answer_tasks(sfn, activity, 3)) == [1, 2, 3]
    described = finished(sfn, execution)
    assert described["status"] == "SUCCEEDED" and described["redriveCount"] == 1
    assert json.loads(described["output"]) == [{"done": 1}, {"done": 2}, {"done": 3}]
    run = map_run_when(sfn, run_arn, lambda r: r["status"] == "SUCCEEDED")
    assert run["redriveCount"] == 1 and run["itemCounts"]["succeeded"] == 3 and run["itemCounts"]["pendingRedrive"] == 0
    children = sfn.list_executions(mapRunArn=run_arn)["executions"]
    assert len(children) == 3 and failed <= {c["executionArn"] for c in children}
    for arn in failed:
        redriven = sfn.describe_execution(executionArn=arn)
        assert redriven["status"] == "SUCCEEDED" and redriven["redriveCount"] == 1
        assert "ExecutionRedriven" in [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    # redriveFilter lists the redriven children (and, for the machine, the redriven parent).
    listed = sfn.list_executions(mapRunArn=run_arn, redriveFilter="REDRIVEN")["executions"]
    assert {e["executionArn"] for e in listed} == failed and all(e["redriveCount"] == 1 and "redriveDate" in e for e in listed)
    assert len(sfn.list_executions(mapRunArn=run_arn, redriveFilter="NOT_REDRIVEN")["executions"]) == 1
    parents = sfn.list_executions(stateMachineArn=machine["stateMachineArn"], redriveFilter="REDRIVEN")["executions"]
    assert [e["executionArn"] for e in parents] == [execution]


def test_express_children(sfn):
    """`ExecutionType: EXPRESS`: the children are Express executions. As the API reference says,
    DescribeExecution takes them ("unless a Map Run dispatched them"), ListExecutions(mapRunArn)
    lists them, GetExecutionHistory and StopExecution do not take Express executions, and a Map Run
    redrive reruns a failed Express child with StartExecution (a new execution)."""
    activity = sfn.create_activity(name="express-worker")["activityArn"]
    definition = json.dumps({"StartAt": "Map", "States": {"Map": {
        "Type": "Map", "Label": "fast", "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}}}}})
    machine = sfn.create_state_machine(name="express-map", roleArn=ROLE, definition=definition)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input="[1, 2]")["executionArn"]
    run_arn = only_map_run(sfn, execution)["mapRunArn"]
    answer_tasks(sfn, activity, 2, fail=lambda item: item == 2)
    assert finished(sfn, execution)["status"] == "FAILED"
    children = sfn.list_executions(mapRunArn=run_arn)["executions"]
    assert len(children) == 2
    assert all(c["executionArn"].startswith(f"arn:aws:states:us-east-1:{ACCOUNT}:express:express-map/fast:") for c in children)
    assert all(c["stateMachineArn"] == f"{machine}/fast" and c["mapRunArn"] == run_arn for c in children)
    failed_child = next(c["executionArn"] for c in children if c["status"] == "FAILED")
    described = sfn.describe_execution(executionArn=failed_child)
    assert described["mapRunArn"] == run_arn and described["error"] == "ItemBroken"
    for call in (sfn.get_execution_history, sfn.stop_execution):
        error = error_of(call, executionArn=failed_child)
        assert error["Code"] == "InvalidArn" and error["Message"] == "Invalid Arn: 'Resource type not valid in this context: express'"
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]] == [execution]

    sfn.redrive_execution(executionArn=execution)
    assert answer_tasks(sfn, activity, 1) == [2]
    assert json.loads(finished(sfn, execution)["output"]) == [{"done": 1}, {"done": 2}]
    assert len(sfn.list_executions(mapRunArn=run_arn)["executions"]) == 3
    assert sfn.describe_execution(executionArn=failed_child)["status"] == "FAILED"
    run = map_run_when(sfn, run_arn, lambda r: r["status"] == "SUCCEEDED")
    assert run["itemCounts"]["succeeded"] == 2 and run["itemCounts"]["failed"] == 0 and run["redriveCount"] == 1


def test_update_map_run_wording(sfn):
    """UpdateMapRun's bounds as the API model gives them (toleratedFailurePercentage 0–100, a
    float), refused in AWS's validation wording. (boto3 refuses a negative maxConcurrency or
    toleratedFailureCount itself, from the same model, before sending.)"""
    activity = sfn.create_activity(name="update-wording")["activityArn"]
    processor = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}}
    machine = sfn.create_state_machine(name="wording-map", roleArn=ROLE, definition=distributed(processor))
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="[1]")["executionArn"]
    run_arn = only_map_run(sfn, execution)["mapRunArn"]
    error = error_of(sfn.update_map_run, mapRunArn=run_arn, toleratedFailurePercentage=101)
    assert error["Code"] == "ValidationException"
    assert error["Message"] == ("1 validation error detected: Value '101.0' at 'toleratedFailurePercentage' failed to satisfy "
                                "constraint: Member must have value less than or equal to 100")
    sfn.stop_execution(executionArn=execution)
