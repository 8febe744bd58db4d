/// The order saga of seed 000, unchanged: ReserveInventory → ChargePayment → ShipOrder, with
/// CompensatePayment / CompensateInventory on failure. Its Lambda ARNs are dispatched by the
/// stack as activities named after the functions, which the demo's workers poll.
public enum OrderSaga {
    public static let definition = """
    {
      "Comment": "Order Saga",
      "StartAt": "ReserveInventory",
      "States": {
        "ReserveInventory": {
          "Type": "Task",
          "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-reserve",
          "Catch": [{
            "ErrorEquals": ["States.ALL"],
            "Next": "SagaFailed"
          }],
          "Next": "ChargePayment"
        },
        "ChargePayment": {
          "Type": "Task",
          "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:payment-charge",
          "Catch": [{
            "ErrorEquals": ["States.ALL"],
            "Next": "CompensateInventory"
          }],
          "Next": "ShipOrder"
        },
        "ShipOrder": {
          "Type": "Task",
          "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:shipping-create",
          "Catch": [{
            "ErrorEquals": ["States.ALL"],
            "Next": "CompensatePayment"
          }],
          "End": true
        },
        "CompensateInventory": {
          "Type": "Task",
          "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-release",
          "Next": "SagaFailed"
        },
        "CompensatePayment": {
          "Type": "Task",
          "Resource": "arn:aws:lambda:ap-northeast-1:123456789012:function:payment-refund",
          "Next": "CompensateInventory"
        },
        "SagaFailed": {
          "Type": "Fail"
        }
      }
    }
    """
}
