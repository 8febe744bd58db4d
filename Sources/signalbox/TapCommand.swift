import ArgumentParser
import Foundation
import Provider
import StackClient

/// `signalbox tap`: the taps on an endpoint (`signalbox-tap-*` queues and rules), and with
/// `--cleanup` the removal of those whose `signalbox:expires` passed — what a crashed console
/// or a `kill -9`ed tail left behind — without the TUI.
struct TapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "List the taps on an endpoint; --cleanup removes the expired ones.",
        discussion: """
        A tap is the SQS queue signalbox-tap-<user>-<id> and the rule signalbox-tap-<id> on each \\
        event bus that the console (or signalbox tail --tap) makes to tail an endpoint without \\
        the live stream. Each carries the tags signalbox:tap=<id> and signalbox:expires=<time> \\
        (an hour ahead, renewed while its owner runs; SIGNALBOX_TAP_LIFETIME=SECONDS changes it). \\
        Without --cleanup the taps are listed and nothing changes. With --cleanup, those whose \\
        expiry passed are removed (target, rule, queue), and what was removed is printed; with \\
        --all as well, every tap of this user ($USER) goes too, expired or not.
        """
    )

    @OptionGroup var attach: AttachOptions

    @Flag(help: "Remove the expired taps (their rules' targets, the rules, the queues).")
    var cleanup = false

    @Flag(help: "With --cleanup: also remove this user's taps that have not expired yet (a console still running loses its tail).")
    var all = false

    func validate() throws {
        if all, !cleanup { throw ValidationError("--all goes with --cleanup") }
    }

    func run() async throws {
        let (target, shown) = await attach.target(command: "tap")
        let aws = AWSClient(endpoint: target.stack)
        let found: [FoundTap]
        do throws(TapError) {
            found = try await TapSweep.find(aws: aws)
        } catch {
            AttachOptions.fail("tap", "cannot list the taps on \(shown): \(error)", code: 1)
        }
        let now = Date()
        let user = TapPlan(user: StackProviderOptions.defaultActor).user
        let chosen = found.filter { $0.expired(at: now) || (all && $0.user == user) }
        guard cleanup else {
            print(found.isEmpty ? "no taps on \(shown)" : "taps on \(shown):")
            for tap in found { print("  \(tap.summary)\(tap.expired(at: now) ? " (expired)" : "")") }
            return
        }
        guard !chosen.isEmpty else {
            print("nothing to remove on \(shown): \(found.count) tap\(found.count == 1 ? "" : "s") found, none "
                  + (all ? "expired or \(user)'s" : "expired"))
            return
        }
        var failed = false
        for tap in chosen {
            let removal = await TapSweep.remove(tap, aws: aws)
            print("removed \(tap.summary)")
            for what in removal.removed { print("  removed \(what)") }
            for failure in removal.failures {
                print("  NOT removed: \(failure)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
