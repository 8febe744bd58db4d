"""Step Functions versions and aliases (issue #17) through boto3 against the real `signalbox
serve`: PublishStateMachineVersion (and `publish`/`versionDescription` on Create/Update),
ListStateMachineVersions, DeleteStateMachineVersion, the alias operations with weighted routing,
StartExecution with a version or alias ARN, and all of it across a restart.

Behaviour as the Step Functions API reference describes it: versions are numbered from 1 and
listed newest first; publishing a revision that already has a version returns that version; a
`revisionId` that is not the current one is a ConflictException; a version an alias routes to
cannot be deleted (ConflictException); an alias routes to one or two versions whose weights sum
to 100; DescribeExecution names the version (and alias) an execution was started with.
"""
import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, make_client

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfn"


def definition(value):
    return json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": value, "End": True}}})


@pytest.fixture
def sfn(endpoint):
    return make_client("stepfunctions", endpoint)


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value.response["Error"]["Code"]


def finished(sfn, execution):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("still running")


def test_versions(sfn):
    created = sfn.create_state_machine(name="versioned", definition=definition("v1"), roleArn=ROLE,
                                       publish=True, versionDescription="first")
    machine = created["stateMachineArn"]
    assert created["stateMachineVersionArn"] == f"{machine}:1"
    # Publishing the same revision again returns the same version.
    assert sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"] == f"{machine}:1"
    revision = sfn.describe_state_machine(stateMachineArn=machine)["revisionId"]
    updated = sfn.update_state_machine(stateMachineArn=machine, definition=definition("v2"))
    assert updated["revisionId"] != revision and "stateMachineVersionArn" not in updated
    # revisionIds are UUIDs, as AWS's are.
    assert all(uuid.UUID(r) for r in (revision, updated["revisionId"]))
    # A stale revisionId is a conflict; the current one publishes version 2.
    assert error_of(sfn.publish_state_machine_version, stateMachineArn=machine, revisionId=revision) == "ConflictException"
    second = sfn.publish_state_machine_version(stateMachineArn=machine, revisionId=updated["revisionId"], description="second")
    assert second["stateMachineVersionArn"] == f"{machine}:2"
    third = sfn.update_state_machine(stateMachineArn=machine, definition=definition("v3"), publish=True, versionDescription="third")
    assert third["stateMachineVersionArn"] == f"{machine}:3"
    listed = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{machine}:3", f"{machine}:2", f"{machine}:1"]
    # Describing a version gives that version's definition and description.
    described = sfn.describe_state_machine(stateMachineArn=f"{machine}:1")
    assert json.loads(described["definition"])["States"]["P"]["Result"] == "v1" and described["description"] == "first"
    assert described["stateMachineArn"] == f"{machine}:1"
    # Paging newest first.
    page = sfn.list_state_machine_versions(stateMachineArn=machine, maxResults=2)
    assert len(page["stateMachineVersions"]) == 2
    rest = sfn.list_state_machine_versions(stateMachineArn=machine, maxResults=2, nextToken=page["nextToken"])
    assert [v["stateMachineVersionArn"] for v in rest["stateMachineVersions"]] == [f"{machine}:1"]
    # Deleting a version; its number is not used again.
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{machine}:3")
    assert error_of(sfn.describe_state_machine, stateMachineArn=f"{machine}:3") == "ResourceNotFound"
    fourth = sfn.update_state_machine(stateMachineArn=machine, definition=definition("v4"), publish=True)
    assert fourth["stateMachineVersionArn"] == f"{machine}:4"
    # versionDescription needs publish.
    assert error_of(sfn.update_state_machine, stateMachineArn=machine, definition=definition("v5"),
                    versionDescription="no publish") == "ValidationException"


def test_aliases_and_starting_through_them(sfn):
    machine = sfn.create_state_machine(name="aliased", definition=definition("one"), roleArn=ROLE, publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=definition("two"), publish=True)
    v1, v2 = f"{machine}:1", f"{machine}:2"
    alias = sfn.create_state_machine_alias(name="PROD", description="live",
                                           routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
    prod = alias["stateMachineAliasArn"]
    assert prod == f"{machine}:PROD"
    # The same alias again is idempotent; a different routing under the same name is a conflict.
    assert sfn.create_state_machine_alias(name="PROD", description="live",
                                          routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"] == prod
    assert error_of(sfn.create_state_machine_alias, name="PROD",
                    routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}]) == "ConflictException"
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=prod)
    assert described["name"] == "PROD" and described["description"] == "live"
    assert described["routingConfiguration"] == [{"stateMachineVersionArn": v1, "weight": 100}]

    # Executions through the alias and through a version run that version and record it.
    through_alias = sfn.start_execution(stateMachineArn=prod)["executionArn"]
    done = finished(sfn, through_alias)
    assert json.loads(done["output"]) == "one"
    assert done["stateMachineAliasArn"] == prod and done["stateMachineVersionArn"] == v1
    assert done["stateMachineArn"] == machine
    started = sfn.get_execution_history(executionArn=through_alias)["events"][0]["executionStartedEventDetails"]
    assert started["stateMachineAliasArn"] == prod and started["stateMachineVersionArn"] == v1
    through_version = finished(sfn, sfn.start_execution(stateMachineArn=v2)["executionArn"])
    assert json.loads(through_version["output"]) == "two"
    assert through_version["stateMachineVersionArn"] == v2 and "stateMachineAliasArn" not in through_version
    plain = finished(sfn, sfn.start_execution(stateMachineArn=machine)["executionArn"])
    assert "stateMachineVersionArn" not in plain and "stateMachineAliasArn" not in plain
    # ListExecutions with the alias ARN lists what ran through it.
    listed = sfn.list_executions(stateMachineArn=prod)["executions"]
    assert [e["executionArn"] for e in listed] == [through_alias]

    # Weighted routing: all traffic moves to v2 with weights 0/100.
    sfn.update_state_machine_alias(stateMachineAliasArn=prod, routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 0}, {"stateMachineVersionArn": v2, "weight": 100}])
    for _ in range(3):
        assert json.loads(finished(sfn, sfn.start_execution(stateMachineArn=prod)["executionArn"])["output"]) == "two"
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]] == [prod]

    # Errors: weights not summing to 100, a missing version, an alias name of digits only,
    # deleting a version an alias routes to, an unknown alias.
    assert error_of(sfn.create_state_machine_alias, name="BAD", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 50}, {"stateMachineVersionArn": v2, "weight": 40}]) == "ValidationException"
    assert error_of(sfn.create_state_machine_alias, name="BAD",
                    routingConfiguration=[{"stateMachineVersionArn": f"{machine}:9", "weight": 100}]) == "ResourceNotFound"
    assert error_of(sfn.create_state_machine_alias, name="123",
                    routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]) == "InvalidName"
    assert error_of(sfn.delete_state_machine_version, stateMachineVersionArn=v2) == "ConflictException"
    assert error_of(sfn.describe_state_machine_alias, stateMachineAliasArn=f"{machine}:NOPE") == "ResourceNotFound"
    assert error_of(sfn.start_execution, stateMachineArn=f"{machine}:NOPE") == "ResourceNotFound"
    sfn.delete_state_machine_alias(stateMachineAliasArn=prod)
    assert error_of(sfn.describe_state_machine_alias, stateMachineAliasArn=prod) == "ResourceNotFound"
    sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    # Deleting the machine takes its versions and aliases with it.
    sfn.create_state_machine_alias(name="GONE", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
    sfn.delete_state_machine(stateMachineArn=machine)
    assert error_of(sfn.describe_state_machine_alias, stateMachineAliasArn=f"{machine}:GONE") == "ResourceNotFound"


def test_versions_and_aliases_survive_a_restart(fresh_server):
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    machine = sfn.create_state_machine(name="durable-versions", definition=definition("kept"), roleArn=ROLE,
                                       publish=True, versionDescription="kept")["stateMachineArn"]
    prod = sfn.create_state_machine_alias(name="PROD", routingConfiguration=[
        {"stateMachineVersionArn": f"{machine}:1", "weight": 100}])["stateMachineAliasArn"]
    execution = sfn.start_execution(stateMachineArn=prod)["executionArn"]
    finished(sfn, execution)
    revision = sfn.describe_state_machine(stateMachineArn=machine)["revisionId"]
    fresh_server.stop()
    fresh_server.start()
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    # The revisionId is the same after the restart, so a pipeline's precondition still holds.
    assert sfn.describe_state_machine(stateMachineArn=machine)["revisionId"] == revision
    assert sfn.describe_state_machine(stateMachineArn=f"{machine}:1")["revisionId"] == revision
    assert sfn.describe_state_machine(stateMachineArn=f"{machine}:1")["description"] == "kept"
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=prod)["routingConfiguration"][0]["weight"] == 100
    described = sfn.describe_execution(executionArn=execution)
    assert described["stateMachineAliasArn"] == prod and described["stateMachineVersionArn"] == f"{machine}:1"
    # The next version number continues after the restart.
    updated = sfn.update_state_machine(stateMachineArn=machine, definition=definition("next"), publish=True)
    assert updated["stateMachineVersionArn"] == f"{machine}:2"
    assert json.loads(finished(sfn, sfn.start_execution(stateMachineArn=prod)["executionArn"])["output"]) == "kept"


def test_rules_targeting_a_version_or_an_alias(endpoint, sfn):
    """An EventBridge rule whose target is a version or alias ARN starts that version, as
    StartExecution with the qualified ARN does; a version or alias that is not there fails the
    delivery as a missing state machine does (dead-lettered with ResourceNotFoundException)."""
    events = make_client("events", endpoint)
    sqs = make_client("sqs", endpoint)
    machine = sfn.create_state_machine(name="rule-versioned", definition=definition("one"), roleArn=ROLE,
                                       publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=definition("two"))
    v1 = f"{machine}:1"
    prod = sfn.create_state_machine_alias(name="PROD", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"]
    dlq_url = sqs.create_queue(QueueName="rule-versioned-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    no_retry = {"RetryPolicy": {"MaximumRetryAttempts": 0}, "DeadLetterConfig": {"Arn": dlq_arn}}
    for rule, target in [("by-version", v1), ("by-alias", prod), ("by-missing-version", f"{machine}:9"),
                         ("by-missing-alias", f"{machine}:GONE")]:
        events.put_rule(Name=rule, EventPattern=json.dumps({"source": [f"rv.{rule}"]}))
        events.put_targets(Rule=rule, Targets=[{"Id": "t", "Arn": target, **no_retry}])
    put = events.put_events(Entries=[{"Source": f"rv.{rule}", "DetailType": "X", "Detail": "{}"}
                                     for rule in ("by-version", "by-alias", "by-missing-version", "by-missing-alias")])
    assert put["FailedEntryCount"] == 0
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert len(executions) == 2
    described = [finished(sfn, e["executionArn"]) for e in executions]
    assert all(json.loads(d["output"]) == "one" and d["stateMachineVersionArn"] == v1 for d in described)
    assert sorted(d.get("stateMachineAliasArn", "") for d in described) == ["", prod]
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=prod)["executions"]] == \
        [d["executionArn"] for d in described if d.get("stateMachineAliasArn") == prod]
    codes = []
    deadline = time.monotonic() + 30
    while len(codes) < 2 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1, MaxNumberOfMessages=10,
                                           MessageAttributeNames=["All"]).get("Messages", []):
            codes.append(message["MessageAttributes"]["ERROR_CODE"]["StringValue"])
    assert codes == ["ResourceNotFoundException", "ResourceNotFoundException"]
