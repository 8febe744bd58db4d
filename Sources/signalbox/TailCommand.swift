import ArgumentParser
import Console
import Foundation
import JSON
import Patterns
import StackClient
import StackProtocol
import Synchronization
import Tail
import Terminal

extension TailFormat: ExpressibleByArgument {}

/// `signalbox tail`: the live stream on stdout, one line per frame, for scripts (`--format json`,
/// one JSON object per line for jq) and for people (`--format text`). Runs until interrupted
/// (SIGINT or SIGTERM: exit 130 / 143), until the reader goes away (`| head -1`: exit 0), or
/// until the stack closes the stream (exit 1).
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the live stream's events (and other topics) as they happen, one line each.",
        discussion: """
        Reads the Signalbox stack's live stream (docs/stream.md). --format json writes each frame \
        exactly as the stream sends it; text (the default on a terminal) writes a line to read. \
        A pattern is an EventBridge event pattern, matched by the stack before anything is sent. \
        Endpoints without the stream (AWS, moto) are named and refused: their APIs cannot read \
        back events once put.
        """
    )

    @Option(help: "Endpoint: a name from the configuration's [endpoints], a URL, or local (http://127.0.0.1:4599).")
    var endpoint: String?

    @Option(help: "Configuration file (default: $XDG_CONFIG_HOME/signalbox/config.toml).")
    var config: String?

    @Option(help: "An EventBridge event pattern as JSON, e.g. '{\"source\":[\"shop.orders\"]}'; applied by the stack.")
    var pattern: String?

    @Option(help: "Comma-separated topics: events, queues, executions, breakers, messages (default: events).")
    var topics: String = "events"

    @Option(help: "json (one frame per line) or text (default: text on a terminal, json otherwise).")
    var format: TailFormat?

    func validate() throws {
        _ = try chosenTopics()
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
        // killing the process, so the tail ends with exit 0 rather than a signal.
        signal(SIGPIPE, SIG_IGN)
        let format = self.format ?? (isatty(STDOUT_FILENO) == 1 ? .text : .json)
        let configuration: ConsoleConfig
        do {
            configuration = try ConsoleConfig.load(path: config ?? ConsolePaths.configFile, explicit: config != nil)
        } catch {
            Self.fail("configuration error: \(error)", code: 2)
        }
        let name = endpoint ?? configuration.endpoint ?? "local"
        let target: ConsoleOptions.Target
        switch await ConsoleOptions.resolve(name, config: configuration, profile: nil, region: nil,
                                            environment: ProcessInfo.processInfo.environment) {
        case .success(let resolved): target = resolved
        case .failure(let problem): Self.fail(problem.message, code: 2)
        }
        let shown = Sanitizer.sanitize(target.description.url ?? name)
        do {
            _ = try await ExtensionClient(endpoint: target.stack).health()
        } catch StackClientError.noExtension {
            Self.fail("\(shown) has no live stream: it is not a Signalbox stack. Events put on its buses cannot be read back "
                      + "through its APIs, so there is nothing to tail; `signalbox console` shows its queues, executions "
                      + "and breakers by polling.", code: 1)
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
        // Set on the signal source's queue, read here after the reading task ended.
        let stoppedBy = Atomic<Int32>(0)
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { stoppedBy.store(number, ordering: .sequentiallyConsistent); reading.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let result = await reading.result
        let received = stoppedBy.load(ordering: .sequentiallyConsistent)
        if received != 0 { throw ExitCode(128 + received) }
        switch result {
        case .success(0):
            return
        case .success:
            Self.fail("the stack closed the stream", code: 1)
        case .failure(let error):
            Self.fail("\(error)", code: 1)
        }
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

    static func note(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("signalbox tail: \(message)\n".utf8))
    }

    static func fail(_ message: String, code: Int32) -> Never {
        note(message)
        Foundation.exit(code)
    }
}
