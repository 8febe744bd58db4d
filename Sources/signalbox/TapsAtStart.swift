import Console
import Foundation
import Provider
import StackClient

/// The console's part in cleaning up taps: at start, the taps whose expiry passed (a console or
/// `tail --tap` that crashed or was killed) are listed and removed after a `y` on the terminal,
/// before the console takes it over; at exit, what the console's own tap left is reported once
/// the terminal is back.
enum TapsAtStart {
    /// How long the look for old taps may hold the start: an endpoint that does not answer
    /// is the console's to show, not this look's.
    static let lookLimit: Duration = .seconds(8)

    static func offerRemoval(stack: StackEndpoint, provider: StackProvider, settings: ConsoleOptions.Settings,
                             description: EndpointDescription) async {
        let aws = AWSClient(endpoint: stack, timeout: .seconds(5))
        let found: [FoundTap]? = await withTaskGroup(of: [FoundTap]?.self) { group in
            group.addTask { try? await TapSweep.find(aws: aws) }
            group.addTask {
                try? await Task.sleep(for: lookLimit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let now = Date()
        guard let expired = found?.filter({ $0.expired(at: now) }), !expired.isEmpty else { return }
        note("\(expired.count) expired tap\(expired.count == 1 ? "" : "s") on \(description.url ?? description.name), "
             + "left by a console or tail that did not clean up:")
        for tap in expired { note("  " + tap.summary) }
        guard !settings.options.readOnly else {
            note("not removed: --readonly (`signalbox tap --cleanup` removes them)")
            return
        }
        guard TerminalPrompt.confirm("Remove \(expired.count == 1 ? "it" : "them") (targets, rules, queues)?") else {
            note("left in place (`signalbox tap --cleanup` removes them)")
            return
        }
        let action = OperatorAction.removeTaps(expired)
        let outcome: String
        do {
            outcome = "done: " + (try await provider.perform(action))
        } catch {
            outcome = "failed: \(error)"
        }
        note(outcome)
        do {
            try settings.options.audit?.append(AuditTrail.Entry(time: Date(), user: settings.options.operatorName,
                                                                endpoint: description, action: action, outcome: outcome,
                                                                reason: "expired taps found at start"))
        } catch {
            note("audit trail not written: \(error)")
        }
    }

    /// What closing the console's tap did, on stderr (nothing when it had none).
    static func report(_ removal: TapSweep.Removal?) {
        guard let removal else { return }
        if removal.failures.isEmpty {
            note("tap removed: " + removal.removed.joined(separator: ", "))
        } else {
            note("tap not wholly removed (`signalbox tap --cleanup` finds it once it expires): "
                 + removal.failures.map(\.description).joined(separator: "; "))
        }
    }

    static func note(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("signalbox: \(message)\n".utf8))
    }
}
