import ArgumentParser
import Foundation
import Demo
import Stack
import Wire

/// `signalbox serve`: the local AWS-compatible stack on one port, durable in SQLite.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the local stack: EventBridge, SQS, Step Functions and Cloud Map wire protocols on one port."
    )

    @Option(help: "Address to bind; loopback unless told otherwise.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (the log line says which).")
    var port = 4599

    @Option(help: "Directory for the durable store (default: $XDG_DATA_HOME/signalbox).")
    var data: String?

    @Option(help: "File of 'ACCESS_KEY_ID SECRET [SESSION_TOKEN] [ACCOUNT_ID]' lines (or a JSON object): verify every SigV4 signature; a key's requests act in its account (else --account-id).")
    var auth: String?

    @Option(name: .customLong("account-id"), help: "The 12-digit account of unsigned requests and of keys that name none.")
    var accountId = "000000000000"

    @Option(help: "The region of requests whose signature names none; a signed request acts in the region it signed for.")
    var region = "us-east-1"

    @Flag(name: .customLong("readonly"), help: "Refuse breaker overrides and chaos changes (403): for a stack others may only watch.")
    var readOnly = false

    @Flag(name: .customLong("no-stream"), help: "Serve no live stream (/_signalbox/stream answers 404, as on AWS): consoles poll, and tail Flows through a tap.")
    var noStream = false

    @Flag(help: "Also run the order-fulfilment demo against this stack (see `signalbox demo`).")
    var demo = false

    @OptionGroup var demoFlags: DemoFlags

    func validate() throws {
        guard accountId.count == 12, accountId.allSatisfy(\.isASCII), accountId.allSatisfy(\.isNumber) else {
            throw ValidationError("--account-id must be 12 digits, got '\(accountId)'")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
        guard StackPartition.isValidRegion(region) else {
            throw ValidationError("--region must look like 'us-east-1', got '\(region)'")
        }
        if demoFlags.given, !demo { throw ValidationError("--rate and --chaos go with --demo") }
    }

    func run() async throws {
        let keys = try auth.map { try AuthFile.load(path: $0) }
        let credentials = keys?.secrets
        let directory = data.map { URL(fileURLWithPath: $0) } ?? StackConfiguration.defaultDataDirectory
        var configuration = StackConfiguration(
            host: host, port: port, dataDirectory: directory, accountId: accountId, region: region,
            credentials: credentials, readOnly: readOnly)
        configuration.sessionTokens = keys?.sessionTokens ?? [:]
        configuration.accounts = keys?.accounts ?? [:]
        configuration.liveStream = !noStream
        let server = try StackAssembly.makeServer(configuration: configuration)
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let authNote = (credentials.map { "SigV4 verified, \($0.count) keys" } ?? "signatures not verified")
            + (readOnly ? ", read-only" : "") + (noStream ? ", no live stream" : "")
        let announce: @Sendable (Int) async -> Void = { port in
            // Written unbuffered: scripts and tests read the port from this line through a pipe.
            let line = "signalbox serve: listening on http://\(shownHost):\(port) (data \(directory.path), account \(accountId), region \(region), \(authNote))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        guard demo else {
            try await server.run(handleSignals: true, onListening: announce)
            return
        }
        do {
            try await server.runWithDemo(
                handleSignals: true,
                options: DemoOptions(rate: demoFlags.orderRate, chaos: demoFlags.chaosSpec, log: DemoRunner.standardOutput),
                region: region, credentials: credentials?.min { $0.key < $1.key }.map {
                    AWSCredentials(accessKeyId: $0.key, secretAccessKey: $0.value, sessionToken: keys?.sessionTokens[$0.key])
                }, onListening: announce)
        } catch let error as DemoError {
            FileHandle.standardError.write(Data("signalbox serve: demo: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
