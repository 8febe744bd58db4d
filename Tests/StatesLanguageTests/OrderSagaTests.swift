import Demo
import JSON
import StatesLanguage
import Testing

/// The seed's order saga, driven by simulated workers: each test plays the five Lambda
/// functions and checks the history event by event.
@Suite struct OrderSagaTests {
    let order: JSONValue = ["orderId": "o-1", "sku": "WIDGET", "quantity": 2, "amount": 1999]

    @Test func parsesUnchanged() throws {
        let definition = try StateMachineDefinition(parsing: OrderSaga.definition)
        #expect(definition.body.startAt == "ReserveInventory")
        #expect(definition.states.count == 6)
        guard case .task(let spec) = definition["ChargePayment"]?.kind else { Issue.record("not a task"); return }
        #expect(spec.resource.kind == .lambdaFunction(name: "payment-charge"))
        #expect(spec.resource.pattern == .requestResponse)
        #expect(StateMachineDefinition.validate(OrderSaga.definition).result == "OK")
    }

    @Test func happyPath() throws {
        var saga = try Harness(OrderSaga.definition, input: order)
        #expect(saga.types == ["ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled"])
        #expect(saga.detail("LambdaFunctionScheduled", "resource") == "arn:aws:lambda:ap-northeast-1:123456789012:function:inventory-reserve")
        #expect(saga.detail("LambdaFunctionScheduled", "input") == .string(order.serialized))
        let reserveToken = try #require(saga.token(for: "inventory-reserve"))
        saga.apply(try saga.execution.taskStarted(token: reserveToken, workerName: "inventory-1", at: saga.clock))
        try saga.succeed("inventory-reserve", output: ["orderId": "o-1", "reservationId": "r-9"])
        try saga.succeed("payment-charge", output: ["orderId": "o-1", "paymentId": "p-3"])
        try saga.succeed("shipping-create", output: ["orderId": "o-1", "trackingId": "t-5"])
        #expect(saga.types == [
            "ExecutionStarted",
            "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
            "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionSucceeded", "TaskStateExited",
            "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionSucceeded", "TaskStateExited",
            "ExecutionSucceeded",
        ])
        #expect(saga.history.map(\.id) == Array(1...15))
        #expect(saga.history.map(\.previousEventId) == Array(0...14))
        #expect(saga.detail("TaskStateEntered", "name", 1) == "ChargePayment")
        #expect(saga.detail("TaskStateEntered", "input", 1) == #"{"orderId":"o-1","reservationId":"r-9"}"#)
        #expect(saga.succeededOutput == ["orderId": "o-1", "trackingId": "t-5"])
        #expect(saga.execution.status == .succeeded)
        #expect(saga.tasks.isEmpty && saga.timers.isEmpty)
    }

    @Test func paymentFailureReleasesInventory() throws {
        var saga = try Harness(OrderSaga.definition, input: order)
        try saga.succeed("inventory-reserve", output: ["orderId": "o-1", "reservationId": "r-9"])
        try saga.failTask("payment-charge", error: "PaymentDeclined", cause: "card expired")
        // The Catch (no ResultPath) hands the error object to CompensateInventory.
        let release = try #require(saga.token(for: "inventory-release"))
        #expect(saga.tasks[release]?.input == ["Error": "PaymentDeclined", "Cause": "card expired"])
        try saga.succeed("inventory-release", output: ["released": true])
        #expect(Array(saga.types.suffix(10)) == [
            "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionFailed", "TaskStateExited",
            "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionSucceeded", "TaskStateExited",
            "FailStateEntered", "ExecutionFailed",
        ])
        #expect(saga.detail("LambdaFunctionFailed", "error") == "PaymentDeclined")
        #expect(saga.detail("LambdaFunctionFailed", "cause") == "card expired")
        #expect(saga.detail("FailStateEntered", "name") == "SagaFailed")
        #expect(saga.execution.status == .failed)
        #expect(!saga.history.contains { $0.type == "LambdaFunctionScheduled" && $0.details?["resource"]?.stringValue?.hasSuffix("payment-refund") == true })
    }

    @Test func shippingFailureRefundsThenReleases() throws {
        var saga = try Harness(OrderSaga.definition, input: order)
        try saga.succeed("inventory-reserve", output: ["orderId": "o-1"])
        try saga.succeed("payment-charge", output: ["orderId": "o-1", "paymentId": "p-3"])
        try saga.failTask("shipping-create", error: "NoCarrier", cause: "no carrier for the address")
        #expect(saga.token(for: "inventory-release") == nil)
        try saga.succeed("payment-refund", output: ["refunded": true])
        try saga.succeed("inventory-release", output: ["released": true])
        let scheduled = saga.history.filter { $0.type == "LambdaFunctionScheduled" }.compactMap { $0.details?["resource"]?.stringValue?.split(separator: ":").last.map(String.init) }
        #expect(scheduled == ["inventory-reserve", "payment-charge", "shipping-create", "payment-refund", "inventory-release"])
        let entered = saga.history.filter { $0.type.hasSuffix("StateEntered") }.compactMap { $0.details?["name"]?.stringValue }
        #expect(entered == ["ReserveInventory", "ChargePayment", "ShipOrder", "CompensatePayment", "CompensateInventory", "SagaFailed"])
        #expect(saga.execution.status == .failed)
        #expect(saga.outcome == .failed(StatesError("")))
    }

    @Test func redriveAfterTheFaultIsFixedRerunsOnlyTheFailedState() throws {
        let definition = """
        {"StartAt": "Reserve", "States": {
          "Reserve": {"Type": "Task", "Resource": "arn:aws:states:ap-northeast-1:123456789012:activity:inventory-reserve", "Next": "Charge"},
          "Charge": {"Type": "Task", "Resource": "arn:aws:states:ap-northeast-1:123456789012:activity:payment-charge", "End": true}}}
        """
        var saga = try Harness(definition, input: order)
        try saga.succeed("inventory-reserve", output: ["reserved": true])
        try saga.failTask("payment-charge", error: "GatewayDown")
        #expect(saga.execution.status == .failed)
        saga.apply(try saga.execution.redrive(at: saga.clock))
        #expect(saga.execution.redriveCount == 1)
        #expect(saga.detail("ExecutionRedriven", "redriveCount") == 1)
        #expect(saga.token(for: "inventory-reserve") == nil)
        let charge = try #require(saga.token(for: "payment-charge"))
        #expect(saga.tasks[charge]?.input == ["reserved": true])
        try saga.succeed("payment-charge", output: ["charged": true])
        #expect(saga.execution.status == .succeeded)
        #expect(saga.history.filter { $0.type == "ActivityScheduled" }.count == 3)
        #expect(throws: ExecutionInputError.self) { _ = try saga.execution.redrive(at: saga.clock) }
    }
}
