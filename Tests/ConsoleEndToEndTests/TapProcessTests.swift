import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `signalbox tail --tap` and `signalbox tap --cleanup` as processes, against the two
/// endpoints without the live stream this machine has: `signalbox serve --no-stream` and
/// moto_server (standing in for AWS). Events put on a bus appear; a clean exit (SIGINT,
/// SIGTERM, the reader going away) leaves no `signalbox-tap-*` rule or queue; after `kill -9`
/// the expired tap is found and removed by `signalbox tap --cleanup`.
@Suite(.serialized) struct TapProcessTests {
    /// An endpoint without the stream, started here and killed by pid.
    final class Endpoint {
        let process = Process()
        let port: Int
        private var data: String?

        /// `signalbox serve --no-stream` on a free port.
        init(stackWithoutStream binary: String) throws {
            port = try freePort()
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-tap-\(UUID().uuidString)").path
            self.data = data
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve", "--port", "\(port)", "--data", data, "--no-stream"]
            try start()
        }

        /// `python3 -m moto.server` on a free loopback port.
        init(moto: Void) throws {
            port = try freePort()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"]
            try start()
        }

        private func start() throws {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        var url: String { "http://127.0.0.1:\(port)" }

        /// Answers an AWS call (moto takes a few seconds to import).
        func waitUntilServing() async throws {
            for _ in 0..<300 {
                if (try? boto3("sqs.list_queues()")) != nil { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw E2EError("\(url) did not answer")
        }

        /// Runs Python with boto3 against the endpoint; returns what it printed.
        @discardableResult
        func boto3(_ script: String) throws -> String {
            let prelude = """
            import boto3, json
            kw = dict(endpoint_url="\(url)", region_name="us-east-1", aws_access_key_id="signalbox", aws_secret_access_key="signalbox")
            sqs = boto3.client("sqs", **kw)
            events = boto3.client("events", **kw)

            """
            let result = spawnAndWait("/usr/bin/env", ["python3", "-c", prelude + script], environment: TapProcessTests.environment())
            guard result.status == 0 else { throw E2EError("boto3 script failed (\(result.status)): \(result.output)") }
            return result.output
        }

        /// The `signalbox-tap-*` queues and rules (on every bus) the endpoint holds.
        func tapResources() throws -> [String] {
            let output = try boto3("""
            names = [u.rsplit("/", 1)[-1] for u in sqs.list_queues(QueueNamePrefix="signalbox-tap-").get("QueueUrls", [])]
            for bus in events.list_event_buses()["EventBuses"]:
                names += [bus["Name"] + "/" + r["Name"] for r in events.list_rules(NamePrefix="signalbox-tap-", EventBusName=bus["Name"])["Rules"]]
            print(json.dumps(names))
            """)
            return (try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String]) ?? []
        }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if let data { try? FileManager.default.removeItem(atPath: data) }
        }
    }

    /// No profile files and the stack's keys: the endpoint URL decides.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_CONFIG_FILE"] = "/dev/null"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        environment["AWS_ACCESS_KEY_ID"] = "signalbox"
        environment["AWS_SECRET_ACCESS_KEY"] = "signalbox"
        environment["USER"] = "tester"
        environment["XDG_CONFIG_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-none").path
        return environment.merging(extra) { $1 }
    }

    /// `signalbox tail --tap …` with stdout and stderr read as they come.
    static func tail(_ binary: String, _ endpoint: Endpoint, environment: [String: String] = [:]) throws -> TailProcessTests.Tailing {
        try TailProcessTests.Tailing(binary: binary, arguments: ["--endpoint", endpoint.url, "--tap", "--format", "json"],
                                     environment: Self.environment(environment))
    }

    static func putEvents(_ endpoint: Endpoint, bus: String = "default") throws {
        try endpoint.boto3("""
        events.put_events(Entries=[{"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps({"orderId": "ord-7"}), "EventBusName": "\(bus)"}])
        """)
    }

    /// Events appear, SIGINT (130) or SIGTERM (143) removes the tap; then `kill -9` leaves one
    /// that `signalbox tap --cleanup` removes once its short lifetime has passed.
    static func tapEndToEnd(binary: String, endpoint: Endpoint, signal: Int32) async throws {
        try endpoint.boto3(#"events.create_event_bus(Name="orders")"#)
        let tail = try Self.tail(binary, endpoint)
        defer { if tail.process.isRunning { kill(tail.process.processIdentifier, SIGKILL) } }
        try await tail.waitFor("the tap") { tail.stderr.contains("through tap") }
        #expect(tail.stderr.contains("on default, orders"), "\(tail.stderr)")
        #expect(try endpoint.tapResources().count == 3, "one queue, a rule on each of two buses")
        try Self.putEvents(endpoint)
        try Self.putEvents(endpoint, bus: "orders")
        try await tail.waitFor("two events") { tail.lines.count >= 2 }
        let frames = try tail.lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(frames.allSatisfy { $0["type"] as? String == "event" })
        #expect(tail.lines.allSatisfy { $0.contains(#""orderId":"ord-7""#) && $0.contains(#""matched":[]"#) })

        kill(tail.process.processIdentifier, signal)
        tail.process.waitUntilExit()
        #expect(tail.process.terminationStatus == 128 + signal)
        #expect(tail.stderr.contains("removed: target of rule signalbox-tap-") && tail.stderr.contains(", queue signalbox-tap-tester-"),
                "\(tail.stderr)")
        #expect(try endpoint.tapResources().isEmpty, "no signalbox-tap-* rule or queue remains")

        // A tail killed with -9 cannot clean up: its tap stays until it expires.
        let crashed = try Self.tail(binary, endpoint, environment: ["SIGNALBOX_TAP_LIFETIME": "1"])
        try await crashed.waitFor("the second tap") { crashed.stderr.contains("through tap") }
        kill(crashed.process.processIdentifier, SIGKILL)
        crashed.process.waitUntilExit()
        #expect(try endpoint.tapResources().count == 3)
        try await Task.sleep(for: .seconds(2))
        let listed = spawnAndWait(binary, ["tap", "--endpoint", endpoint.url], environment: Self.environment())
        #expect(listed.status == 0 && listed.output.contains("(expired)"), "\(listed.output)")
        #expect(try endpoint.tapResources().count == 3, "listing removes nothing")
        let cleaned = spawnAndWait(binary, ["tap", "--cleanup", "--endpoint", endpoint.url], environment: Self.environment())
        #expect(cleaned.status == 0, "\(cleaned.output)")
        #expect(cleaned.output.contains("removed queue signalbox-tap-tester-"), "\(cleaned.output)")
        #expect(cleaned.output.contains("removed rule signalbox-tap-") && cleaned.output.contains("on orders"), "\(cleaned.output)")
        #expect(try endpoint.tapResources().isEmpty)
    }

    @Test func tapOnAStackWithoutItsStream() async throws {
        let binary = try signalboxBinary()
        let endpoint = try Endpoint(stackWithoutStream: binary)
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        // Without --tap the stream's absence is named, with the way out.
        let refused = spawnAndWait(binary, ["tail", "--endpoint", endpoint.url], environment: Self.environment())
        #expect(refused.status == 1)
        #expect(refused.output.contains("has no live stream") && refused.output.contains("--tap"), "\(refused.output)")
        try await Self.tapEndToEnd(binary: binary, endpoint: endpoint, signal: SIGTERM)
    }

    @Test(.enabled(if: spawnAndWait("/usr/bin/env", ["python3", "-c", "import moto.server"]).status == 0, "moto is not installed"))
    func tapOnMoto() async throws {
        let binary = try signalboxBinary()
        let endpoint = try Endpoint(moto: ())
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        try await Self.tapEndToEnd(binary: binary, endpoint: endpoint, signal: SIGINT)
    }

    @Test func theReaderGoingAwayRemovesTheTap() async throws {
        let binary = try signalboxBinary()
        let endpoint = try Endpoint(stackWithoutStream: binary)
        defer { endpoint.stop() }
        try await endpoint.waitUntilServing()
        let pipeline = Process()
        pipeline.executableURL = URL(fileURLWithPath: "/bin/bash")
        pipeline.arguments = ["-c", "\(shellQuote(binary)) tail --tap --endpoint \(endpoint.url) --format json | head -1; echo \"rc=${PIPESTATUS[0]}\""]
        pipeline.environment = Self.environment()
        let output = Pipe()
        pipeline.standardOutput = output
        pipeline.standardError = FileHandle.nullDevice
        try pipeline.run()
        defer { if pipeline.isRunning { kill(pipeline.processIdentifier, SIGKILL) } }
        // Events until the pipeline ends: the tail learns that head left on its next write.
        for round in 0..<100 where pipeline.isRunning {
            try Self.putEvents(endpoint)
            try await Task.sleep(for: .milliseconds(round < 10 ? 300 : 600))
        }
        pipeline.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix(#"{"v":1,"type":"event""#) == true, "\(text)")
        #expect(lines.last == "rc=0", "the tail exits 0 once its reader has gone, after removing its tap")
        #expect(try endpoint.tapResources().isEmpty, "no signalbox-tap-* rule or queue remains")
    }
}
