import ArgumentParser
import Demo
import Foundation
import Logging
import Stack
import StackClient

/// Bare `signalbox`: the local stack on an ephemeral loopback port with a fresh data
/// directory, the demo running on it, and the console open on it — everything a new user
/// needs to see Signalbox with real traffic, in one command.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start the local stack and the demo on a free loopback port, and open the console on them (the default).",
        discussion: """
        The stack's data goes to a temporary directory removed at exit, unless --data names one \
        to keep. The demo's log lines go to demo.log in the data directory.
        """
    )

    @Option(help: "Keep the stack's data in this directory (default: a temporary one, removed at exit).")
    var data: String?

    @OptionGroup var demoFlags: DemoFlags

    @OptionGroup var console: ConsoleOptions

    func validate() throws {
        if console.attach.endpoint != nil || console.attach.profile != nil || console.attach.region != nil {
            throw ValidationError("bare signalbox watches the stack it starts; use `signalbox console --endpoint` for another")
        }
    }

    func run() async throws {
        // Configuration and theme errors exit here, before anything is started.
        let prepared = console.prepare()
        let temporary = data == nil
        let directory = data.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("signalbox-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Nothing may write to the terminal the console owns: the stack logs nowhere, the demo to a file.
        let server: StackServer
        do {
            server = try StackAssembly.makeServer(
                configuration: StackConfiguration(port: 0, dataDirectory: directory),
                logger: Logger(label: "signalbox.stack", factory: { _ in SwiftLogNoOpLogHandler() }))
        } catch {
            if temporary { try? FileManager.default.removeItem(at: directory) }
            throw error
        }
        let demoLog = DemoLogFile(url: directory.appendingPathComponent("demo.log"))
        let options = DemoOptions(rate: demoFlags.orderRate, chaos: demoFlags.chaosSpec, log: demoLog.write)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let background = Task {
            defer { portSink.finish() }
            try await server.runWithDemo(handleSignals: false, options: options, region: "us-east-1",
                                         onListening: { port in portSink.yield(port) })
        }
        var iterator = ports.makeAsyncIterator()
        let outcome: Result<Void, any Error>
        if let port = await iterator.next() {
            do {
                let stack = StackEndpoint(url: URL(string: "http://127.0.0.1:\(port)"))
                try await console.openConsole(on: stack, settings: prepared)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
        } else {
            var why = "no reason given"
            if case .failure(let error) = await background.result { why = "\(error)" }
            outcome = .failure(ConsoleOptions.Failure(message: "the local stack did not start: \(why)"))
        }
        // Stop the stack (and the demo) and wait for it, then remove the temporary data.
        background.cancel()
        if case .failure(let stopped as ConsoleOptions.Stopped) = outcome {
            // A signal asks to stop now. Every acknowledged request is already committed, so the
            // stack is not waited for: its graceful shutdown can be held up by the demo's own
            // connections (see the README's known issue), and the operator asked to leave.
            if temporary { try? FileManager.default.removeItem(at: directory) }
            throw stopped.report()
        }
        let stack = await background.result
        if temporary { try? FileManager.default.removeItem(at: directory) }
        switch outcome {
        case .success:
            if case .failure(let error) = stack, !(error is CancellationError) {
                try? FileHandle.standardError.write(contentsOf: Data("signalbox: the local stack stopped: \(error)\n".utf8))
            }
        case .failure(let failure as ConsoleOptions.Failure):
            try? FileHandle.standardError.write(contentsOf: Data("signalbox: \(failure.message)\n".utf8))
            throw ExitCode(2)
        case .failure(let stopped as ConsoleOptions.Stopped):
            throw stopped.report()
        case .failure(let error):
            throw error
        }
    }
}

/// Appends the demo's log lines to a file (the console owns the terminal).
final class DemoLogFile: Sendable {
    private let handle: FileHandle?

    init(url: URL) {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try? FileHandle(forWritingTo: url)
    }

    var write: @Sendable (String) -> Void {
        { [handle] line in handle?.write(Data((line + "\n").utf8)) }
    }
}
