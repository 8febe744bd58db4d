import ArgumentParser
import Console
import Foundation
import JSON
import Patterns
import Provider
import StackClient
import StackProtocol
import Synchronization
import Tail
import Terminal

extension TailFormat: ExpressibleByArgument {}

/// `signalbox tail`: the live stream on stdout, one line per frame, for scripts (`--format json`,
/// one JSON object per line for jq) and for people (`--format text`). Runs until interrupted
/// (SIGINT or SIGTERM: exit 130 / 143), until the reader goes away (`| head -1`: exit 0), or
/// until the stack closes the stream (exit 1). Against an endpoint without the stream (AWS,
/// moto, `signalbox serve --no-stream`), `--tap` reads the buses' events through a tap
/// instead, and removes it on every one of those exits.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the live stream's events (and other topics) as they happen, one line each.",
        discussion: """
        Reads the Signalbox stack's live stream (docs/stream.md). --format json writes each frame \
        exactly as the stream sends it; text (the default on a terminal) writes a line to read. \
        A pattern is an EventBridge event pattern, matched by the stack before anything is sent. \
        Endpoints without the stream (AWS, moto, a stack run with --no-stream) are named and \
        refused unless --tap is given: then an SQS queue and a rule on each event bus are made on \
        the account (tagged signalbox:tap and signalbox:expires), read, and removed on exit \
        (SIGINT, SIGTERM, SIGHUP, or the reader going away). Events read through a tap carry no \
        matched rules nor delivery outcomes: a tap cannot see them.
        """
    )

    @OptionGroup var attach: AttachOptions

    @Option(help: "An EventBridge event pattern as JSON, e.g. '{\"source\":[\"shop.orders\"]}'; applied by the stack (or by the tap's rules).")
    var pattern: String?

    @Option(help: "Comma-separated topics: events, queues, executions, breakers, messages (default: events; a tap carries events only).")
    var topics: String = "events"

    @Option(help: "json (one frame per line) or text (default: text on a terminal, json otherwise).")
    var format: TailFormat?

    @Flag(help: "On an endpoint without the live stream, read the buses through a tap (made on the account, removed on exit); the flag is the confirmation.")
    var tap = false

    func validate() throws {
        let chosen = try chosenTopics()
        if tap, chosen != [.events] {
            throw ValidationError("--tap carries events only; leave --topics out or give --topics events")
        }
        if let pattern {
            do throws(EventPatternError) {
                _ = try EventPattern(parsing: pattern)
            } catch {
                throw ValidationError("--pattern: \(error.message)")
            }
        }
    }

    func chosenTopics() throws -> [StreamTopic] {
        let names = topics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--topics names no topic; choose from \(Self.topicNames)") }
        return try names.map { name in
            guard StreamTopic.all.contains(StreamTopic(name)) else {
                throw ValidationError("--topics: '\(Sanitizer.sanitize(name))' is not a topic; choose from \(Self.topicNames)")
            }
            return StreamTopic(name)
        }
    }

    static var topicNames: String { StreamTopic.all.map(\.rawValue).joined(separator: ", ") }

    func run() async throws {
        // A reader that goes away (`| head -1`) makes a write fail with EPIPE instead of
        // killing the process, so the tail ends with exit 0 rather than a signal (and a tap is
        // removed first).
        signal(SIGPIPE, SIG_IGN)
        let format = self.format ?? (isatty(STDOUT_FILENO) == 1 ? .text : .json)
        let (target, shown) = await attach.target(command: "tail")
        // One set of signal sources for the whole run: each signal ends whatever reads now.
        let stop = SignalStop()
        stop.watch([SIGINT, SIGTERM, SIGHUP])
        let noStream = "\(shown) has no live stream: it is not a Signalbox stack, or one run with --no-stream. Events put on "
            + "its buses cannot be read back through its APIs; `signalbox tail --tap` reads them through a tap (an SQS queue "
            + "and a rule on each bus, made on the account and removed on exit), and `signalbox console` shows its queues, "
            + "executions and breakers by polling."
        do {
            _ = try await ExtensionClient(endpoint: target.stack).health()
        } catch StackClientError.noExtension {
            guard tap else { Self.fail(noStream, code: 1) }
            try await followTap(target, shown: shown, format: format, stop: stop)
            return
        } catch {
            Self.fail("cannot reach \(shown): \(error)", code: 1)
        }

        let pattern = self.pattern.flatMap { try? JSONValue(parsing: Array($0.utf8)) }
        let batches = try StreamClient(endpoint: target.stack).frameBatches(topics: try chosenTopics(), pattern: pattern)
        let reading = Task { () throws -> Int32 in
            for try await batch in batches {
                var output = ""
                for frame in batch {
                    if case .subscribed(let subscribed) = frame {
                        // For the person at the terminal (and scripts' logs): stdout stays data only.
                        Self.note("following \(subscribed.topics.map(\.rawValue).joined(separator: ",")) on \(shown)"
                                  + (subscribed.filtered ? " (pattern applied by the stack)" : ""))
                    }
                    if case .error(let failure) = frame {
                        Self.write(output)
                        Self.fail("the stream refused: \(failure.code): \(Sanitizer.sanitize(failure.message))", code: 2)
                    }
                    if let line = format.line(frame) { output += line + "\n" }
                }
                guard Self.write(output) else { return 0 }
            }
            return -1
        }
        stop.onSignal { reading.cancel() }
        let result = await reading.result
        let received = stop.signal
        if received != 0 { throw ExitCode(128 + received) }
        switch result {
        case .success(0):
            return
        case .success:
            Self.fail("the stack closed the stream", code: 1)
        case .failure(StackClientError.noExtension):
            // The stack answers health but serves no stream (`signalbox serve --no-stream`).
            guard tap else { Self.fail(noStream, code: 1) }
            try await followTap(target, shown: shown, format: format, stop: stop)
        case .failure(let error):
            Self.fail("\(error)", code: 1)
        }
    }

    /// Reads the buses through a tap until a signal or the reader going away, then removes the
    /// tap (what was removed, or what could not be, goes to stderr).
    private func followTap(_ target: ConsoleOptions.Target, shown: String, format: TailFormat, stop: SignalStop) async throws {
        let plan = TapPlan(user: StackProviderOptions.defaultActor, pattern: pattern,
                           lifetime: TapPlan.lifetime(environment: ProcessInfo.processInfo.environment))
        let opened: EventTap
        do throws(TapError) {
            opened = try await EventTap.open(aws: AWSClient(endpoint: target.stack), plan: plan)
        } catch {
            Self.fail("tap not opened on \(shown): \(error)", code: 1)
        }
        let buses = opened.rules.map(\.bus)
        Self.note("following events on \(shown) through tap \(plan.id): queue \(plan.queueName), rule \(plan.ruleName) on "
                  + "\(buses.joined(separator: ", "))" + (pattern == nil ? "" : " (pattern applied by the tap's rules)")
                  + "; removed on exit")
        let reading = Task { () -> Int32 in
            var backoff = Duration.seconds(1)
            while !Task.isCancelled {
                do throws(TapError) {
                    // Written before the renewal, which may fail: what was read is deleted already.
                    let frames = try await opened.receive()
                    guard Self.write(frames.compactMap { format.line($0, throughTap: true).map { $0 + "\n" } }.joined()) else { return 0 }
                    try await opened.renewIfDue()
                    backoff = .seconds(1)
                } catch {
                    if Task.isCancelled { break }
                    Self.note("tap: \(error); trying again in \(backoff)")
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(30))
                }
            }
            return -1
        }
        stop.onSignal { reading.cancel() }
        let ended = await reading.value
        let removal = await opened.close()
        if removal.failures.isEmpty {
            Self.note("tap \(plan.id) removed: " + removal.removed.joined(separator: ", "))
        } else {
            Self.note("tap \(plan.id) not wholly removed (`signalbox tap --cleanup` finds it once it expires): "
                      + removal.failures.map(\.description).joined(separator: "; "))
        }
        let received = stop.signal
        if received != 0 { throw ExitCode(128 + received) }
        if ended != 0 || !removal.failures.isEmpty { throw ExitCode(1) }
    }

    /// Writes `text` to stdout; false when the reader has gone (EPIPE).
    @discardableResult
    static func write(_ text: String) -> Bool {
        guard !text.isEmpty else { return true }
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
            return true
        } catch {
            return false
        }
    }

    static func note(_ message: String) { AttachOptions.note("tail", message) }

    static func fail(_ message: String, code: Int32) -> Never { AttachOptions.fail("tail", message, code: code) }
}

/// Which signal stopped a command (0: none yet), and what a signal ends now. Set on the
/// signal sources' queue; the sources live as long as this object. One per process: libdispatch
/// on Linux hands a signal to one of several sources watching it, not to each.
final class SignalStop: @unchecked Sendable {
    private let received = Atomic<Int32>(0)
    private let action = Mutex<(@Sendable () -> Void)?>(nil)
    /// Written once, by `watch`, before any signal can arrive.
    private var sources: [any DispatchSourceSignal] = []

    func watch(_ signals: [Int32]) {
        sources = signals.map { number in
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { [self] in
                received.store(number, ordering: .sequentiallyConsistent)
                action.withLock { $0 }?()
            }
            source.resume()
            return source
        }
    }

    /// What a signal does from now on (at once, if one already came).
    func onSignal(_ stop: @escaping @Sendable () -> Void) {
        action.withLock { $0 = stop }
        if signal != 0 { stop() }
    }

    var signal: Int32 { received.load(ordering: .sequentiallyConsistent) }

    deinit { sources.forEach { $0.cancel() } }
}
