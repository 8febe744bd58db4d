"""PutRule's EventPattern beside a schedule, the default bus's times, and the partner event
source calls (not implemented: answered as AWS answers an operation it does not know)."""
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import make_client


@pytest.fixture
def events(endpoint):
    return make_client("events", endpoint)


def test_empty_pattern_beside_a_schedule_is_no_pattern(events):
    """PutRule's reference: a rule needs at least an EventPattern or a ScheduleExpression, and
    omitted members are stored as null; EventPattern "" with a schedule is a schedule rule."""
    name = f"s-{uuid.uuid4().hex[:10]}"
    events.put_rule(Name=name, ScheduleExpression="rate(5 minutes)", EventPattern="")
    try:
        rule = events.describe_rule(Name=name)
        assert rule["ScheduleExpression"] == "rate(5 minutes)"
        assert "EventPattern" not in rule
        # Updating it the same way keeps it a schedule rule.
        events.put_rule(Name=name, ScheduleExpression="rate(1 minute)", EventPattern="")
        rule = events.describe_rule(Name=name)
        assert rule["ScheduleExpression"] == "rate(1 minute)" and "EventPattern" not in rule
    finally:
        events.delete_rule(Name=name)
    # Without a schedule, "" is still a pattern, and not a valid one.
    with pytest.raises(ClientError) as error:
        events.put_rule(Name=name, EventPattern="")
    assert error.value.response["Error"]["Code"] == "InvalidEventPatternException"


def test_default_bus_reports_real_times(events):
    bus = events.describe_event_bus()
    assert bus["Name"] == "default"
    now = time.time()
    for key in ("CreationTime", "LastModifiedTime"):
        stamp = bus[key].timestamp()
        assert now - 86400 < stamp <= now + 5, (key, bus[key])


@pytest.mark.parametrize("call,kwargs", [
    ("create_partner_event_source", {"Name": "aws.partner/example.com/123/orders", "Account": "000000000000"}),
    ("describe_partner_event_source", {"Name": "aws.partner/example.com/123/orders"}),
    ("list_partner_event_sources", {"NamePrefix": "aws.partner/example.com"}),
    ("delete_partner_event_source", {"Name": "aws.partner/example.com/123/orders", "Account": "000000000000"}),
    ("list_event_sources", {}),
    ("activate_event_source", {"Name": "aws.partner/example.com/123/orders"}),
])
def test_partner_event_source_calls_are_unknown_operations(events, call, kwargs):
    with pytest.raises(ClientError) as error:
        getattr(events, call)(**kwargs)
    response = error.value.response
    assert response["Error"]["Code"] == "UnknownOperationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
