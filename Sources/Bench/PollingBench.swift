import Console
import Foundation
import JSON
import Provider
import SignalboxTestSupport
import Stack
import StackClient
import Terminal

/// `signalbox-bench polling`: what one idle console costs the account it watches without the
/// live stream, as against AWS. An account of 300 queues, 100 rules (each with a target) and
/// 1,000 executions is built on a real stack on loopback, then on moto_server; the console's
/// provider is attached through a counting proxy (`AWSProxy`: every request that reached the
/// wire, by API) and told what is on screen exactly as the console's loop tells it (the
/// dashboard at 120×40, rendered by `Screen`). After it has listed everything and settled, the
/// calls of a window are printed per second by API (goal: ≤ 5 a second in all).
enum PollingBench {
    static let queueCount = 300
    static let ruleCount = 100
    static let executionCount = 1_000
    /// Executions left running (waiting on an activity no worker polls); the rest end at once.
    static let runningCount = 100
    static let size = Size(columns: 120, rows: 40)

    static var window: Duration {
        .seconds(Int(ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_WINDOW_S"] ?? "") ?? 60)
    }

    static func run() async throws {
        BenchProcesses.endOnSignals()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try StackAssembly.makeServer(configuration: StackConfiguration(port: 0, dataDirectory: directory))
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run { sink.yield($0) } }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        print("-- the Signalbox stack (loopback, durable store), live stream off as against AWS")
        try await measure(target: "http://127.0.0.1:\(port)", activities: true)

        print("-- moto_server (python3 -m moto.server)")
        let python = BenchProcesses.output("/usr/bin/env", ["python3", "-c", "import sys; print(sys.executable)"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !python.isEmpty else { print("  python3 not found: moto skipped"); return }
        let motoPort = try freeLoopbackPort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-moto-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let moto = try BenchProcesses.spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", "\(motoPort)"], outputPath: log)
        defer { BenchProcesses.end(moto) }
        let target = "http://127.0.0.1:\(motoPort)"
        let probe = AWSClient(endpoint: try StackEndpoint(parsing: target), timeout: .seconds(2))
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? await probe.call(.sqs, "ListQueues")) == nil {
            guard ContinuousClock.now < deadline else { print("  moto_server did not answer within 30 s: skipped"); return }
            try await Task.sleep(for: .milliseconds(200))
        }
        try await measure(target: target, activities: false)
    }

    /// Builds the account on `target`, then attaches a provider through a counting proxy.
    static func measure(target: String, activities: Bool) async throws {
        let aws = AWSClient(endpoint: try StackEndpoint(parsing: target))
        let built = ContinuousClock.now
        try await populate(aws, activities: activities)
        print("  built \(queueCount) queues, \(ruleCount) rules with a target each, \(executionCount) executions "
              + "(\(activities ? "\(runningCount) running on an activity, the rest ended" : "moto keeps every execution RUNNING: it runs no state machine")) "
              + "in \(SagasBench.ms(ContinuousClock.now - built)) ms")
        let proxy = AWSProxy(target: target)
        try await proxy.serve { url in
            let provider = try StackProvider(url: url, name: "bench", options: StackProviderOptions(useLiveStream: false))
            defer { Task { await provider.shutdown() } }
            var console = ConsoleState(snapshot: .notConnected(endpoint: provider.endpoint, reason: "waiting"), now: Date(),
                                       themeName: "default")
            // The console's inputs: snapshots, and a tick every 250 ms as its loop wakes.
            let (inputs, inputSink) = AsyncStream.makeStream(of: SystemSnapshot?.self, bufferingPolicy: .bufferingNewest(8))
            let feed = Task { for await snapshot in provider.snapshots() { inputSink.yield(snapshot) } }
            let ticker = Task { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(250)); inputSink.yield(nil) } }
            defer { feed.cancel(); ticker.cancel() }
            var snapshots = inputs.makeAsyncIterator()
            /// The console loop's part that matters here: take the snapshot, render, tell the provider what is on screen.
            func show(_ snapshot: SystemSnapshot) {
                console.receive(snapshot)
                console.pageSize = Screen.render(console, size: size).pageSize
                provider.watch(console.visibleSections)
                provider.watch(executions: console.executionsOnScreen)
                provider.watch(queues: console.queuesOnScreen)
            }
            let attached = ContinuousClock.now
            while let input = await snapshots.next() {
                guard let snapshot = input else { continue }
                show(snapshot)
                if snapshot.queues.count >= queueCount, snapshot.rules.count >= ruleCount,
                   snapshot.rules.allSatisfy({ !$0.targets.isEmpty }), snapshot.executions.count >= min(executionCount, runningCount + 50) {
                    break
                }
            }
            print("  listed everything in \(SagasBench.ms(ContinuousClock.now - attached)) ms, "
                  + "\(proxy.total) calls; settling for 20 s")
            await follow(&snapshots, for: .seconds(20), show: show)
            func measureWindow(_ view: String, for window: Duration) async {
                let before = proxy.calls
                let started = ContinuousClock.now
                await follow(&snapshots, for: window, show: show)
                let seconds = SagasBench.milliseconds(ContinuousClock.now - started) / 1000
                let after = proxy.calls
                var total = 0.0
                print("  steady state, calls per second over \(Int(seconds)) s (\(view) \(size.columns)x\(size.rows), "
                      + "sections \(console.visibleSections.map(\.rawValue).sorted().joined(separator: ",")), "
                      + "\(console.executionsOnScreen.count) executions and \(console.queuesOnScreen.count) queues on screen):")
                for (api, count) in after.sorted(by: { $0.key < $1.key }) {
                    let perSecond = Double(count - (before[api] ?? 0)) / seconds
                    guard perSecond > 0 else { continue }
                    total += perSecond
                    print("    " + api.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%8.2f/s", perSecond))
                }
                print(String(format: "    %@%8.2f/s  (goal ≤ 5/s)", "all".padding(toLength: 44, withPad: " ", startingAt: 0), total))
                // What the operator is told it costs, beside what reached the wire: the status
                // bar's figure counts the provider's own requests over its last minute (updated
                // every 10 s), so it agrees with the proxy's rate within that.
                if let shown = console.snapshot.polling?.callsPerMinute {
                    print(String(format: "    status bar: %d calls/min; the wire over this window: %.0f calls/min", shown, total * 60))
                }
            }
            await measureWindow("dashboard", for: window)
            // The operator zooms into Queues: a screenful of queues is then read at every poll.
            _ = console.handle(.character("3"))
            _ = console.handle(.character("z"))
            console.pageSize = Screen.render(console, size: size).pageSize
            provider.watch(console.visibleSections)
            provider.watch(queues: console.queuesOnScreen)
            await follow(&snapshots, for: .seconds(10), show: show)
            await measureWindow("Queues zoomed", for: window / 2)
        }
    }

    /// Takes snapshots as they come (nil: a tick, so that an idle console's window ends on
    /// time) until `duration` has passed, showing each.
    static func follow(_ inputs: inout AsyncStream<SystemSnapshot?>.Iterator, for duration: Duration,
                       show: (SystemSnapshot) -> Void) async {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end, let input = await inputs.next() {
            if let snapshot = input { show(snapshot) }
        }
    }

    /// The account: queues `bench-q-N`, rules `bench-rule-N` on the default bus each targeting
    /// queue N, and the executions.
    static func populate(_ aws: AWSClient, activities: Bool) async throws {
        let urls = try await lanes(queueCount) { index in
            try await aws.call(.sqs, "CreateQueue", ["QueueName": .string("bench-q-\(index)")])["QueueUrl"]?.stringValue ?? ""
        }
        _ = try await lanes(ruleCount) { index in
            let arn = try await aws.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(urls[index]), "AttributeNames": ["QueueArn"]])
            _ = try await aws.call(.eventBridge, "PutRule", ["Name": .string("bench-rule-\(index)"),
                                                            "EventPattern": .string(#"{"source":["bench.\#(index)"]}"#)])
            _ = try await aws.call(.eventBridge, "PutTargets", ["Rule": .string("bench-rule-\(index)"), "Targets": [
                ["Id": "queue", "Arn": arn["Attributes"]?["QueueArn"] ?? ""],
            ]])
            return ""
        }
        let role = "arn:aws:iam::123456789012:role/bench"
        let quick = try await aws.call(.stepFunctions, "CreateStateMachine", [
            "name": "bench-quick", "roleArn": .string(role),
            "definition": #"{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}"#,
        ])["stateMachineArn"]?.stringValue ?? ""
        var waitingMachine = quick
        if activities {
            let activity = try await aws.call(.stepFunctions, "CreateActivity", ["name": "bench-charge"])["activityArn"]?.stringValue ?? ""
            waitingMachine = try await aws.call(.stepFunctions, "CreateStateMachine", [
                "name": "bench-waiting", "roleArn": .string(role),
                "definition": .string(#"{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"\#(activity)","HeartbeatSeconds":3600,"End":true}}}"#),
            ])["stateMachineArn"]?.stringValue ?? ""
        }
        let waiting = waitingMachine
        _ = try await lanes(executionCount) { index in
            let machine = index < runningCount ? waiting : quick
            _ = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(machine), "name": .string("run-\(index)"),
                                                                      "input": .string(#"{"orderId":"ord-\#(index)"}"#)])
            return ""
        }
    }

    /// `body(0..<count)` eight at a time; the results in index order.
    static func lanes(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> String) async throws -> [String] {
        try await withThrowingTaskGroup(of: [(Int, String)].self) { group in
            for lane in 0..<8 {
                group.addTask {
                    var done: [(Int, String)] = []
                    for index in stride(from: lane, to: count, by: 8) { done.append((index, try await body(index))) }
                    return done
                }
            }
            var results = [String](repeating: "", count: count)
            for try await done in group { for (index, value) in done { results[index] = value } }
            return results
        }
    }
}
