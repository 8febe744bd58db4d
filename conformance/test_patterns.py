"""Event patterns through boto3 as AWS judges them: dotted keys, the wildcard complexity limit,
and AWS's exact wording for refused patterns, on PutRule and TestEventPattern alike.

Sources for each expectation are in Tests/PatternsTests (ErrorTests, DottedKeyTests,
ComplexityTests); here they are checked on the wire against a real `signalbox serve`.
"""
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, make_client

PREFIX = "Event pattern is not valid. Reason: "
TOO_COMPLEX = ("Rule is too complex - try using fewer wildcard characters or fewer repeating "
               "character sequences after a wildcard character")


@pytest.fixture
def events(endpoint):
    return make_client("events", endpoint)


def event(**fields):
    base = {"id": "1", "account": ACCOUNT, "source": "orders", "time": "2024-01-01T00:00:00Z",
            "region": REGION, "detail-type": "x", "resources": []}
    base.update(fields)
    return json.dumps(base)


def refused(call, **kwargs):
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    response = error.value.response["Error"]
    assert response["Code"] == "InvalidEventPatternException"
    return response["Message"]


@pytest.mark.parametrize("pattern,reason", [
    ({"detail": {"state": [{"prefx": "a"}]}}, "Unrecognized match type prefx"),
    ({"ip": [{"cidr": 10}]}, "prefix match pattern must be a string"),
    ({"ip": [{"cidr": "example.com/8"}]}, "Nonstandard IP address: example.com"),
    ({"ip": [{"cidr": "10.0.0/8"}]}, "Nonstandard IP address: 10.0.0"),
    ({"ip": [{"cidr": "1::2::3/64"}]}, "Invalid IP address: 1::2::3"),
    ({"detail": {"source": "orders"}}, '"source" must be an object or an array'),
    ({"r": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}, TOO_COMPLEX),
])
def test_refusals_carry_aws_wording(events, pattern, reason):
    text = json.dumps(pattern)
    name = f"p-{uuid.uuid4().hex[:10]}"
    assert refused(events.put_rule, Name=name, EventPattern=text) == PREFIX + reason
    assert refused(events.test_event_pattern, EventPattern=text, Event=event()) == PREFIX + reason
    # Nothing was created by the refused PutRule.
    with pytest.raises(ClientError) as error:
        events.describe_rule(Name=name)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_wildcards_within_the_limit_are_accepted(events):
    name = f"p-{uuid.uuid4().hex[:10]}"
    values = [{"wildcard": f"*:stack/{stack}/*"} for stack in ("Core", "Shared", "Data")]
    events.put_rule(Name=name, EventPattern=json.dumps({"detail": {"stack-id": values}}))
    try:
        too_many = values + [{"wildcard": "*:stack/Monitoring/*"}]
        message = refused(events.put_rule, Name=name, EventPattern=json.dumps({"detail": {"stack-id": too_many}}))
        assert message == PREFIX + TOO_COMPLEX
        # The refused update left the rule as it was.
        assert json.loads(events.describe_rule(Name=name)["EventPattern"]) == {"detail": {"stack-id": values}}
    finally:
        events.delete_rule(Name=name)


def test_dotted_keys_match_either_spelling(events):
    nested = event(detail={"state": "running"})
    dotted = event(**{"detail.state": "running"})
    for pattern in ({"detail.state": ["running"]}, {"detail": {"state": ["running"]}}):
        text = json.dumps(pattern)
        assert events.test_event_pattern(EventPattern=text, Event=nested)["Result"] is True
        assert events.test_event_pattern(EventPattern=text, Event=dotted)["Result"] is True
        assert events.test_event_pattern(EventPattern=text, Event=event(detail={"state": "stopped"}))["Result"] is False


def test_nested_pattern_meets_dotted_event_keys(events):
    """A pattern written nested sees an event that spells its path with dots, at any level,
    merged with the members the event nests; an absence needs every spelling absent."""
    pattern = json.dumps({"detail": {"a": {"b": [1]}, "other": ["y"]}})
    for spelled in ({"a.b": 1, "other": "y"}, {"a": {"b": 1}, "other": "y"}):
        assert events.test_event_pattern(EventPattern=pattern, Event=event(detail=spelled))["Result"] is True
    top = event(**{"detail.a.b": 1}, detail={"other": "y"})
    assert events.test_event_pattern(EventPattern=pattern, Event=top)["Result"] is True
    assert events.test_event_pattern(EventPattern=pattern, Event=event(detail={"a.b": 2, "other": "y"}))["Result"] is False
    absent = json.dumps({"detail": {"state": [{"exists": False}]}})
    assert events.test_event_pattern(EventPattern=absent, Event=event(detail={"other": 1}))["Result"] is True
    # An object under "state" is not a value of it (exists looks at leaves): either spelling alike.
    for spelled in ({"state.x": 1}, {"state": {"x": 1}}):
        assert events.test_event_pattern(EventPattern=absent, Event=event(detail=spelled))["Result"] is True
    assert events.test_event_pattern(EventPattern=absent, Event=event(**{"detail.state": "x"}, detail={}))["Result"] is False


def test_dotted_event_key_is_routed(events, sqs):
    """A rule written with a dotted key delivers an event whose detail nests the path, and one
    whose detail spells it "state.code"."""
    qname = f"q-{uuid.uuid4().hex[:10]}"
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    rule = f"p-{uuid.uuid4().hex[:10]}"
    try:
        events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["dots"], "detail": {"state.code": [16]}}))
        events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"}])
        result = events.put_events(Entries=[
            {"Source": "dots", "DetailType": "x", "Detail": json.dumps({"state.code": 16})},
            {"Source": "dots", "DetailType": "x", "Detail": json.dumps({"state.code": 48})},
            {"Source": "dots", "DetailType": "x", "Detail": json.dumps({"state": {"code": 16}})},
        ])
        assert result["FailedEntryCount"] == 0
        bodies = []
        for _ in range(20):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            bodies += [json.loads(m["Body"]) for m in messages]
            if len(bodies) >= 2:
                break
        details = sorted((b["detail"] for b in bodies), key=json.dumps)
        assert details == [{"state": {"code": 16}}, {"state.code": 16}]
    finally:
        events.remove_targets(Rule=rule, Ids=["q"])
        events.delete_rule(Name=rule)
        sqs.delete_queue(QueueUrl=url)


def test_nested_rule_receives_dotted_event_key(events, sqs):
    """A rule written nested delivers an event whose detail spells the path "state.code", as
    sent (the dotted key is not rewritten in the delivered event)."""
    qname = f"q-{uuid.uuid4().hex[:10]}"
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    rule = f"p-{uuid.uuid4().hex[:10]}"
    try:
        events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["nest"], "detail": {"state": {"code": [16]}}}))
        events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"}])
        result = events.put_events(Entries=[
            {"Source": "nest", "DetailType": "x", "Detail": json.dumps({"state.code": 16, "n": 1})},
            {"Source": "nest", "DetailType": "x", "Detail": json.dumps({"state.code": 48, "n": 2})},
            {"Source": "nest", "DetailType": "x", "Detail": json.dumps({"state": {"code": 16}, "n": 3})},
        ])
        assert result["FailedEntryCount"] == 0
        bodies = []
        for _ in range(20):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            bodies += [json.loads(m["Body"]) for m in messages]
            if len(bodies) >= 2:
                break
        # The non-matching event would have arrived with the others.
        late = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        bodies += [json.loads(m["Body"]) for m in late]
        details = sorted((b["detail"] for b in bodies), key=lambda d: d["n"])
        assert details == [{"state.code": 16, "n": 1}, {"state": {"code": 16}, "n": 3}]
    finally:
        events.remove_targets(Rule=rule, Ids=["q"])
        events.delete_rule(Name=rule)
        sqs.delete_queue(QueueUrl=url)
