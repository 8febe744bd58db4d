"""EventBridge through the AWS CLI: every operation and its errors, as a user would type them."""
import json
import uuid

from conftest import ACCOUNT, REGION, aws_cli, make_client


def run(endpoint, *args):
    out = aws_cli(endpoint, "events", *args).stdout
    return json.loads(out) if out.strip() else {}


def fails(endpoint, *args):
    result = aws_cli(endpoint, "events", *args, check=False)
    assert result.returncode != 0, result.stdout
    return result.stderr


def test_cli_every_operation(endpoint):
    suffix = uuid.uuid4().hex[:8]
    bus, rule, qname = f"cli-bus-{suffix}", f"cli-rule-{suffix}", f"cli-q-{suffix}"
    sqs = make_client("sqs", endpoint)
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    qarn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"

    bus_arn = run(endpoint, "create-event-bus", "--name", bus)["EventBusArn"]
    assert bus_arn.endswith(f":event-bus/{bus}")
    assert run(endpoint, "describe-event-bus", "--name", bus)["Name"] == bus
    assert bus in [b["Name"] for b in run(endpoint, "list-event-buses", "--name-prefix", bus)["EventBuses"]]
    assert "ResourceAlreadyExistsException" in fails(endpoint, "create-event-bus", "--name", bus)

    pattern = json.dumps({"source": ["cli"], "detail": {"kind": [{"anything-but": "ignored"}]}})
    rule_arn = run(endpoint, "put-rule", "--name", rule, "--event-bus-name", bus, "--event-pattern", pattern)["RuleArn"]
    assert rule_arn.endswith(f":rule/{bus}/{rule}")
    assert run(endpoint, "describe-rule", "--name", rule, "--event-bus-name", bus)["State"] == "ENABLED"
    run(endpoint, "disable-rule", "--name", rule, "--event-bus-name", bus)
    assert run(endpoint, "list-rules", "--event-bus-name", bus)["Rules"][0]["State"] == "DISABLED"
    run(endpoint, "enable-rule", "--name", rule, "--event-bus-name", bus)
    assert "InvalidEventPatternException" in fails(endpoint, "put-rule", "--name", rule, "--event-pattern", '{"source":"x"}')
    assert "ResourceNotFoundException" in fails(endpoint, "describe-rule", "--name", f"ghost-{suffix}")

    targets = json.dumps([{"Id": "q", "Arn": qarn}])
    assert run(endpoint, "put-targets", "--rule", rule, "--event-bus-name", bus, "--targets", targets)["FailedEntryCount"] == 0
    assert run(endpoint, "list-targets-by-rule", "--rule", rule, "--event-bus-name", bus)["Targets"][0]["Arn"] == qarn
    assert run(endpoint, "list-rule-names-by-target", "--target-arn", qarn, "--event-bus-name", bus)["RuleNames"] == [rule]
    assert "ValidationException" in fails(endpoint, "delete-rule", "--name", rule, "--event-bus-name", bus)

    entries = json.dumps([{"Source": "cli", "DetailType": "t", "Detail": '{"kind":"real"}', "EventBusName": bus},
                          {"Source": "cli", "DetailType": "t", "Detail": '{"kind":"ignored"}', "EventBusName": bus}])
    put = run(endpoint, "put-events", "--entries", entries)
    assert put["FailedEntryCount"] == 0 and len(put["Entries"]) == 2
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
    assert [json.loads(m["Body"])["detail"]["kind"] for m in messages] == ["real"]

    event = json.dumps({"id": "1", "account": ACCOUNT, "source": "cli", "time": "2024-01-01T00:00:00Z",
                        "region": REGION, "detail-type": "t", "detail": {}})
    assert run(endpoint, "test-event-pattern", "--event-pattern", '{"source":["cli"]}', "--event", event)["Result"] is True
    assert "ValidationException" in fails(endpoint, "test-event-pattern", "--event-pattern", '{"source":["cli"]}', "--event", "{}")

    run(endpoint, "tag-resource", "--resource-arn", bus_arn, "--tags", "Key=team,Value=ops")
    assert run(endpoint, "list-tags-for-resource", "--resource-arn", bus_arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    run(endpoint, "untag-resource", "--resource-arn", bus_arn, "--tag-keys", "team")
    assert run(endpoint, "list-tags-for-resource", "--resource-arn", bus_arn)["Tags"] == []

    removed = run(endpoint, "remove-targets", "--rule", rule, "--event-bus-name", bus, "--ids", "q", "ghost")
    assert removed["FailedEntryCount"] == 1
    run(endpoint, "delete-rule", "--name", rule, "--event-bus-name", bus)
    run(endpoint, "delete-event-bus", "--name", bus)
    assert "ResourceNotFoundException" in fails(endpoint, "describe-event-bus", "--name", bus)
    assert "ValidationException" in fails(endpoint, "delete-event-bus", "--name", "default")
    sqs.delete_queue(QueueUrl=url)
