"""Regions and accounts: a request acts in the region it signed for and the account of its key.

The same queue name in two regions is two queues with regional URLs and ARNs; listings are
per region; buses, rules, state machines and namespaces of eu-west-1 are invisible from
us-east-1; with `--auth`, two keys of two accounts each see only their own; a rule's bus target
in another account (when its policy allows the sender) or region delivers there, and so does a
queue target in another account of the same region (when the queue's policy lets the rule in),
while a queue of another region is refused at PutTargets; a region's data survives kill -9; the
live stream serves a region's events with `?region=`."""
import json
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, Server

OTHER = "eu-west-1"
ACCOUNT_B = "111122223333"


def client(service, endpoint, region, key="AKIDSIGNALBOX", secret="signalbox-secret"):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}, inject_host_prefix=False))


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_code(call):
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"]


def wait_for_message(sqs, url, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        if messages:
            return messages[0]
    raise AssertionError(f"no message arrived on {url}")


def test_same_queue_name_in_two_regions_is_two_queues(endpoint):
    home, away = client("sqs", endpoint, REGION), client("sqs", endpoint, OTHER)
    name = unique("twin")
    home_url = home.create_queue(QueueName=name)["QueueUrl"]
    away_url = away.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
    assert home_url == f"{endpoint}/{ACCOUNT}/{name}"
    assert away_url == f"{endpoint}/queue/{OTHER}/{ACCOUNT}/{name}"
    assert home.get_queue_attributes(QueueUrl=home_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"] \
        == f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    attributes = away.get_queue_attributes(QueueUrl=away_url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == f"arn:aws:sqs:{OTHER}:{ACCOUNT}:{name}"
    assert attributes["VisibilityTimeout"] == "7"
    assert home.get_queue_url(QueueName=name)["QueueUrl"] == home_url
    assert away.get_queue_url(QueueName=name)["QueueUrl"] == away_url
    away.send_message(QueueUrl=away_url, MessageBody="in eu-west-1")
    assert "Messages" not in home.receive_message(QueueUrl=home_url)
    assert away.receive_message(QueueUrl=away_url)["Messages"][0]["Body"] == "in eu-west-1"
    home.delete_queue(QueueUrl=home_url)
    away.delete_queue(QueueUrl=away_url)


def test_metrics_keep_a_queue_name_in_two_regions_apart(endpoint):
    home, away = client("sqs", endpoint, REGION), client("sqs", endpoint, OTHER)
    name = unique("gauged")
    home_url = home.create_queue(QueueName=name)["QueueUrl"]
    away_url = away.create_queue(QueueName=name)["QueueUrl"]
    home.send_message(QueueUrl=home_url, MessageBody="one")
    for body in ("two", "three"):
        away.send_message(QueueUrl=away_url, MessageBody=body)
    text = urllib.request.urlopen(f"{endpoint}/metrics", timeout=10).read().decode()
    visible = {line.rsplit(" ", 1)[0]: line.rsplit(" ", 1)[1] for line in text.splitlines()
               if line.startswith("signalbox_sqs_messages{") and f'queue="{name}"' in line and 'state="visible"' in line}
    assert len(visible) == 2, visible
    by_region = {next(part.split("=")[1].strip('"') for part in series.strip("}").split("{")[1].split(",")
                      if part.startswith("region=")): float(value) for series, value in visible.items()}
    assert by_region == {REGION: 1, OTHER: 2}
    assert all(f'account="{ACCOUNT}"' in series for series in visible)
    home.delete_queue(QueueUrl=home_url)
    away.delete_queue(QueueUrl=away_url)


def test_listing_and_lookup_are_per_region(endpoint):
    home, away = client("sqs", endpoint, REGION), client("sqs", endpoint, OTHER)
    prefix = unique("listed")
    url = away.create_queue(QueueName=f"{prefix}-a")["QueueUrl"]
    assert away.list_queues(QueueNamePrefix=prefix)["QueueUrls"] == [url]
    assert "QueueUrls" not in home.list_queues(QueueNamePrefix=prefix)
    assert error_code(lambda: home.get_queue_url(QueueName=f"{prefix}-a")) == "AWS.SimpleQueueService.NonExistentQueue"
    # eu-west-1's URL does not reach the queue from us-east-1.
    assert error_code(lambda: home.send_message(QueueUrl=url, MessageBody="x")) \
        == "AWS.SimpleQueueService.NonExistentQueue"
    away.delete_queue(QueueUrl=url)


def test_buses_rules_machines_and_namespaces_are_regional(endpoint):
    home_events, away_events = client("events", endpoint, REGION), client("events", endpoint, OTHER)
    bus, rule = unique("bus"), unique("rule")
    arn = away_events.create_event_bus(Name=bus)["EventBusArn"]
    assert arn == f"arn:aws:events:{OTHER}:{ACCOUNT}:event-bus/{bus}"
    rule_arn = away_events.put_rule(Name=rule, EventBusName=bus, EventPattern='{"source":["x"]}')["RuleArn"]
    assert rule_arn == f"arn:aws:events:{OTHER}:{ACCOUNT}:rule/{bus}/{rule}"
    assert error_code(lambda: home_events.describe_event_bus(Name=bus)) == "ResourceNotFoundException"
    assert error_code(lambda: home_events.describe_rule(Name=rule, EventBusName=bus)) == "ResourceNotFoundException"
    assert bus not in [b["Name"] for b in home_events.list_event_buses()["EventBuses"]]
    assert bus in [b["Name"] for b in away_events.list_event_buses()["EventBuses"]]
    # Each region has its own default bus, with its own ARN.
    assert away_events.describe_event_bus()["Arn"] == f"arn:aws:events:{OTHER}:{ACCOUNT}:event-bus/default"

    home_sfn, away_sfn = client("stepfunctions", endpoint, REGION), client("stepfunctions", endpoint, OTHER)
    machine = unique("machine")
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    machine_arn = away_sfn.create_state_machine(
        name=machine, definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT}:role/r")["stateMachineArn"]
    assert machine_arn == f"arn:aws:states:{OTHER}:{ACCOUNT}:stateMachine:{machine}"
    execution = away_sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    assert execution.startswith(f"arn:aws:states:{OTHER}:{ACCOUNT}:execution:{machine}:")
    assert error_code(lambda: home_sfn.describe_state_machine(stateMachineArn=machine_arn)) == "StateMachineDoesNotExist"
    assert machine not in [m["name"] for m in home_sfn.list_state_machines()["stateMachines"]]
    assert error_code(lambda: home_sfn.describe_execution(executionArn=execution)) == "ExecutionDoesNotExist"

    home_map, away_map = client("servicediscovery", endpoint, REGION), client("servicediscovery", endpoint, OTHER)
    namespace = unique("ns")
    operation = away_map.create_http_namespace(Name=namespace)["OperationId"]
    assert away_map.get_operation(OperationId=operation)["Operation"]["Status"] == "SUCCESS"
    away_names = [n["Name"] for n in away_map.list_namespaces()["Namespaces"]]
    home_names = [n["Name"] for n in home_map.list_namespaces()["Namespaces"]]
    assert namespace in away_names and namespace not in home_names
    [listed] = [n for n in away_map.list_namespaces()["Namespaces"] if n["Name"] == namespace]
    assert listed["Arn"].startswith(f"arn:aws:servicediscovery:{OTHER}:{ACCOUNT}:namespace/")

    away_sfn.delete_state_machine(stateMachineArn=machine_arn)
    away_events.delete_rule(Name=rule, EventBusName=bus)
    away_events.delete_event_bus(Name=bus)


@pytest.fixture
def two_accounts(tmp_path):
    """A server with `--auth`: AKIDA acts in the default account, AKIDB in 111122223333."""
    auth = tmp_path / "auth"
    auth.write_text(f"AKIDA secret-a\nAKIDB secret-b {ACCOUNT_B}\n")
    srv = Server(tmp_path / "data", ["--auth", str(auth)])
    endpoint = srv.start()
    yield endpoint, srv
    srv.stop()


def test_each_account_sees_only_its_own(two_accounts):
    endpoint, _ = two_accounts
    a = client("sqs", endpoint, REGION, "AKIDA", "secret-a")
    b = client("sqs", endpoint, REGION, "AKIDB", "secret-b")
    url_a = a.create_queue(QueueName="shared-name")["QueueUrl"]
    url_b = b.create_queue(QueueName="shared-name")["QueueUrl"]
    assert url_a == f"{endpoint}/{ACCOUNT}/shared-name"
    assert url_b == f"{endpoint}/{ACCOUNT_B}/shared-name"
    assert b.get_queue_attributes(QueueUrl=url_b, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"] \
        == f"arn:aws:sqs:{REGION}:{ACCOUNT_B}:shared-name"
    assert a.list_queues()["QueueUrls"] == [url_a]
    assert b.list_queues()["QueueUrls"] == [url_b]
    assert error_code(lambda: b.send_message(QueueUrl=url_a, MessageBody="x")) \
        == "AWS.SimpleQueueService.NonExistentQueue"
    events_b = client("events", endpoint, REGION, "AKIDB", "secret-b")
    assert events_b.describe_event_bus()["Arn"] == f"arn:aws:events:{REGION}:{ACCOUNT_B}:event-bus/default"


def test_a_bus_target_in_another_account_delivers_when_its_policy_allows(two_accounts):
    endpoint, _ = two_accounts
    events_a = client("events", endpoint, REGION, "AKIDA", "secret-a")
    events_b = client("events", endpoint, REGION, "AKIDB", "secret-b")
    sqs_a = client("sqs", endpoint, REGION, "AKIDA", "secret-a")
    sqs_b = client("sqs", endpoint, REGION, "AKIDB", "secret-b")
    bus = events_b.create_event_bus(Name="central")["EventBusArn"]
    # Before B's bus lets account A put events, A's delivery is refused and dead-lettered.
    dlq = sqs_a.create_queue(QueueName="refused")["QueueUrl"]
    events_a.put_rule(Name="early", EventPattern='{"source":["early"]}')
    events_a.put_targets(Rule="early", Targets=[{"Id": "central", "Arn": bus, "DeadLetterConfig": {
        "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:refused"}}])
    events_a.put_events(Entries=[{"Source": "early", "DetailType": "t", "Detail": "{}"}])
    refused = sqs_a.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"], WaitTimeSeconds=10)["Messages"][0]
    assert refused["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "AccessDeniedException"
    assert json.loads(refused["Body"])["source"] == "early"
    events_b.put_permission(EventBusName="central", Action="events:PutEvents", Principal=ACCOUNT, StatementId="from-a")
    assert bus == f"arn:aws:events:{REGION}:{ACCOUNT_B}:event-bus/central"
    landed = sqs_b.create_queue(QueueName="landed")["QueueUrl"]
    events_b.put_rule(Name="collect", EventBusName="central", EventPattern='{"source":["shop"]}')
    events_b.put_targets(Rule="collect", EventBusName="central",
                         Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT_B}:landed"}])
    events_a.put_rule(Name="forward", EventPattern='{"source":["shop"]}')
    events_a.put_targets(Rule="forward", Targets=[{"Id": "central", "Arn": bus}])
    put = events_a.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": '{"n":1}'}])
    assert put["FailedEntryCount"] == 0
    event = json.loads(wait_for_message(sqs_b, landed)["Body"])
    # It arrives as it was put: the sender's account and region, its own id.
    assert event["account"] == ACCOUNT and event["region"] == REGION
    assert event["id"] == put["Entries"][0]["EventId"]
    assert event["detail"] == {"n": 1}


def put_and_dead_letter(events, sqs, dlq_url, source):
    """Puts one event and returns the message its refused delivery left on `dlq_url`."""
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}"}])
    return wait_for_message_with_attributes(sqs, dlq_url)


def wait_for_message_with_attributes(sqs, url, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"]).get("Messages", [])
        if messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
            return messages[0]
    raise AssertionError(f"no message arrived on {url}")


def test_a_queue_target_in_another_account_delivers_when_its_policy_lets_the_rule_in(two_accounts):
    endpoint, _ = two_accounts
    events_a = client("events", endpoint, REGION, "AKIDA", "secret-a")
    sqs_a = client("sqs", endpoint, REGION, "AKIDA", "secret-a")
    sqs_b = client("sqs", endpoint, REGION, "AKIDB", "secret-b")
    inbox = sqs_b.create_queue(QueueName="inbox")["QueueUrl"]
    inbox_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_B}:inbox"
    dlq = sqs_a.create_queue(QueueName="undelivered")["QueueUrl"]
    dlq_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:undelivered"
    rule_arn = events_a.put_rule(Name="to-b", EventPattern='{"source":["shop"]}')["RuleArn"]
    other_rule_arn = events_a.put_rule(Name="also-to-b", EventPattern='{"source":["other"]}')["RuleArn"]
    for rule in ("to-b", "also-to-b"):
        put = events_a.put_targets(Rule=rule, Targets=[{"Id": "inbox", "Arn": inbox_arn,
                                                        "DeadLetterConfig": {"Arn": dlq_arn}}])
        assert put["FailedEntryCount"] == 0

    # No policy on B's queue: the delivery is refused, not retried, and dead-lettered in A.
    refused = put_and_dead_letter(events_a, sqs_a, dlq, "shop")
    attributes = {name: value["StringValue"] for name, value in refused["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "AccessDenied"
    assert attributes["ERROR_MESSAGE"] == f"Access to the resource {inbox_arn} is denied."
    assert attributes["RULE_ARN"] == rule_arn and attributes["TARGET_ARN"] == inbox_arn
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert json.loads(refused["Body"])["source"] == "shop"

    # A policy letting EventBridge in for the rule `to-b` only, as AWS's documentation writes it.
    sqs_b.set_queue_attributes(QueueUrl=inbox, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "from-rule", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                       "Action": "sqs:SendMessage", "Resource": inbox_arn,
                       "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]})})
    put = events_a.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": '{"n":2}'}])
    event = json.loads(wait_for_message(sqs_b, inbox)["Body"])
    assert event["id"] == put["Entries"][0]["EventId"]
    assert event["account"] == ACCOUNT and event["detail"] == {"n": 2}
    # Another rule of the same account is not the one the condition names.
    refused = put_and_dead_letter(events_a, sqs_a, dlq, "other")
    assert refused["MessageAttributes"]["RULE_ARN"]["StringValue"] == other_rule_arn
    assert refused["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "AccessDenied"


def test_a_queue_target_in_another_account_delivers_to_an_account_grant_and_retries_a_missing_queue(two_accounts):
    endpoint, _ = two_accounts
    events_a = client("events", endpoint, REGION, "AKIDA", "secret-a")
    sqs_b = client("sqs", endpoint, REGION, "AKIDB", "secret-b")
    events_a.put_rule(Name="early", EventPattern='{"source":["early"]}')
    events_a.put_targets(Rule="early", Targets=[{"Id": "later", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT_B}:later"}])
    # The queue does not exist yet: the delivery waits in A's outbox and is retried.
    put = events_a.put_events(Entries=[{"Source": "early", "DetailType": "t", "Detail": "{}"}])
    time.sleep(1.5)
    later = sqs_b.create_queue(QueueName="later")["QueueUrl"]
    sqs_b.add_permission(QueueUrl=later, Label="account-a", AWSAccountIds=[ACCOUNT], Actions=["SendMessage"])
    event = json.loads(wait_for_message(sqs_b, later, timeout=30)["Body"])
    assert event["id"] == put["Entries"][0]["EventId"] and event["account"] == ACCOUNT


def test_a_queue_target_in_another_region_is_refused_at_put_targets(two_accounts):
    endpoint, _ = two_accounts
    events_a = client("events", endpoint, REGION, "AKIDA", "secret-a")
    events_a.put_rule(Name="abroad", EventPattern='{"source":["x"]}')
    for arn in (f"arn:aws:sqs:{OTHER}:{ACCOUNT}:q", f"arn:aws:sqs:{OTHER}:{ACCOUNT_B}:q"):
        with pytest.raises(ClientError) as error:
            events_a.put_targets(Rule="abroad", Targets=[{"Id": "q", "Arn": arn}])
        assert error.value.response["Error"]["Code"] == "ValidationException"
        assert error.value.response["Error"]["Message"] == "Cross-region api call is not allowed."
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert events_a.list_targets_by_rule(Rule="abroad")["Targets"] == []


def test_a_bus_target_in_another_region_delivers(endpoint):
    home, away = client("events", endpoint, REGION), client("events", endpoint, OTHER)
    away_sqs = client("sqs", endpoint, OTHER)
    bus, queue, source = unique("regional"), unique("landed"), unique("src")
    bus_arn = away.create_event_bus(Name=bus)["EventBusArn"]
    url = away_sqs.create_queue(QueueName=queue)["QueueUrl"]
    away.put_rule(Name="collect", EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
    away.put_targets(Rule="collect", EventBusName=bus,
                     Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{OTHER}:{ACCOUNT}:{queue}"}])
    rule = unique("to-eu")
    home.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    home.put_targets(Rule=rule, Targets=[{"Id": "eu", "Arn": bus_arn}])
    home.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}"}])
    event = json.loads(wait_for_message(away_sqs, url)["Body"])
    assert event["region"] == REGION and event["source"] == source
    home.remove_targets(Rule=rule, Ids=["eu"])
    home.delete_rule(Name=rule)


def test_a_regions_data_survives_kill_9(fresh_server):
    endpoint = fresh_server.endpoint
    away = client("sqs", endpoint, OTHER)
    url = away.create_queue(QueueName="durable")["QueueUrl"]
    away.send_message(QueueUrl=url, MessageBody="acknowledged")
    fresh_server.kill9()
    endpoint = fresh_server.start()
    away = client("sqs", endpoint, OTHER)
    url = away.get_queue_url(QueueName="durable")["QueueUrl"]
    assert url == f"{endpoint}/queue/{OTHER}/{ACCOUNT}/durable"
    assert away.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "acknowledged"
    assert "QueueUrls" not in client("sqs", endpoint, REGION).list_queues(QueueNamePrefix="durable")


def test_the_stream_serves_a_region_when_asked(endpoint):
    connect = pytest.importorskip("websockets.sync.client").connect
    away = client("events", endpoint, OTHER)
    home = client("events", endpoint, REGION)
    source = unique("streamed")
    ws_base = endpoint.replace("http://", "ws://") + "/_signalbox/stream"
    with connect(f"{ws_base}?topics=events&region={OTHER}") as regional, connect(f"{ws_base}?topics=events") as default:
        for ws in (regional, default):
            assert json.loads(ws.recv(timeout=10))["type"] == "subscribed"
        home.put_events(Entries=[{"Source": source, "DetailType": "home", "Detail": "{}"}])
        away.put_events(Entries=[{"Source": source, "DetailType": "away", "Detail": "{}"}])

        def next_event(ws):
            while True:
                frame = json.loads(ws.recv(timeout=10))
                if frame["type"] == "event" and frame["data"]["event"]["source"] == source:
                    return frame["data"]["event"]

        regional_event = next_event(regional)
        assert regional_event["detail-type"] == "away" and regional_event["region"] == OTHER
        default_event = next_event(default)
        assert default_event["detail-type"] == "home" and default_event["region"] == REGION
    request = urllib.request.Request(f"{endpoint}/_signalbox/stream?account=1234")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400
