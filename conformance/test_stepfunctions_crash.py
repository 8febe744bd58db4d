"""kill -9 mid-flight: every running execution continues after a restart on the same data —
tasks nobody took are offered again, tokens a worker holds stay valid, and timers fire at their
original deadlines."""
import json
import os
import time

from conftest import ACCOUNT, make_client

os.environ.setdefault("SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS", "2")
ROLE = f"arn:aws:iam::{ACCOUNT}:role/crash"


def wait_end(sfn, arn, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{arn} still RUNNING")


def test_executions_continue_after_kill9(fresh_server):
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    first, second = (sfn.create_activity(name=n)["activityArn"] for n in ("first", "second"))
    two_steps = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": first, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Task", "Resource": second, "ResultPath": "$.b", "End": True}}}
    machine = sfn.create_state_machine(name="two-steps", definition=json.dumps(two_steps), roleArn=ROLE)["stateMachineArn"]
    waiting = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 4, "Next": "Done"}, "Done": {"Type": "Succeed"}}}
    sleeper = sfn.create_state_machine(name="sleeper", definition=json.dumps(waiting), roleArn=ROLE)["stateMachineArn"]

    executions = [sfn.start_execution(stateMachineArn=machine, name=f"e{i}", input=json.dumps({"i": i}))["executionArn"]
                  for i in range(6)]
    timer = sfn.start_execution(stateMachineArn=sleeper, name="timer")["executionArn"]
    timer_start = sfn.describe_execution(executionArn=timer)["startDate"]
    # A worker takes three of the six first steps and holds their tokens across the crash.
    held = []
    for _ in range(3):
        task = sfn.get_activity_task(activityArn=first, workerName="before-crash")
        held.append((task["taskToken"], json.loads(task["input"])))
    fresh_server.kill9()
    fresh_server.start()
    sfn = make_client("stepfunctions", fresh_server.endpoint)

    # The three untaken first steps are offered again; the held tokens still work.
    for token, payload in held:
        sfn.send_task_success(taskToken=token, output=json.dumps({"held": payload["i"]}))
    answered = 0
    deadline = time.monotonic() + 60
    while answered < 9 and time.monotonic() < deadline:
        for arn in (first, second):
            task = sfn.get_activity_task(activityArn=arn, workerName="after-crash")
            if "taskToken" in task:
                sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"ok": True}))
                answered += 1
    assert answered == 9
    for arn in executions:
        described = wait_end(sfn, arn)
        assert described["status"] == "SUCCEEDED"
        events = sfn.get_execution_history(executionArn=arn)["events"]
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        assert [e["type"] for e in events].count("ActivityStarted") == 2
    described = wait_end(sfn, timer)
    assert described["status"] == "SUCCEEDED"
    # The Wait fired no earlier than its original deadline.
    assert (described["stopDate"] - timer_start).total_seconds() >= 4
