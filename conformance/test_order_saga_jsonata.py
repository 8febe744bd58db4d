"""The seed's order saga rewritten with JSONata and workflow variables, run end to end through
boto3 with the same workers as `test_order_saga.py`, side by side with the JSONPath version:
the same history shape and the same outputs, plus the variables in the state-exited events."""
import json

from conftest import make_client
from test_order_saga import ORDER_SAGA, Workers, check_ids, create_machine, fail, history, sfn, shape, wait_end  # noqa: F401 (sfn is a fixture)

LAMBDA = "arn:aws:lambda:ap-northeast-1:123456789012:function:"

ORDER_SAGA_JSONATA = {
    "Comment": "Order Saga (JSONata and variables)",
    "QueryLanguage": "JSONata",
    "StartAt": "ReserveInventory",
    "States": {
        "ReserveInventory": {
            "Type": "Task",
            "Resource": LAMBDA + "inventory-reserve",
            "Arguments": "{% $states.input %}",
            "Assign": {"order": "{% $states.input %}", "reserved": "{% $states.result %}"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "SagaFailed"}],
            "Next": "ChargePayment",
        },
        "ChargePayment": {
            "Type": "Task",
            "Resource": LAMBDA + "payment-charge",
            "Arguments": "{% $states.input %}",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensateInventory",
                       "Assign": {"failedStep": "ChargePayment", "failure": "{% $states.errorOutput.Error %}"}}],
            "Next": "ShipOrder",
        },
        "ShipOrder": {
            "Type": "Task",
            "Resource": LAMBDA + "shipping-create",
            "Arguments": "{% $states.input %}",
            "Output": "{% $states.result %}",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensatePayment",
                       "Assign": {"failedStep": "ShipOrder", "failure": "{% $states.errorOutput.Error %}"}}],
            "End": True,
        },
        "CompensateInventory": {
            "Type": "Task",
            "Resource": LAMBDA + "inventory-release",
            "Arguments": "{% $states.input %}",
            "Next": "SagaFailed",
        },
        "CompensatePayment": {
            "Type": "Task",
            "Resource": LAMBDA + "payment-refund",
            "Arguments": "{% $states.input %}",
            "Next": "CompensateInventory",
        },
        "SagaFailed": {
            "Type": "Fail",
            "Error": "{% $exists($failure) ? $failure : $states.input.Error %}",
            "Cause": "{% 'order saga failed at ' & ($exists($failedStep) ? $failedStep : 'ReserveInventory') %}",
        },
    },
}


def run(endpoint, sfn, definition, name, behaviour, payload):
    machine = create_machine(sfn, name, definition)
    with Workers(endpoint, behaviour) as workers:
        arn = sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(payload))["executionArn"]
        described = wait_end(sfn, arn)
        calls = list(workers.calls)
    events = history(sfn, arn)
    check_ids(events)
    return described, events, calls


def test_definition_is_valid(endpoint):
    sfn = make_client("stepfunctions", endpoint)
    report = sfn.validate_state_machine_definition(definition=json.dumps(ORDER_SAGA_JSONATA))
    assert report["result"] == "OK", report["diagnostics"]


def test_happy_path_matches_the_jsonpath_saga(endpoint, sfn):
    order = {"orderId": "o-1", "items": [{"sku": "A", "qty": 2}]}
    classic, classic_events, classic_calls = run(endpoint, sfn, ORDER_SAGA, "saga-jsonpath-1", {}, order)
    modern, modern_events, modern_calls = run(endpoint, sfn, ORDER_SAGA_JSONATA, "saga-jsonata-1", {}, order)
    assert modern["status"] == classic["status"] == "SUCCEEDED"
    assert json.loads(modern["output"]) == json.loads(classic["output"])
    assert shape(modern_events) == shape(classic_events)
    assert modern_calls == classic_calls
    exited = next(e for e in modern_events if e["type"] == "TaskStateExited")["stateExitedEventDetails"]
    assert json.loads(exited["assignedVariables"]["order"]) == order
    assert json.loads(exited["assignedVariables"]["reserved"]) == {**order, "inventory-reserve": "ok"}
    assert exited["assignedVariablesDetails"] == {"truncated": False}


def test_payment_failure_matches_and_names_the_failure(endpoint, sfn):
    behaviour = {"payment-charge": fail("PaymentDeclined", "card refused")}
    classic, classic_events, classic_calls = run(endpoint, sfn, ORDER_SAGA, "saga-jsonpath-2", behaviour, {"orderId": "o-2"})
    modern, modern_events, modern_calls = run(endpoint, sfn, ORDER_SAGA_JSONATA, "saga-jsonata-2", behaviour, {"orderId": "o-2"})
    assert modern["status"] == classic["status"] == "FAILED"
    assert shape(modern_events) == shape(classic_events)
    assert modern_calls == classic_calls
    # The JSONPath saga's Fail state has no Error; the JSONata one names it from the variables.
    assert modern["error"] == "PaymentDeclined"
    assert modern["cause"] == "order saga failed at ChargePayment"


def test_shipping_failure_refunds_then_releases(endpoint, sfn):
    behaviour = {"shipping-create": fail("NoCarrier", "no carrier available")}
    classic, classic_events, classic_calls = run(endpoint, sfn, ORDER_SAGA, "saga-jsonpath-3", behaviour, {"orderId": "o-3"})
    modern, modern_events, modern_calls = run(endpoint, sfn, ORDER_SAGA_JSONATA, "saga-jsonata-3", behaviour, {"orderId": "o-3"})
    assert shape(modern_events) == shape(classic_events)
    assert [name for name, _ in modern_calls] == [name for name, _ in classic_calls] == [
        "inventory-reserve", "payment-charge", "shipping-create", "payment-refund", "inventory-release"]
    assert [payload for _, payload in modern_calls] == [payload for _, payload in classic_calls]
    assert modern["error"] == "NoCarrier"


def test_malformed_jsonata_is_refused_at_create(endpoint, sfn):
    broken = json.loads(json.dumps(ORDER_SAGA_JSONATA))
    broken["States"]["ShipOrder"]["Output"] = "{% $states.result.( %}"
    report = sfn.validate_state_machine_definition(definition=json.dumps(broken))
    assert report["result"] == "FAIL"
    assert report["diagnostics"][0]["code"] == "INVALID_JSONATA_EXPRESSION"
    assert report["diagnostics"][0]["location"] == "/States/ShipOrder/Output"
    try:
        create_machine(sfn, "saga-jsonata-broken", broken)
        raise AssertionError("CreateStateMachine accepted a malformed expression")
    except sfn.exceptions.InvalidDefinition as error:
        assert "INVALID_JSONATA_EXPRESSION" in str(error) and "/States/ShipOrder/Output" in str(error)
