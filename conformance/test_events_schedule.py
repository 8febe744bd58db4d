"""Schedule rules through boto3: a rate(1 minute) rule sends AWS's scheduled event to its SQS
target, on a server whose schedule clock runs 60 times faster (SIGNALBOX_SCHEDULE_CLOCK_RATE),
so a schedule minute passes in a second. The next fire time survives a restart."""
import os

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, Server, make_client, receive

RATE = "60"


@pytest.fixture
def fast_server(tmp_path):
    previous = os.environ.get("SIGNALBOX_SCHEDULE_CLOCK_RATE")
    os.environ["SIGNALBOX_SCHEDULE_CLOCK_RATE"] = RATE
    srv = Server(tmp_path / "data")
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()
        if previous is None:
            os.environ.pop("SIGNALBOX_SCHEDULE_CLOCK_RATE", None)
        else:
            os.environ["SIGNALBOX_SCHEDULE_CLOCK_RATE"] = previous


def test_rate_rule_fires_scheduled_events(fast_server):
    events = make_client("events", fast_server.endpoint)
    sqs = make_client("sqs", fast_server.endpoint)
    url = sqs.create_queue(QueueName="ticks")["QueueUrl"]
    arn = events.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")["RuleArn"]
    assert arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/tick"
    assert events.describe_rule(Name="tick")["ScheduleExpression"] == "rate(1 minute)"
    events.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:ticks"}])
    got = receive(sqs, url, 3, timeout=20)
    assert len(got) >= 3
    for event in got:
        assert event["source"] == "aws.events"
        assert event["detail-type"] == "Scheduled Event"
        assert event["resources"] == [arn]
        assert event["detail"] == {}
        assert event["account"] == ACCOUNT and event["region"] == REGION
    # One schedule minute apart, in order.
    times = [event["time"] for event in got[:3]]
    assert times == sorted(times) and len(set(times)) == 3

    # Disabled: no more fires.
    events.disable_rule(Name="tick")
    receive(sqs, url, 100, timeout=2)  # drain what was in flight
    assert receive(sqs, url, 1, timeout=3) == []
    events.enable_rule(Name="tick")
    assert len(receive(sqs, url, 1, timeout=10)) == 1


def test_invalid_schedules_are_refused(fast_server):
    events = make_client("events", fast_server.endpoint)
    for bad in ["rate(1 minutes)", "rate(0 minutes)", "cron(* * * * * *)", "cron(0 12 * *)", "every minute"]:
        with pytest.raises(ClientError) as error:
            events.put_rule(Name="bad", ScheduleExpression=bad)
        assert error.value.response["Error"]["Code"] == "ValidationException", bad
    assert events.put_rule(Name="noon", ScheduleExpression="cron(0 12 * * ? *)")["RuleArn"].endswith("rule/noon")


def test_schedule_survives_restart(fast_server):
    events = make_client("events", fast_server.endpoint)
    sqs = make_client("sqs", fast_server.endpoint)
    url = sqs.create_queue(QueueName="ticks")["QueueUrl"]
    events.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
    events.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:ticks"}])
    assert len(receive(sqs, url, 1, timeout=10)) == 1
    fast_server.kill9()
    fast_server.start()
    events = make_client("events", fast_server.endpoint)
    sqs = make_client("sqs", fast_server.endpoint)
    url = sqs.get_queue_url(QueueName="ticks")["QueueUrl"]
    assert len(receive(sqs, url, 2, timeout=15)) >= 2
