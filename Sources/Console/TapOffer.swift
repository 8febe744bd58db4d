import Provider

/// The tap offer: opening Flows on an endpoint without the live stream (AWS, moto, `signalbox
/// serve --no-stream`) asks once whether to tail it through a tap (`TapPlan`), which makes a
/// queue and a rule on each bus of the watched account — so it is confirmed (Cancel focused),
/// refused in read-only with the reason, and audited like any action. `:tap` asks again.
extension ConsoleState {
    /// Asks, when Flows has the focus, the endpoint answers without a stream, no tap runs, no
    /// dialog is open and it was not asked yet. The app loop calls it after each snapshot and key.
    public mutating func offerTapIfDue() {
        guard !tapOffered, focusedPane == .flows, case .normal = mode, snapshot.connection.isLive,
              snapshot.liveStreamAbsent != nil, snapshot.tap == nil
        else { return }
        tapOffered = true
        askForTap()
    }

    /// `:tap`: the offer again (after a Cancel), or what runs.
    mutating func tapCommand() {
        if let tap = snapshot.tap {
            showToast("tap \(tap.id) runs: queue \(tap.queueName), rule \(tap.ruleName) on \(tap.buses.joined(separator: ", "))")
        } else if snapshot.liveStreamAbsent == nil {
            showToast(snapshot.liveStream ? "the live stream is up: the tail needs no tap" : "not known yet whether this endpoint has a live stream",
                      level: .warn)
        } else {
            tapOffered = true
            askForTap()
        }
    }

    private mutating func askForTap() {
        let action = OperatorAction.openTap(pattern: streamFilter)
        if readOnly {
            showToast("read-only: no tap for Flows (\(snapshot.liveStreamAbsent ?? "no live stream"); a tap makes an SQS queue "
                      + "and a rule on each bus of the watched account)", level: .warn)
            return
        }
        mode = .confirm(ConfirmDialog(
            title: "Tail Flows through a tap?",
            message: "\(snapshot.liveStreamAbsent ?? "No live stream"). To \(action.summary), on the watched account? "
                + "Removed when the console closes; 3 SQS requests a minute idle, ~2 per 10 events.",
            action: action))
    }
}
