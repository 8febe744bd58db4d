import Foundation
@testable import Provider
import Testing
import Timekeeping

/// When the provider publishes: at once after a quiet spell, else at the next point `lead`
/// before the wall clock's second turns (the console draws its frame when it turns).
@Suite("PublishGate")
struct PublishGateTests {
    static let origin = MonotonicInstant(nanosecondsSinceOrigin: 0)
    /// A whole second of the wall clock.
    static let wholeSecond = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the wait to the next publishing point, from anywhere in a second")
    func nextPoint() {
        let lead = Duration.milliseconds(60)
        func wait(_ intoSecond: TimeInterval) -> Duration {
            PublishGate.untilNextPoint(wallClock: Self.wholeSecond.addingTimeInterval(intoSecond), lead: lead)
        }
        #expect(wait(0) == .milliseconds(940))
        #expect(wait(0.5) == .milliseconds(440))
        #expect(wait(0.939) == .milliseconds(1))
        // At the point or past it: the next second's.
        #expect(wait(0.94) == .seconds(1))
        #expect(wait(0.99) == .milliseconds(950))
    }

    @Test("a change after a quiet spell publishes at once; changes within a second of it wait for the point and share it")
    func decisions() {
        var gate = PublishGate()
        #expect(gate.changed(at: Self.origin, wallClock: Self.wholeSecond.addingTimeInterval(0.3)) == .now)
        let soon = Self.origin + .milliseconds(100)
        #expect(gate.changed(at: soon, wallClock: Self.wholeSecond.addingTimeInterval(0.4)) == .after(.milliseconds(540)))
        #expect(gate.changed(at: soon + .milliseconds(10), wallClock: Self.wholeSecond.addingTimeInterval(0.41)) == .pending)
        gate.fired(at: soon + .milliseconds(540))
        // Still within a second of that publish: the next point, a second later.
        let next = soon + .milliseconds(600)
        #expect(gate.changed(at: next, wallClock: Self.wholeSecond.addingTimeInterval(1.0)) == .after(.milliseconds(940)))
        gate.fired(at: next + .milliseconds(940))
        // A second and more without a publish: quiet again.
        #expect(gate.changed(at: next + .milliseconds(2000), wallClock: Self.wholeSecond.addingTimeInterval(3.0)) == .now)
    }
}
