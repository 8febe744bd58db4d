import Foundation
import Provider
@testable import Console
import Terminal
import Testing

/// Opening Flows on an endpoint without the live stream offers a tap: once, confirmed with
/// Cancel focused, refused in read-only with the reason; `:tap` asks again. With a tap
/// running, the pane says it is a tap, what it costs and what it cannot show.
struct TapOfferTests {
    static func withoutStream(tap: TapStatus? = nil) -> SystemSnapshot {
        var snapshot = Fixtures.snapshot()
        snapshot.liveStream = false
        snapshot.liveStreamAbsent = "AWS has no live stream"
        snapshot.tap = tap
        return snapshot
    }

    @Test func openingFlowsAsksOnceWithCancelFocused() {
        var state = Fixtures.state(Self.withoutStream())
        state.offerTapIfDue()
        #expect(state.mode == .normal, "not asked before Flows is opened")
        state.show(.flows)
        state.offerTapIfDue()
        guard case .confirm(let dialog) = state.mode else { Issue.record("no dialog: \(state.mode)"); return }
        #expect(dialog.action == .openTap(pattern: nil))
        #expect(!dialog.confirmFocused)
        #expect(dialog.message.contains("AWS has no live stream"))
        // Enter on the untouched dialog cancels; the offer is not repeated by itself.
        #expect(state.press(.enter).isEmpty)
        state.offerTapIfDue()
        #expect(state.mode == .normal)
        // :tap asks again; Confirm on purpose sends it.
        state.press(.character(":"))
        state.type("tap")
        state.press(.enter)
        guard case .confirm = state.mode else { Issue.record("no dialog after :tap"); return }
        state.press(.tab)
        #expect(state.press(.enter) == [.perform(.openTap(pattern: nil))])
    }

    @Test func readOnlyRefusesWithTheReason() {
        var state = Fixtures.state(Self.withoutStream(), readOnly: true)
        state.show(.flows)
        state.offerTapIfDue()
        #expect(state.mode == .normal)
        #expect(state.toast?.text.contains("read-only: no tap") == true, "\(state.toast?.text ?? "")")
        #expect(state.toast?.text.contains("AWS has no live stream") == true)
    }

    @Test func withTheStreamNothingIsOffered() {
        var snapshot = Fixtures.snapshot()
        snapshot.liveStream = true
        var state = Fixtures.state(snapshot)
        state.show(.flows)
        state.offerTapIfDue()
        #expect(state.mode == .normal)
        let frame = state.frame(200, 60).textLines().joined(separator: "\n")
        #expect(!frame.contains("TAP") && !frame.contains("NO LIVE STREAM"))
    }

    @Test func theFlowsPaneSaysItIsATapWhatItCostsAndWhatItCannotShow() {
        let tap = TapStatus(id: "1a2b3c4d", queueName: "signalbox-tap-alice-1a2b3c4d", ruleName: "signalbox-tap-1a2b3c4d",
                            buses: ["default", "orders"], expires: Fixtures.now.addingTimeInterval(3600), requestsLastMinute: 5)
        var state = Fixtures.state(Self.withoutStream(tap: tap))
        state.show(.flows)
        state.zoomed = true
        state.offerTapIfDue()
        #expect(state.mode == .normal, "a running tap is not offered again")
        let frame = state.frame(200, 60).textLines().joined(separator: "\n")
        #expect(frame.contains("TAP  signalbox-tap-1a2b3c4d on 2 buses (default, orders) → queue signalbox-tap-alice-1a2b3c4d"), "\(frame)")
        #expect(frame.contains("costs 2 rules and 5 SQS requests in the last minute"))
        #expect(frame.contains("matched rules and delivery outcomes are not visible through a tap"))
        // Rows read through a tap say their rules and outcome are not known, not "unmatched".
        #expect(!frame.contains("unmatched"))

        var without = Fixtures.state(Self.withoutStream())
        without.show(.flows)
        without.zoomed = true
        let bare = without.frame(200, 60).textLines().joined(separator: "\n")
        #expect(bare.contains("NO LIVE STREAM  AWS has no live stream"))
        #expect(bare.contains(":tap"))
    }
}
