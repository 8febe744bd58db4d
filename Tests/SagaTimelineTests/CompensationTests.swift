import Demo
import Foundation
import Testing
@testable import SagaTimeline
import StatesLanguage

@Suite struct CompensationTests {
    @Test func theSeedsOrderSagaCompensatesThroughItsCatches() throws {
        let saga = try SagaDefinition.parse(OrderSaga.definition).get()
        #expect(saga.catchTargets == ["SagaFailed", "CompensateInventory", "CompensatePayment"])
        #expect(saga.compensation == ["SagaFailed", "CompensateInventory", "CompensatePayment"])
        // The forward path is not compensation, whatever the states are called.
        for name in ["ReserveInventory", "ChargePayment", "ShipOrder"] { #expect(!saga.compensation.contains(name)) }
    }

    @Test func namesDoNotMakeCompensationTheDefinitionDoes() throws {
        // "UndoLater" is on the forward path: not compensation. "Tidy" is reached only by a Catch.
        let text = """
        {"StartAt": "UndoLater", "States": {
          "UndoLater": {"Type": "Pass", "Next": "Work"},
          "Work": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:work",
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Tidy"}], "End": true},
          "Tidy": {"Type": "Pass", "Next": "Decide"},
          "Decide": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Gone"}], "Default": "Gone"},
          "Gone": {"Type": "Fail"}
        }}
        """
        let saga = try SagaDefinition.parse(text).get()
        #expect(saga.compensation == ["Tidy", "Decide", "Gone"])
    }

    @Test func compensationNestsInParallelBranchesAndMapProcessors() throws {
        let text = """
        {"StartAt": "Fan", "States": {
          "Fan": {"Type": "Parallel", "Branches": [
              {"StartAt": "A", "States": {
                 "A": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:a",
                       "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "UndoA"}], "End": true},
                 "UndoA": {"Type": "Pass", "Next": "UndoA2"},
                 "UndoA2": {"Type": "Pass", "End": true}}},
              {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rollback"}], "End": true},
          "Rollback": {"Type": "Map", "ItemProcessor": {"StartAt": "Refund", "States": {
              "Refund": {"Type": "Pass", "End": true}}}, "End": true}
        }}
        """
        let saga = try SagaDefinition.parse(text).get()
        #expect(saga.compensation == ["UndoA", "UndoA2", "Rollback", "Refund"])
    }

    @Test func aDefinitionTheParserRejectsIsAProblemNotACrash() {
        guard case .failure(let error) = SagaDefinition.parse(#"{"StartAt": "Nowhere", "States": {}}"#) else {
            Issue.record("an invalid definition parsed")
            return
        }
        #expect(!error.diagnostics.isEmpty)
    }
}
