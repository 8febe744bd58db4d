import Testing
import Timekeeping
@testable import Console

@Suite struct SnapshotPacingTests {
    let start = MonotonicInstant(nanosecondsSinceOrigin: 0)

    func takes(_ pacing: inout SnapshotPacing, _ ms: Int, redrawing: Bool = false) -> Bool {
        pacing.takesNow(at: start + .milliseconds(ms), redrawing: redrawing)
    }

    @Test func snapshotsComingSteadilyShareTheClocksFrame() {
        var pacing = SnapshotPacing()
        // Two a second, as the provider's gate sends them under sustained change; the clock's
        // frames at each whole second.
        #expect(takes(&pacing, 300), "the first snapshot, after nothing, is taken at once")
        #expect(!takes(&pacing, 800), "steady: it waits for the clock's frame")
        #expect(!takes(&pacing, 999), "still waiting")
        #expect(takes(&pacing, 1000, redrawing: true), "taken with the clock's frame")
        #expect(!takes(&pacing, 1300))
        #expect(!takes(&pacing, 1800))
        #expect(takes(&pacing, 2000, redrawing: true))
    }

    @Test func aSnapshotAfterAQuietSpellIsTakenAtOnce() {
        var pacing = SnapshotPacing()
        #expect(takes(&pacing, 100))
        #expect(takes(&pacing, 1700), "1.6 s after the last one taken: not steady, shown at once")
        #expect(!takes(&pacing, 2600), "0.9 s after: steady again")
    }

    @Test func anyOtherRedrawTakesTheWaitingSnapshot() {
        var pacing = SnapshotPacing()
        #expect(takes(&pacing, 200))
        #expect(!takes(&pacing, 650))
        #expect(takes(&pacing, 700, redrawing: true), "a key redraws at once, with the newest data")
    }
}
