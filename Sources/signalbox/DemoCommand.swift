import ArgumentParser
import Demo
import Foundation
import StackClient

/// `signalbox demo --endpoint URL`: the order-fulfilment demo against any endpoint (the local
/// stack, moto, LocalStack), through public APIs only, until SIGINT or SIGTERM.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the order-fulfilment demo system against an endpoint.",
        discussion: """
        Sets up bus shop-bus, state machine order-saga, queues notification and analytics \
        (DLQ analytics-dlq) and namespace shop.local (idempotently), then runs the order, inventory, \
        payment, shipping, notification and analytics services, logging one line of counts per second. \
        On a Signalbox stack, faults can be changed at run time: PUT /_signalbox/chaos {"spec": "..."}.
        """
    )

    @Option(help: "The endpoint to run against, e.g. http://127.0.0.1:4599.")
    var endpoint: String

    @Option(help: "The region to sign requests for.")
    var region = "us-east-1"

    @OptionGroup var flags: DemoFlags

    func validate() throws {
        do { _ = try StackEndpoint(parsing: endpoint, region: region) } catch { throw ValidationError("--endpoint: \(error)") }
    }

    func run() async throws {
        let target = try StackEndpoint(parsing: endpoint, region: region)
        let system = DemoSystem(endpoint: target, options: DemoOptions(
            rate: flags.orderRate, chaos: flags.chaosSpec, log: DemoRunner.standardOutput))
        try await DemoRunner.runUntilSignal(system)
    }
}

/// Runs a demo system in the foreground of a command.
enum DemoRunner {
    /// Writes a line unbuffered (scripts and tests read it through a pipe).
    static let standardOutput: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Runs `system` until SIGINT or SIGTERM; a failed setup is reported and exits 1.
    static func runUntilSignal(_ system: DemoSystem) async throws {
        let running = Task { try await system.run() }
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { running.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        switch await running.result {
        case .success:
            standardOutput("demo: stopped")
        case .failure(let error):
            FileHandle.standardError.write(Data("signalbox demo: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
