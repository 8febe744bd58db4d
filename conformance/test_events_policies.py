"""EventBridge resource policies through boto3 (issue #18): PutPermission (parameters or a whole
Policy document) and RemovePermission (one statement or all), returned by DescribeEventBus and
ListEventBuses as AWS renders the policy, durable across a kill -9, and AWS's errors with
nothing changed by a refused call."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, code, make_client, message, uniq


def bus_name():
    return uniq("pol")


@pytest.fixture
def bus(events):
    name = bus_name()
    events.create_event_bus(Name=name)
    yield name
    events.delete_event_bus(Name=name)


def policy_of(events, name):
    described = events.describe_event_bus(Name=name)
    return json.loads(described["Policy"]) if "Policy" in described else None


def arn(name):
    return f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}"


def test_put_permission_renders_statements_as_aws(events, bus):
    assert policy_of(events, bus) is None
    events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="111122223333", StatementId="acct")
    events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="*", StatementId="org",
                          Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-abc123"})
    assert policy_of(events, bus) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "acct", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "events:PutEvents", "Resource": arn(bus)},
            {"Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": arn(bus),
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}},
        ],
    }
    # The same statement id again replaces that statement in place.
    events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="444455556666", StatementId="acct")
    statements = policy_of(events, bus)["Statement"]
    assert [s["Sid"] for s in statements] == ["acct", "org"]
    assert statements[0]["Principal"] == {"AWS": "arn:aws:iam::444455556666:root"}
    listed = [b for b in events.list_event_buses(NamePrefix=bus)["EventBuses"] if b["Name"] == bus]
    assert json.loads(listed[0]["Policy"]) == policy_of(events, bus)


def test_default_bus_when_no_name_is_given(events):
    events.put_permission(Action="events:PutEvents", Principal="210987654321", StatementId="default-test")
    try:
        sids = [s["Sid"] for s in policy_of(events, "default")["Statement"]]
        assert "default-test" in sids
    finally:
        events.remove_permission(StatementId="default-test")
    policy = policy_of(events, "default")
    assert policy is None or "default-test" not in [s["Sid"] for s in policy["Statement"]]


def test_remove_permission_one_and_all(events, bus):
    for sid, account in [("a", "111111111111"), ("b", "222222222222"), ("c", "333333333333")]:
        events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal=account, StatementId=sid)
    events.remove_permission(EventBusName=bus, StatementId="b")
    assert [s["Sid"] for s in policy_of(events, bus)["Statement"]] == ["a", "c"]
    events.remove_permission(EventBusName=bus, RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus(Name=bus)
    # Removing everything from a bus without a policy is not an error.
    events.remove_permission(EventBusName=bus, RemoveAllPermissions=True)


def test_whole_policy_document_replaces_the_policy(events, bus):
    events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="111111111111", StatementId="old")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "DevAccountAccess", "Effect": "Allow", "Principal": {"AWS": "123456789012"},
                       "Action": ["events:PutEvents", "events:PutRule"], "Resource": arn(bus)}],
    }
    events.put_permission(EventBusName=bus, Policy=json.dumps(document))
    assert policy_of(events, bus) == document
    events.remove_permission(EventBusName=bus, StatementId="DevAccountAccess")
    assert "Policy" not in events.describe_event_bus(Name=bus)


def test_errors_change_nothing(events, bus):
    events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="111111111111", StatementId="keep")
    before = policy_of(events, bus)
    put = dict(EventBusName=bus, Action="events:PutEvents", Principal="222222222222", StatementId="new")
    cases = [
        (dict(put, EventBusName="no-such-bus"), "ResourceNotFoundException", "Event bus no-such-bus does not exist."),
        (dict(put, Action="events:PutRule"), "ValidationException",
         "Provided value in parameter 'action' is not supported."),
        (dict(put, Principal="12345"), "ValidationException",
         "1 validation error detected: Value '12345' at 'principal' failed to satisfy constraint: "
         "Member must satisfy regular expression pattern: (\\d{12}|\\*)"),
        (dict(put, StatementId="bad id!"), "ValidationException", None),
        (dict(put, Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-1"}),
         "ValidationException", "Value of the parameter 'principal' must be '*' when the parameter 'condition' is set."),
        (dict(put, Principal="*", Condition={"Type": "StringLike", "Key": "aws:PrincipalOrgID", "Value": "o-1"}),
         "ValidationException", None),
        ({k: v for k, v in put.items() if k != "StatementId"}, "ValidationException", None),
        (dict(EventBusName=bus, Policy="{not json"), "ValidationException", "This policy contains invalid Json"),
        (dict(EventBusName=bus, Policy=json.dumps({"Version": "2012-10-17"})), "ValidationException", None),
        (dict(put, Policy=json.dumps({"Statement": []})), "ValidationException", None),
    ]
    for params, expected_code, expected_message in cases:
        with pytest.raises(ClientError) as e:
            events.put_permission(**params)
        assert code(e) == expected_code, (params, e.value.response["Error"])
        if expected_message:
            assert message(e) == expected_message
    big = {"Statement": [{"Sid": f"s{i}", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
                          "Resource": arn(bus) + "x" * 200} for i in range(60)]}
    with pytest.raises(ClientError) as e:
        events.put_permission(EventBusName=bus, Policy=json.dumps(big))
    assert code(e) == "PolicyLengthExceededException"
    removals = [
        (dict(EventBusName=bus, StatementId="ghost"), "Statement with the provided id does not exist."),
        (dict(EventBusName="no-such-bus", StatementId="keep"), "Event bus no-such-bus does not exist."),
    ]
    for params, expected_message in removals:
        with pytest.raises(ClientError) as e:
            events.remove_permission(**params)
        assert code(e) == "ResourceNotFoundException" and message(e) == expected_message
    with pytest.raises(ClientError) as e:
        events.remove_permission(EventBusName=bus)
    assert code(e) == "ValidationException"
    assert policy_of(events, bus) == before


def test_remove_permission_on_a_bus_without_policy(events, bus):
    with pytest.raises(ClientError) as e:
        events.remove_permission(EventBusName=bus, StatementId="any")
    assert code(e) == "ResourceNotFoundException"
    assert message(e) == "EventBus does not have a policy."


def test_policy_survives_kill9_and_goes_with_the_bus(fresh_server):
    events = make_client("events", fresh_server.endpoint)
    name = bus_name()
    events.create_event_bus(Name=name)
    events.put_permission(EventBusName=name, Action="events:PutEvents", Principal="111122223333", StatementId="durable")
    expected = policy_of(events, name)
    fresh_server.kill9()
    fresh_server.start()
    events = make_client("events", fresh_server.endpoint)
    assert policy_of(events, name) == expected
    events.delete_event_bus(Name=name)
    events.create_event_bus(Name=name)
    assert "Policy" not in events.describe_event_bus(Name=name)
