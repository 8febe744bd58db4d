import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `signalbox tail` as a process against a real `signalbox serve`: what scripts rely on.
@Suite(.serialized) struct TailProcessTests {
    /// `signalbox tail ARGS` with stdout and stderr read as they come.
    final class Tailing: @unchecked Sendable {
        let process = Process()
        let output = Pipe(), errors = Pipe()
        private let lock = NSLock()
        private var outText = "", errText = ""
        /// Each pipe read to its end (the handler saw no more data).
        private var outEnded = false, errEnded = false

        init(binary: String, arguments: [String], environment: [String: String]? = nil) throws {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["tail"] + arguments
            if let environment { process.environment = environment }
            process.standardOutput = output
            process.standardError = errors
            output.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil }
                self?.lock.withLock {
                    self?.outText += String(decoding: data, as: UTF8.self)
                    if data.isEmpty { self?.outEnded = true }
                }
            }
            errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil }
                self?.lock.withLock {
                    self?.errText += String(decoding: data, as: UTF8.self)
                    if data.isEmpty { self?.errEnded = true }
                }
            }
            try process.run()
        }

        var lines: [String] { lock.withLock { outText.split(separator: "\n").map(String.init) } }
        var stderr: String { lock.withLock { errText } }

        func waitFor(_ what: String, _ condition: () -> Bool) async throws {
            for _ in 0..<300 {
                if condition() { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw E2EError("timed out waiting for \(what); stdout: \(lines), stderr: \(stderr)")
        }

        /// Waits for the process to exit and for all it wrote to be read: `waitUntilExit` returns
        /// before the handlers have read its last lines (a test once found the tap's
        /// "removed: …" line missing from stderr that way).
        func waitUntilDone() async throws -> Int32 {
            process.waitUntilExit()
            try await waitFor("the end of its output") { lock.withLock { outEnded && errEnded } }
            return process.terminationStatus
        }

        func interrupt() async throws -> Int32 {
            kill(process.processIdentifier, SIGINT)
            return try await waitUntilDone()
        }
    }

    static func putEvents(_ endpoint: ServedEndpoint, sources: [String]) throws {
        let entries = sources.enumerated().map { #"{"Source": "\#($1)", "DetailType": "Order Created", "Detail": json.dumps({"orderId": "ord-\#($0)"})}"# }
        try endpoint.boto3("events.put_events(Entries=[\(entries.joined(separator: ", "))])")
    }

    @Test func jsonLinesForScriptsAndAPatternTheStackApplies() async throws {
        let binary = try signalboxBinary()
        let served = try ServedEndpoint(stack: binary)
        defer { served.stop() }
        try await served.waitUntilServing()

        let all = try Tailing(binary: binary, arguments: ["--endpoint", served.url, "--format", "json"])
        defer { if all.process.isRunning { kill(all.process.processIdentifier, SIGKILL) } }
        let filtered = try Tailing(binary: binary, arguments: ["--endpoint", served.url, "--format", "json",
                                                               "--pattern", #"{"source":["shop.orders"]}"#])
        defer { if filtered.process.isRunning { kill(filtered.process.processIdentifier, SIGKILL) } }
        try await all.waitFor("the first tail's subscription") { all.stderr.contains("following events on \(served.url)") }
        try await filtered.waitFor("the filtered tail's subscription") { filtered.stderr.contains("(pattern applied by the stack)") }

        try Self.putEvents(served, sources: ["shop.orders", "shop.payments", "shop.orders"])
        try await all.waitFor("three events") { all.lines.count >= 3 }
        try await filtered.waitFor("two events") { filtered.lines.count >= 2 }
        let frames = try all.lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(frames.map { $0["type"] as? String } == ["event", "event", "event"])
        let sources = frames.compactMap { (($0["data"] as? [String: Any])?["event"] as? [String: Any])?["source"] as? String }
        #expect(sources == ["shop.orders", "shop.payments", "shop.orders"])
        #expect(filtered.lines.allSatisfy { $0.contains(#""source":"shop.orders""#) })
        #expect(filtered.lines.count == 2)

        #expect(try await all.interrupt() == 130, "SIGINT ends the tail with 128 + 2")
        #expect(!all.stderr.contains("Fatal"))
        _ = try await filtered.interrupt()
    }

    /// `signalbox tail ARGS | head -1` in bash, `feed` putting events until the pipeline ends
    /// (the tail learns that head left on its next write); what the pipeline printed, ending
    /// with `rc=` and the tail's exit status.
    static func tailIntoHeadOne(_ binary: String, _ arguments: [String], environment: [String: String]? = nil,
                                feed: () throws -> Void) async throws -> String {
        let pipeline = Process()
        pipeline.executableURL = URL(fileURLWithPath: "/bin/bash")
        pipeline.arguments = ["-c", ([shellQuote(binary), "tail"] + arguments.map(shellQuote)).joined(separator: " ")
            + " | head -1; echo \"rc=${PIPESTATUS[0]}\""]
        if let environment { pipeline.environment = environment }
        let output = Pipe()
        pipeline.standardOutput = output
        pipeline.standardError = FileHandle.nullDevice
        try pipeline.run()
        defer { if pipeline.isRunning { kill(pipeline.processIdentifier, SIGKILL) } }
        for round in 0..<100 where pipeline.isRunning {
            try feed()
            try await Task.sleep(for: .milliseconds(round < 10 ? 300 : 600))
        }
        pipeline.waitUntilExit()
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func headOneEndsTheTailCleanly() async throws {
        let binary = try signalboxBinary()
        let served = try ServedEndpoint(stack: binary)
        defer { served.stop() }
        try await served.waitUntilServing()
        let text = try await Self.tailIntoHeadOne(binary, ["--endpoint", served.url, "--format", "json"]) {
            try Self.putEvents(served, sources: ["shop.orders"])
        }
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2, "\(text)")
        #expect(lines.first?.hasPrefix(#"{"v":1,"type":"event""#) == true)
        #expect(lines.last == "rc=0", "the tail exits 0 once its reader has gone, not killed by SIGPIPE (141)")
    }

    @Test func anEndpointWithoutTheStreamIsNamedAndRefused() throws {
        let binary = try signalboxBinary()
        let port = try freePort()
        // A plain HTTP server that is not Signalbox: 404 for /_signalbox/health.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var result = spawnAndWait(binary, ["tail", "--endpoint", "http://127.0.0.1:\(port)"])
        for _ in 0..<50 where result.output.contains("cannot reach") {
            usleep(100_000)
            result = spawnAndWait(binary, ["tail", "--endpoint", "http://127.0.0.1:\(port)"])
        }
        #expect(result.status == 1)
        #expect(result.output.contains("has no live stream: it is not a Signalbox stack"), "\(result.output)")

        let bad = spawnAndWait(binary, ["tail", "--endpoint", "http://127.0.0.1:\(port)", "--topics", "events,nonsense"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("'nonsense' is not a topic"))
        let badPattern = spawnAndWait(binary, ["tail", "--pattern", #"{"source":"not-a-list"}"#])
        #expect(badPattern.status != 0)
        #expect(badPattern.output.contains("--pattern"))
    }
}
