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
