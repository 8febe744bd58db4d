"""EventBridge through boto3: every operation, its error cases, and delivery to SQS."""
import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, make_client


def name(prefix="r"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def code(error):
    return error.value.response["Error"]["Code"]


@pytest.fixture
def events(endpoint):
    return make_client("events", endpoint)


def queue_arn(qname):
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"


@pytest.fixture
def queue(sqs):
    qname = name("q")
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    yield qname, url
    sqs.delete_queue(QueueUrl=url)


def receive_all(sqs, url, expected, timeout=10.0, attributes=False):
    """Receives until `expected` messages arrived (or timeout); deletes them."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        kwargs = {"MessageAttributeNames": ["All"]} if attributes else {}
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, **kwargs).get("Messages", [])
        for message in messages:
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return got


# Buses ----------------------------------------------------------------------------------------

def test_buses(events):
    default = events.describe_event_bus()
    assert default["Name"] == "default"
    assert default["Arn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    bus = name("bus")
    arn = events.create_event_bus(Name=bus, Description="orders")["EventBusArn"]
    assert arn == f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus}"
    described = events.describe_event_bus(Name=arn)
    assert described["Name"] == bus and described["Description"] == "orders"
    assert "CreationTime" in described
    assert bus in [b["Name"] for b in events.list_event_buses(NamePrefix=bus)["EventBuses"]]
    with pytest.raises(ClientError) as error:
        events.create_event_bus(Name=bus)
    assert code(error) == "ResourceAlreadyExistsException"
    events.delete_event_bus(Name=bus)
    with pytest.raises(ClientError) as error:
        events.describe_event_bus(Name=bus)
    assert code(error) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        events.delete_event_bus(Name="default")
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        events.create_event_bus(Name="bad/name")
    assert code(error) == "ValidationException"


def test_list_event_buses_pages(events):
    prefix = name("page")
    for index in range(3):
        events.create_event_bus(Name=f"{prefix}-{index}")
    seen, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = events.list_event_buses(NamePrefix=prefix, Limit=2, **kwargs)
        seen += [b["Name"] for b in page["EventBuses"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [f"{prefix}-{index}" for index in range(3)]
    for index in range(3):
        events.delete_event_bus(Name=f"{prefix}-{index}")


# Rules ----------------------------------------------------------------------------------------

def test_rules(events):
    rule = name()
    arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["orders"]}))["RuleArn"]
    assert arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}"
    described = events.describe_rule(Name=rule)
    assert described["State"] == "ENABLED"
    assert json.loads(described["EventPattern"]) == {"source": ["orders"]}
    assert described["EventBusName"] == "default"
    events.disable_rule(Name=rule)
    assert events.describe_rule(Name=rule)["State"] == "DISABLED"
    events.enable_rule(Name=rule)
    assert events.describe_rule(Name=rule)["State"] == "ENABLED"
    assert [r["Name"] for r in events.list_rules(NamePrefix=rule)["Rules"]] == [rule]
    events.delete_rule(Name=rule)
    with pytest.raises(ClientError) as error:
        events.describe_rule(Name=rule)
    assert code(error) == "ResourceNotFoundException"


def test_rule_errors(events):
    with pytest.raises(ClientError) as error:
        events.put_rule(Name=name(), EventPattern=json.dumps({"source": "orders"}))
    assert code(error) == "InvalidEventPatternException"
    assert "Event pattern is not valid" in error.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as error:
        events.put_rule(Name=name(), EventPattern="{not json")
    assert code(error) == "InvalidEventPatternException"
    with pytest.raises(ClientError) as error:
        events.put_rule(Name=name())
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        events.put_rule(Name=name(), EventPattern='{"source":["a"]}', EventBusName="no-such-bus")
    assert code(error) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        events.enable_rule(Name=name())
    assert code(error) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        events.disable_rule(Name=name())
    assert code(error) == "ResourceNotFoundException"


def test_rules_on_custom_bus(events):
    bus = name("bus")
    events.create_event_bus(Name=bus)
    rule = name()
    arn = events.put_rule(Name=rule, EventBusName=bus, EventPattern='{"source":["a"]}')["RuleArn"]
    assert arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{bus}/{rule}"
    assert [r["Name"] for r in events.list_rules(EventBusName=bus)["Rules"]] == [rule]
    events.delete_rule(Name=rule, EventBusName=bus)
    events.delete_event_bus(Name=bus)


# Targets --------------------------------------------------------------------------------------

def test_targets(events, queue):
    qname, _ = queue
    rule = name()
    events.put_rule(Name=rule, EventPattern='{"source":["a"]}')
    result = events.put_targets(Rule=rule, Targets=[
        {"Id": "q", "Arn": queue_arn(qname)},
        {"Id": "fn", "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"},
    ])
    assert result["FailedEntryCount"] == 1
    assert result["FailedEntries"][0]["TargetId"] == "fn"
    targets = events.list_targets_by_rule(Rule=rule)["Targets"]
    assert targets == [{"Id": "q", "Arn": queue_arn(qname)}]
    assert events.list_rule_names_by_target(TargetArn=queue_arn(qname))["RuleNames"] == [rule]
    with pytest.raises(ClientError) as error:
        events.delete_rule(Name=rule)
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        events.put_targets(Rule=rule, Targets=[{"Id": f"t{i}", "Arn": queue_arn(f"x{i}")} for i in range(5)])
    assert code(error) == "LimitExceededException"
    with pytest.raises(ClientError) as error:
        events.put_targets(Rule=name(), Targets=[{"Id": "q", "Arn": queue_arn(qname)}])
    assert code(error) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn(qname), "Input": "{oops"}])
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn(qname),
                                                 "RetryPolicy": {"MaximumRetryAttempts": 200}}])
    assert code(error) == "ValidationException"
    removed = events.remove_targets(Rule=rule, Ids=["q", "ghost"])
    assert removed["FailedEntryCount"] == 1
    assert removed["FailedEntries"][0]["TargetId"] == "ghost"
    events.delete_rule(Name=rule)


# Events ---------------------------------------------------------------------------------------

def test_put_events_delivers_envelope(events, sqs, queue):
    qname, url = queue
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn(qname)}])
    result = events.put_events(Entries=[
        {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 150}), "Resources": ["arn:aws:x"],
         "Time": 1700000000},
        {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 5})},
    ])
    assert result["FailedEntryCount"] == 0
    event_id = result["Entries"][0]["EventId"]
    messages = receive_all(sqs, url, 1)
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body == {"version": "0", "id": event_id, "detail-type": "OrderPlaced", "source": "shop",
                    "account": ACCOUNT, "time": "2023-11-14T22:13:20Z", "region": REGION,
                    "resources": ["arn:aws:x"], "detail": {"total": 150}}
    assert receive_all(sqs, url, 1, timeout=1.5) == []
    events.remove_targets(Rule=rule, Ids=["q"])
    events.delete_rule(Name=rule)


def test_put_events_entry_errors(events):
    result = events.put_events(Entries=[
        {"Source": "a", "DetailType": "t", "Detail": "{}"},
        {"Source": "a", "DetailType": "t", "Detail": "[1"},
        {"Source": "a", "DetailType": "t", "Detail": "{}", "EventBusName": "no-such-bus"},
        {"Source": "a", "Detail": "{}"},
    ])
    assert result["FailedEntryCount"] == 3
    entries = result["Entries"]
    assert "EventId" in entries[0]
    assert entries[1]["ErrorCode"] == "MalformedDetail"
    assert entries[2]["ErrorCode"] == "InvalidArgument"
    assert entries[3]["ErrorCode"] == "InvalidArgument"
    with pytest.raises(ClientError) as error:
        events.put_events(Entries=[{"Source": "a", "DetailType": "t", "Detail": "{}"}] * 11)
    assert code(error) == "ValidationException"
    big = json.dumps({"b": "x" * (256 * 1024)})
    with pytest.raises(ClientError) as error:
        events.put_events(Entries=[{"Source": "a", "DetailType": "t", "Detail": big}])
    assert code(error) == "ValidationException"


def test_bus_by_arn_and_bus_to_bus(events, sqs, queue):
    qname, url = queue
    bus = name("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    forward = name()
    events.put_rule(Name=forward, EventPattern='{"source":["fwd"]}')
    events.put_targets(Rule=forward, Targets=[{"Id": "bus", "Arn": bus_arn}])
    inner = name()
    events.put_rule(Name=inner, EventBusName=bus, EventPattern='{"source":["fwd","direct"]}')
    events.put_targets(Rule=inner, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn(qname)}])
    events.put_events(Entries=[{"Source": "fwd", "DetailType": "t", "Detail": "{}"},
                               {"Source": "direct", "DetailType": "t", "Detail": "{}", "EventBusName": bus_arn}])
    sources = sorted(json.loads(m["Body"])["source"] for m in receive_all(sqs, url, 2))
    assert sources == ["direct", "fwd"]
    events.remove_targets(Rule=forward, Ids=["bus"])
    events.delete_rule(Name=forward)
    events.remove_targets(Rule=inner, EventBusName=bus, Ids=["q"])
    events.delete_event_bus(Name=bus)


def test_input_transformations(events, sqs, queue):
    qname, url = queue
    rule = name()
    events.put_rule(Name=rule, EventPattern='{"source":["shape"]}')
    events.put_targets(Rule=rule, Targets=[
        {"Id": "input", "Arn": queue_arn(qname), "Input": '{"constant":1}'},
        {"Id": "path", "Arn": queue_arn(qname), "InputPath": "$.detail.order"},
        {"Id": "transform", "Arn": queue_arn(qname), "InputTransformer": {
            "InputPathsMap": {"id": "$.detail.order.id", "n": "$.detail.n"},
            "InputTemplate": '{"id":"<id>","n":<n>,"rule":"<aws.events.rule-name>"}'}},
    ])
    events.put_events(Entries=[{"Source": "shape", "DetailType": "t", "Detail": json.dumps({"order": {"id": "o-9"}, "n": 3})}])
    bodies = [json.loads(m["Body"]) for m in receive_all(sqs, url, 3)]
    assert {"constant": 1} in bodies
    assert {"id": "o-9"} in bodies
    assert {"id": "o-9", "n": 3, "rule": rule} in bodies
    events.remove_targets(Rule=rule, Ids=["input", "path", "transform"])
    events.delete_rule(Name=rule)


def test_fifo_target_and_trace_header(events, sqs):
    qname = name("f") + ".fifo"
    url = sqs.create_queue(QueueName=qname, Attributes={"FifoQueue": "true"})["QueueUrl"]
    rule = name()
    events.put_rule(Name=rule, EventPattern='{"source":["fifo"]}')
    events.put_targets(Rule=rule, Targets=[{"Id": "f", "Arn": queue_arn(qname), "SqsParameters": {"MessageGroupId": "g1"}}])
    events.put_events(Entries=[{"Source": "fifo", "DetailType": "t", "Detail": '{"n":1}', "TraceHeader": "Root=1-abc"}])
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, AttributeNames=["All"])["Messages"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "g1"
    assert messages[0]["Attributes"].get("AWSTraceHeader") == "Root=1-abc"
    events.remove_targets(Rule=rule, Ids=["f"])
    events.delete_rule(Name=rule)
    sqs.delete_queue(QueueUrl=url)


def test_dead_letter_queue(events, sqs, queue):
    dlq_name, dlq_url = queue
    rule = name()
    events.put_rule(Name=rule, EventPattern='{"source":["dlq"]}')
    events.put_targets(Rule=rule, Targets=[{
        "Id": "gone", "Arn": queue_arn(name("missing")), "RetryPolicy": {"MaximumRetryAttempts": 0},
        "DeadLetterConfig": {"Arn": queue_arn(dlq_name)}}])
    event_id = events.put_events(Entries=[{"Source": "dlq", "DetailType": "t", "Detail": "{}"}])["Entries"][0]["EventId"]
    messages = receive_all(sqs, dlq_url, 1, attributes=True)
    assert json.loads(messages[0]["Body"])["id"] == event_id
    attributes = messages[0]["MessageAttributes"]
    assert attributes["ERROR_CODE"]["StringValue"] == "QueueDoesNotExist"
    assert attributes["RULE_ARN"]["StringValue"].endswith(f":rule/{rule}")
    events.remove_targets(Rule=rule, Ids=["gone"])
    events.delete_rule(Name=rule)


def test_retry_until_queue_exists(events, sqs):
    qname = name("late")
    rule = name()
    events.put_rule(Name=rule, EventPattern='{"source":["late"]}')
    events.put_targets(Rule=rule, Targets=[{"Id": "late", "Arn": queue_arn(qname)}])
    event_id = events.put_events(Entries=[{"Source": "late", "DetailType": "t", "Detail": "{}"}])["Entries"][0]["EventId"]
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    messages = receive_all(sqs, url, 1, timeout=15)
    assert json.loads(messages[0]["Body"])["id"] == event_id
    events.remove_targets(Rule=rule, Ids=["late"])
    events.delete_rule(Name=rule)
    sqs.delete_queue(QueueUrl=url)


def test_test_event_pattern(events):
    event = json.dumps({"id": "1", "account": ACCOUNT, "source": "orders", "time": "2024-01-01T00:00:00Z",
                        "region": REGION, "detail-type": "x", "resources": [], "detail": {"ip": "10.0.0.7"}})
    assert events.test_event_pattern(EventPattern='{"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}}', Event=event)["Result"] is True
    assert events.test_event_pattern(EventPattern='{"source":[{"prefix":"pay"}]}', Event=event)["Result"] is False
    with pytest.raises(ClientError) as error:
        events.test_event_pattern(EventPattern='{"source":[{"bogus":1}]}', Event=event)
    assert code(error) == "InvalidEventPatternException"
    with pytest.raises(ClientError) as error:
        events.test_event_pattern(EventPattern='{"source":["a"]}', Event='{"source":"a"}')
    assert code(error) == "ValidationException"


def test_tags(events):
    bus = name("bus")
    arn = events.create_event_bus(Name=bus, Tags=[{"Key": "team", "Value": "orders"}])["EventBusArn"]
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"},
                                                                       {"Key": "team", "Value": "orders"}]
    events.untag_resource(ResourceARN=arn, TagKeys=["env"])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "orders"}]
    with pytest.raises(ClientError) as error:
        events.list_tags_for_resource(ResourceARN=f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name()}")
    assert code(error) == "ResourceNotFoundException"
    events.delete_event_bus(Name=bus)


def test_metrics_count_deliveries(events, endpoint):
    import urllib.request
    text = urllib.request.urlopen(f"{endpoint}/metrics").read().decode()
    assert "signalbox_events_put_total" in text
    assert 'signalbox_events_deliveries_total{outcome="delivered"}' in text
