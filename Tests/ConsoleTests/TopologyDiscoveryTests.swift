import Foundation
import Provider
import SignalboxTestSupport
import Testing
import TopologyLayout
@testable import Console

/// The map while the first listing is still arriving: stable (nodes stay where they were), and
/// laid out anew once, when the listing is whole, so that what came late is not left at an edge.
@Suite struct TopologyDiscoveryTests {
    let now = DemoSnapshot.now

    @Test("while the first listing arrives the map keeps its nodes where they were; once it is whole it is laid out anew, once")
    func laidOutAnewWhenWhole() {
        let whole = DemoSnapshot.demo(now: now)
        // The state machines (and with their definitions, their tasks' nodes) come late.
        var early = whole
        early.stateMachines = []
        early.executions = []
        early.discovered = false
        var late = whole
        late.discovered = false

        let memory = PaneMemory()
        let view = TopologyView()
        func map(_ snapshot: SystemSnapshot) -> TopologyMap {
            TopologyMap.of(PaneContext(snapshot: snapshot, now: now, memory: memory), view: view)
        }
        let first = map(early)
        let pinned = map(late)
        let graph = MapGraph(snapshot: whole)
        let kept = MapLayout(graph: graph, options: TopologyMap.options, previous: first.layout)
        let fresh = MapLayout(graph: graph, options: TopologyMap.options)
        #expect(pinned.layout.boxes == kept.boxes, "before the listing is whole, nodes stay where they were")
        #expect(kept.boxes != fresh.boxes, "the late nodes moved the fresh layout: the scenario shows something")

        let laidOut = map(whole)
        #expect(laidOut.layout.boxes == fresh.boxes, "whole: laid out anew")

        // Once only: a node that arrives after that keeps the others where they were.
        var grown = whole
        grown.queues.append(Queue(name: "late-queue", url: "http://q/late", arn: DemoSnapshot.arn("sqs", "late-queue")))
        let after = map(grown)
        let stable = MapLayout(graph: MapGraph(snapshot: grown), options: TopologyMap.options, previous: laidOut.layout)
        #expect(after.layout.boxes == stable.boxes)
    }
}
