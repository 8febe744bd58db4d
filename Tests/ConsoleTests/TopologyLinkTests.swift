import Foundation
import Provider
import SignalboxTestSupport
import Testing
import Terminal
@testable import Console

/// From a node's detail on the map, Enter opens the pane that lists the node (queue, sagas,
/// breaker, instances, events) through that pane's own `/` filter, with the node's row
/// selected; Esc comes back to the detail.
@Suite struct TopologyLinkTests {
    /// The demo's map with `node`'s detail open.
    static func detail(of node: String, id: String? = nil, snapshot: SystemSnapshot = DemoSnapshot.demo()) -> ConsoleState {
        var state = TopologyPaneTests.map(snapshot)
        TopologyPaneTests.select(node, in: &state)
        if let id {
            // Names are not unique (the analytics queue and service): select by the node's id.
            let row = OpaqueValue(TopologyPane.RowID.node(id))
            state.panes[.topology, default: PaneState()].selected = state.targets(for: .topology).firstIndex { $0.id == row } ?? 0
        }
        state.press(.enter)
        #expect(state.drill.last?.title == node)
        return state
    }

    static func selectedRow(_ state: ConsoleState) -> OpaqueValue? {
        let targets = state.targets(for: state.focusedPane)
        let index = state.paneState(state.focusedPane).selected
        return targets.indices.contains(index) ? targets[index].id : nil
    }

    @Test func aDependencyOpensTheCircuitsPaneFilteredToItsBreakerAndEscReturns() {
        var state = Self.detail(of: "payment-gateway")
        state.press(.enter)
        #expect(state.focusedPane == .circuits)
        #expect(state.paneState(.circuits).filter == "payment-gateway")
        #expect(state.table(for: .circuits).rows.map(\.id) == [OpaqueValue("payment/payment-gateway")])
        #expect(Self.selectedRow(state) == OpaqueValue("payment/payment-gateway"))
        #expect(state.zoomed && state.drill.isEmpty)
        // The breaker's own detail opens and closes as anywhere else, then Esc goes back to the map.
        state.press(.enter)
        #expect(state.drill.last?.pane == .circuits)
        state.press(.escape)
        #expect(state.focusedPane == .circuits && state.drill.isEmpty)
        state.press(.escape)
        #expect(state.focusedPane == .topology)
        #expect(state.drill.last?.title == "payment-gateway")
        #expect(state.paneState(.circuits).filter == "")
        #expect(state.linkedFrom == nil)
        state.press(.escape)
        #expect(state.drill.isEmpty && state.focusedPane == .topology)
    }

    @Test func aServiceWithABreakerOpensItsBreakerAndOneWithoutOpensItsInstances() {
        var payment = Self.detail(of: "payment")
        payment.press(.enter)
        #expect(payment.focusedPane == .circuits && payment.paneState(.circuits).filter == "payment")
        #expect(Self.selectedRow(payment) == OpaqueValue("payment/payment-gateway"))

        var order = Self.detail(of: "order")
        order.press(.enter)
        #expect(order.focusedPane == .registry && order.paneState(.registry).filter == "order")
        #expect(Self.selectedRow(order) == OpaqueValue(RegistryPane.RowID.instance(service: "srv-order", instance: "order-1")))
        // The Registry pane is not on the dashboard: it took the map's slot, and Esc gives it back.
        order.press(.escape)
        #expect(order.slots.contains(.topology) && !order.slots.contains(.registry))
        #expect(order.focusedPane == .topology && order.drill.last?.title == "order")
    }

    @Test func aQueueOrDeadLetterQueueOpensTheQueuesPaneWithItsRowSelected() {
        var dlq = Self.detail(of: "analytics-dlq")
        dlq.press(.enter)
        #expect(dlq.focusedPane == .queues && dlq.paneState(.queues).filter == "analytics-dlq")
        #expect(Self.selectedRow(dlq) == OpaqueValue(DemoSnapshot.arn("sqs", "analytics-dlq")))

        // The filter is a substring, as the operator would type it: "analytics" also keeps its
        // dead-letter queue, and the selection is on the queue itself.
        var queue = Self.detail(of: "analytics", id: DemoSnapshot.arn("sqs", "analytics"))
        queue.press(.enter)
        #expect(queue.table(for: .queues).rows.count == 2)
        #expect(Self.selectedRow(queue) == OpaqueValue(DemoSnapshot.arn("sqs", "analytics")))
    }

    @Test func aStateMachineOpensItsSagas() {
        var state = Self.detail(of: "order-saga")
        state.press(.enter)
        #expect(state.focusedPane == .sagas && state.paneState(.sagas).filter == "order-saga")
        #expect(state.table(for: .sagas).rows.count == 6)
    }

    @Test func aBusOpensItsEvents() {
        var state = Self.detail(of: "shop-bus")
        state.press(.enter)
        #expect(state.focusedPane == .flows && state.paneState(.flows).filter == "shop-bus")
        #expect(state.table(for: .flows).rows.count == 24)
    }

    @Test func aTaskLeadsNowhereAndSaysWhy() {
        var state = Self.detail(of: "payment-charge")
        #expect(!TopologyPaneTests.text(state).contains("Enter: the"))
        state.press(.enter)
        #expect(state.focusedPane == .topology && state.drill.last?.title == "payment-charge")
        #expect(state.toast?.level == .warn)
        #expect(state.toast?.text.contains("no pane lists activities") == true)
    }

    /// The detail's line names the key and where it leads; the help lists it with the map's keys.
    @Test func theDetailAndTheHelpNameTheKey() {
        let state = Self.detail(of: "payment-gateway")
        #expect(TopologyPaneTests.text(state).contains("Enter: the Circuits pane filtered to /payment-gateway · Esc: back"))
        var help = state
        help.press(.escape, .character("?"))
        let lines = Screen.helpLines(help).map(\.0)
        #expect(lines.contains { $0.contains("Enter") && $0.contains("in a node's detail") })
    }

    /// The linked pane's own filter and selection come back as they were when Esc returns, and
    /// focusing another pane forgets the way back.
    @Test func theLinkedPanesStateIsRestoredAndOtherNavigationForgetsTheWayBack() {
        var state = Self.detail(of: "payment-gateway")
        state.panes[.circuits, default: PaneState()].filter = "inventory"
        state.press(.enter)
        #expect(state.paneState(.circuits).filter == "payment-gateway")
        state.press(.escape)
        #expect(state.paneState(.circuits).filter == "inventory")

        state.press(.enter)
        state.press(.character("3"))
        #expect(state.linkedFrom == nil && state.focusedPane == .queues)
    }

    /// Where the operator lands: the Circuits pane alone, filtered to payment's breaker, the
    /// way back in the breadcrumb.
    @Test(arguments: GoldenFrameTests.sizes) func filteredPaneReachedFromTheMap(columns: Int, rows: Int) {
        var state = Self.detail(of: "payment-gateway", snapshot: DemoSnapshot.failing())
        state.press(.enter)
        Golden.check(state.frame(columns, rows), "topology-link-circuits-\(columns)x\(rows)")
    }
}
