"""Step Functions as AWS records it (issue #17's details): workflow variables read from JSONPath
states, the intrinsic functions' edge cases, the context object, and AWS's cause texts, through
boto3 against the real `signalbox serve`.

Expected values come from AWS's documentation where it gives them (the developer guide's
"Passing data between states with variables" and "Intrinsic functions" pages) and otherwise
from AWS's own recorded texts as quoted in the sources named beside each case.
"""
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, make_client

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfn"


@pytest.fixture
def sfn(endpoint):
    return make_client("stepfunctions", endpoint)


def run(sfn, name, definition, execution_input=None, timeout=30):
    """Creates the machine, runs one execution to its end, returns DescribeExecution."""
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    kwargs = {"stateMachineArn": arn}
    if execution_input is not None:
        kwargs["input"] = json.dumps(execution_input)
    execution = sfn.start_execution(**kwargs)["executionArn"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("still running")


def one_state(state, name="S"):
    return {"StartAt": name, "States": {name: state}}


def test_variables_in_jsonpath_fields(sfn):
    # The variables page: "To reference a variable, prepend the name with a dollar sign ($),
    # for example $productName"; JSONPath states read them in Parameters, ResultSelector,
    # ItemSelector, Choice rules, ...Path fields and intrinsic arguments.
    definition = {"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"productName": "product1", "count": 42, "available": True,
                                           "skus": ["a", "b"], "threshold": 10}, "Next": "Use"},
        "Use": {"Type": "Pass", "Parameters": {
            "name.$": "$productName", "count.$": "$count",
            "line.$": "States.Format('{} x{}', $productName, $count)"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$available", "BooleanEquals": True},
                     {"Variable": "$count", "NumericGreaterThanPath": "$threshold"}], "Next": "Each"}],
            "Default": "No"},
        "No": {"Type": "Fail", "Error": "NotAvailable"},
        "Each": {"Type": "Map", "ItemsPath": "$skus", "ItemSelector": {"sku.$": "$$.Map.Item.Value", "of.$": "$productName"},
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                 "ResultSelector": {"items.$": "$", "count.$": "$count"}, "End": True}}}
    described = run(sfn, "vars-jsonpath", definition, {"ignored": True})
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {
        "items": [{"sku": "a", "of": "product1"}, {"sku": "b", "of": "product1"}], "count": 42}


def test_unset_variable_and_missing_parameters_path_are_runtime_errors(sfn):
    # A missing Parameters path is States.Runtime with AWS's wording, e.g. the Step Functions
    # workshop's "An error occurred while executing the state 'Check Address' (entered at the
    # event id #7). The JSONPath '$.application.address' specified for the field 'address.$'
    # could not be found in the input '{"flagged":false}'".
    described = run(sfn, "missing-param", {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "Check Address"},
        "Check Address": {"Type": "Pass", "Parameters": {"address.$": "$.application.address"}, "End": True}}}, {"flagged": False})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"
    assert described["cause"] == ("An error occurred while executing the state 'Check Address' (entered at the event id #4). "
                                  "The JSONPath '$.application.address' specified for the field 'address.$' could not be found "
                                  "in the input '{\"flagged\":false}'")
    unset = run(sfn, "unset-var", one_state({"Type": "Pass", "Parameters": {"x.$": "$nothing"}, "End": True}))
    assert unset["error"] == "States.Runtime" and "The JSONPath '$nothing' specified for the field 'x.$'" in unset["cause"]


def test_intrinsic_edge_cases(sfn):
    parameters = {
        # Java's Math.round on each argument: 1.49 + 1.50 = 3, -1.5 + 0 = -1 (issue #17).
        "add.$": "States.MathAdd(1.49, 1.50)", "addNegative.$": "States.MathAdd(-1.5, 0)",
        # "If you specify a non-integer value for the start number or end number argument,
        # Step Functions will round it off to the nearest integer." (Intrinsic functions page)
        "random.$": "States.MathRandom(9.5, 11.4)",
        # Objects and arrays as AWS renders them in States.Format.
        "format.$": "States.Format('{}', $.args)",
        "empty.$": "States.StringToJson('')", "blank.$": "States.StringToJson(' ')",
    }
    described = run(sfn, "intrinsics", one_state({"Type": "Pass", "Parameters": parameters, "End": True}),
                    {"args": {"Arg1": 1, "Arg2": []}})
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"add": 3, "addNegative": -1, "random": 10, "format": "{Arg1=1, Arg2=[]}",
                                               "empty": None, "blank": None}


def test_illegal_escape_in_intrinsic_literal_is_refused_at_create(sfn):
    bad = one_state({"Type": "Pass", "Parameters": {"x.$": "States.Format('a\\nb')"}, "End": True})
    with pytest.raises(ClientError) as error:
        sfn.create_state_machine(name="bad-escape", definition=json.dumps(bad), roleArn=ROLE)
    assert error.value.response["Error"]["Code"] == "InvalidDefinition"
    good = one_state({"Type": "Pass", "Parameters": {"x.$": "States.Format('it\\'s \\{\\} {}', 'ok')"}, "End": True})
    assert json.loads(run(sfn, "good-escape", good)["output"]) == {"x": "it's {} ok"}


def test_context_object_paths(sfn):
    whole = run(sfn, "ctx-whole", one_state({"Type": "Pass", "InputPath": "$$", "OutputPath": "$.Execution.Input", "End": True}),
                {"a": 1})
    assert json.loads(whole["output"]) == {"a": 1}
    only = run(sfn, "ctx-input", one_state({"Type": "Pass", "Result": 5, "OutputPath": "$$.Execution.Input", "End": True}), {"b": 2})
    assert json.loads(only["output"]) == {"b": 2}
    # A Pass state's $$.State has only Name and EnteredTime (no RetryCount).
    state = run(sfn, "ctx-pass-state", one_state({"Type": "Pass", "Parameters": {"s.$": "$$.State"}, "End": True}))
    assert sorted(json.loads(state["output"])["s"]) == ["EnteredTime", "Name"]
    # Bracket notation with escaped quotes.
    quoted = run(sfn, "ctx-quotes", one_state({"Type": "Pass", "Parameters": {"v.$": "$['a\\\"b']"}, "End": True}), {"a\"b": 7})
    assert json.loads(quoted["output"]) == {"v": 7}


@pytest.mark.parametrize("name,state,execution_input,cause", [
    # AWS's texts as LocalStack and moto reproduce them from recorded executions
    # (localstack .../state_wait/wait_function/seconds_path.py and timestamp.py, moto
    # .../state_map/max_concurrency.py).
    ("secs-long", {"Type": "Wait", "SecondsPath": "$.s", "End": True}, {"s": "soon"},
     "The SecondsPath parameter cannot be parsed as a long value: $.s == soon"),
    ("secs-neg", {"Type": "Wait", "SecondsPath": "$.s", "End": True}, {"s": -1},
     "The SecondsPath parameter references a negative value: $.s == -1"),
    ("ts-bad", {"Type": "Wait", "TimestampPath": "$.t", "End": True}, {"t": "tomorrow"},
     "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == tomorrow"),
    ("wait-too-long", {"Type": "Wait", "TimestampPath": "$.t", "End": True}, {"t": "2999-01-01T00:00:00Z"},
     "Wait state delay is too long."),
    ("maxc-bad", {"Type": "Map", "MaxConcurrencyPath": "$.m", "ItemsPath": "$.i",
                  "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True},
     {"m": "x", "i": [1]}, "The MaxConcurrencyPath field refers to value \"x\" which is not a valid integer: $.m"),
    ("maxc-neg", {"Type": "Map", "MaxConcurrencyPath": "$.m", "ItemsPath": "$.i",
                  "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True},
     {"m": -2, "i": [1]}, "Expected non-negative integer for MaxConcurrency, got '-2' instead."),
    # "(entered at the event id #N)": N is the state's ...StateEntered event (2 for the first
    # state). The Jayway wording AWS passes through for InputPath/OutputPath, as
    # get-execution-history shows it: "Invalid path '$.Payload' : No results for path: $['Payload']".
    ("out-missing", {"Type": "Pass", "OutputPath": "$.Payload", "End": True}, {},
     "An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.Payload' : No results for path: $['Payload']"),
    ("in-missing", {"Type": "Pass", "InputPath": "$.a.b", "End": True}, {"a": {}},
     "An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.a.b' : No results for path: $['a']['b']"),
    ("errpath-missing", {"Type": "Fail", "ErrorPath": "$.nope"}, {"other": 1},
     "An error occurred while executing the state 'S' (entered at the event id #2). The JSONPath '$.nope' specified for the field 'ErrorPath' could not be found in the input '{\"other\":1}'"),
    ("causepath-missing", {"Type": "Fail", "Error": "E", "CausePath": "$.why"}, {},
     "An error occurred while executing the state 'S' (entered at the event id #2). The JSONPath '$.why' specified for the field 'CausePath' could not be found in the input '{}'"),
    ("choice-missing", {"Type": "Choice", "Choices": [{"Variable": "$.kind", "StringEquals": "x", "Next": "T"}], "Default": "T"}, {},
     "An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.kind': The choice state's condition path references an invalid value."),
])
def test_runtime_cause_texts(sfn, name, state, execution_input, cause):
    definition = one_state(state)
    if state["Type"] == "Choice":
        definition["States"]["T"] = {"Type": "Succeed"}
    described = run(sfn, f"cause-{name}", definition, execution_input)
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"
    assert described["cause"] == cause


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


PASS = json.dumps(one_state({"Type": "Pass", "End": True}))


def test_describe_execution_returns_the_input_as_sent(sfn):
    # moto's suite: DescribeExecution's input is the very text StartExecution sent.
    arn = sfn.create_state_machine(name="input-bytes", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    sent = '{ "b": 1,\n  "a": [1, 2.50, "x"] }'
    execution = sfn.start_execution(stateMachineArn=arn, input=sent)["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["input"] == sent
    # Starting the same name with the same JSON again is the same execution (idempotent).
    named = sfn.start_execution(stateMachineArn=arn, name="same", input=sent)
    assert sfn.describe_execution(executionArn=named["executionArn"])["input"] == sent


def test_encryption_configuration(sfn, endpoint):
    # Default: AWS_OWNED_KEY, returned by DescribeStateMachine and DescribeActivity.
    arn = sfn.create_state_machine(name="enc-default", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    key = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555"
    custom = {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key, "kmsDataKeyReusePeriodSeconds": 120}
    arn = sfn.create_state_machine(name="enc-cmk", definition=PASS, roleArn=ROLE,
                                   encryptionConfiguration=custom)["stateMachineArn"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["encryptionConfiguration"] == custom
    sfn.update_state_machine(stateMachineArn=arn, encryptionConfiguration={"type": "AWS_OWNED_KEY"})
    assert sfn.describe_state_machine(stateMachineArn=arn)["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    activity = sfn.create_activity(name="enc-activity", encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key})
    described = sfn.describe_activity(activityArn=activity["activityArn"])
    # AWS's default reuse period for a customer-managed key is 300 seconds.
    assert described["encryptionConfiguration"] == {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key,
                                                    "kmsDataKeyReusePeriodSeconds": 300}
    assert sfn.describe_activity(activityArn=sfn.create_activity(name="enc-plain")["activityArn"])["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    # "ActivityAlreadyExists: Activity already exists. EncryptionConfiguration may not be updated."
    assert error_of(sfn.create_activity, name="enc-activity", encryptionConfiguration={"type": "AWS_OWNED_KEY"})[0] == "ActivityAlreadyExists"
    # boto3 checks the enum and the range itself; the stack must too, for other clients.
    unchecked = make_client("stepfunctions", endpoint, parameter_validation=False)
    for bad in [{"type": "CUSTOMER_MANAGED_KMS_KEY"},
                {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key, "kmsDataKeyReusePeriodSeconds": 30},
                {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key, "kmsDataKeyReusePeriodSeconds": 901},
                {"type": "AWS_OWNED_KEY", "kmsKeyId": key}, {"type": "OWN_KEY"}, {"kmsKeyId": key}]:
        assert error_of(unchecked.create_state_machine, name="enc-bad", definition=PASS, roleArn=ROLE,
                        encryptionConfiguration=bad)[0] == "ValidationException", bad
        assert error_of(unchecked.create_activity, name="enc-bad", encryptionConfiguration=bad)[0] == "ValidationException", bad


def test_role_arn_shape(sfn):
    # moto's suite: "arn:aws:iam::1234:role/unknown_role" is refused (an account id has 12 digits).
    for role in ["arn:aws:iam::1234:role/unknown_role", "arn:aws:iam::0000000000000:role/x", "arn:aws:s3:::bucket",
                 f"arn:aws:iam::{ACCOUNT}:user/someone"]:
        assert error_of(sfn.create_state_machine, name="role-bad", definition=PASS, roleArn=role)[0] == "InvalidArn", role
    arn = sfn.create_state_machine(name="role-good", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    assert error_of(sfn.update_state_machine, stateMachineArn=arn, roleArn="arn:aws:iam::12:role/x")[0] == "InvalidArn"


def test_next_token_reused_with_other_parameters_is_invalid(sfn):
    arn = sfn.create_state_machine(name="tokens", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    for _ in range(3):
        sfn.start_execution(stateMachineArn=arn)
    deadline = time.monotonic() + 30
    while sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED", maxResults=10)["executions"].__len__() < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    page = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED", maxResults=1)
    token = page["nextToken"]
    # The same parameters continue the listing...
    assert len(sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED", maxResults=1, nextToken=token)["executions"]) == 1
    # ...another statusFilter, or another listing, is InvalidToken.
    assert error_of(sfn.list_executions, stateMachineArn=arn, statusFilter="FAILED", nextToken=token)[0] == "InvalidToken"
    assert error_of(sfn.list_executions, stateMachineArn=arn, nextToken=token)[0] == "InvalidToken"
    assert error_of(sfn.list_state_machines, nextToken=token)[0] == "InvalidToken"


def test_tags_on_state_machines_and_activities(sfn):
    tags = [{"key": "team", "value": "orders"}, {"key": "env", "value": "dev"}]
    machine = sfn.create_state_machine(name="tagged", definition=PASS, roleArn=ROLE, tags=tags)["stateMachineArn"]
    assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == tags
    # Tagging a known key changes it in place; a new key goes last (as moto's suite expects of AWS).
    sfn.tag_resource(resourceArn=machine, tags=[{"key": "team", "value": "payments"}, {"key": "cost", "value": "42"}])
    assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [
        {"key": "team", "value": "payments"}, {"key": "env", "value": "dev"}, {"key": "cost", "value": "42"}]
    sfn.untag_resource(resourceArn=machine, tagKeys=["team", "absent"])
    assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [{"key": "env", "value": "dev"}, {"key": "cost", "value": "42"}]
    activity = sfn.create_activity(name="tagged-activity", tags=[{"key": "k", "value": "v"}])["activityArn"]
    assert sfn.list_tags_for_resource(resourceArn=activity)["tags"] == [{"key": "k", "value": "v"}]
    sfn.tag_resource(resourceArn=activity, tags=[{"key": "k2", "value": ""}])
    assert sfn.list_tags_for_resource(resourceArn=activity)["tags"] == [{"key": "k", "value": "v"}, {"key": "k2", "value": ""}]

    # Errors: an unknown resource, more than 50 tags, a key over 128 characters, a value over 256.
    missing = machine.replace(":tagged", ":no-such-machine")
    code, message = error_of(sfn.tag_resource, resourceArn=missing, tags=tags)
    assert code == "ResourceNotFound" and missing in message
    assert error_of(sfn.untag_resource, resourceArn=missing, tagKeys=["a"])[0] == "ResourceNotFound"
    assert error_of(sfn.list_tags_for_resource, resourceArn=missing)[0] == "ResourceNotFound"
    assert error_of(sfn.tag_resource, resourceArn="arn:aws:states:us-east-1:000000000000:execution:tagged:x", tags=tags)[0] == "InvalidArn"
    many = [{"key": f"k{i}", "value": "v"} for i in range(49)]
    assert error_of(sfn.tag_resource, resourceArn=machine, tags=many)[0] == "TooManyTags"
    assert error_of(sfn.create_state_machine, name="too-many", definition=PASS, roleArn=ROLE,
                    tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])[0] == "TooManyTags"
    assert error_of(sfn.tag_resource, resourceArn=machine, tags=[{"key": "k" * 129, "value": "v"}])[0] == "ValidationException"
    assert error_of(sfn.tag_resource, resourceArn=machine, tags=[{"key": "k", "value": "v" * 257}])[0] == "ValidationException"
    # Deleting the machine takes its tags with it.
    sfn.delete_state_machine(stateMachineArn=machine)
    assert error_of(sfn.list_tags_for_resource, resourceArn=machine)[0] == "ResourceNotFound"


def test_tags_and_encryption_survive_a_restart(fresh_server):
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    key = "arn:aws:kms:us-east-1:000000000000:key/abc"
    machine = sfn.create_state_machine(name="durable", definition=PASS, roleArn=ROLE, tags=[{"key": "a", "value": "1"}],
                                       encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key})["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input='{"x" : 1}')["executionArn"]
    fresh_server.stop()
    fresh_server.start()
    sfn = make_client("stepfunctions", fresh_server.endpoint)
    assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [{"key": "a", "value": "1"}]
    assert sfn.describe_state_machine(stateMachineArn=machine)["encryptionConfiguration"]["kmsKeyId"] == key
    assert sfn.describe_execution(executionArn=execution)["input"] == '{"x" : 1}'
