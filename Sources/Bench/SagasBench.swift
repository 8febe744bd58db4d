import Console
import Foundation
import JSON
import Provider
import Stack
import StackClient
import Terminal

/// `signalbox-bench sagas`: 10,000 running executions on a real stack (loopback HTTP, durable
/// store), watched by the console's provider. Prints the Sagas list's render time (goal < 20 ms)
/// beside the same list with 100 executions, alternating, and the Step Functions calls per
/// minute the provider makes, each set against AWS's throttling quota for that call.
enum SagasBench {
    static let running = 10_000

    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = StackMetrics()
        let server = try StackAssembly.makeServer(configuration: StackConfiguration(port: 0, dataDirectory: directory),
                                                  metrics: metrics)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run { sink.yield($0) } }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        let endpoint = try StackEndpoint(parsing: "http://127.0.0.1:\(port)")
        let aws = AWSClient(endpoint: endpoint)

        // The order saga's shape: a Pass, then a payment step on an activity no worker polls.
        let activity = try await aws.call(.stepFunctions, "CreateActivity", ["name": "charge"])["activityArn"]?.stringValue ?? ""
        let definition = #"{"StartAt":"Reserve","States":{"Reserve":{"Type":"Pass","Next":"ChargePayment"},"ChargePayment":{"Type":"Task","Resource":"\#(activity)","HeartbeatSeconds":3600,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Refund"}],"End":true},"Refund":{"Type":"Pass","End":true}}}"#
        let machine = try await aws.call(.stepFunctions, "CreateStateMachine", [
            "name": "order-saga", "roleArn": "arn:aws:iam::000000000000:role/saga", "definition": .string(definition),
        ])["stateMachineArn"]?.stringValue ?? ""
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for index in stride(from: lane, to: running, by: 8) {
                        _ = try await aws.call(.stepFunctions, "StartExecution", [
                            "stateMachineArn": .string(machine), "name": .string("order-\(index)"),
                            "input": .string(#"{"orderId":"ord-\#(index)"}"#),
                        ])
                    }
                }
            }
            try await group.waitForAll()
        }
        print("started \(running) executions in \(ms(ContinuousClock.now - started)) ms")

        // The provider as the console runs it (1 s refresh), the Sagas pane on screen with its
        // first 55 rows (a 200×60 list): with the live stream, then polling only, as against AWS.
        let snapshot = try await watch(endpoint, metrics: metrics, liveStream: true, started: started)
        _ = try await watch(endpoint, metrics: metrics, liveStream: false, started: started)

        // Render: the Sagas list zoomed at 200×60, 10,000 executions beside 100, alternating.
        let now = Date()
        var small = snapshot
        small.executions = Array(snapshot.executions.prefix(100))
        func state(_ snapshot: SystemSnapshot) -> ConsoleState {
            var state = ConsoleState(snapshot: snapshot, now: now, themeName: "default")
            _ = state.handle(.character("5"))
            _ = state.handle(.character("z"))
            return state
        }
        let big = state(snapshot), little = state(small)
        let size = Size(columns: 200, rows: 60)
        for _ in 0..<5 { _ = Screen.render(big, size: size); _ = Screen.render(little, size: size) }
        var bigSamples: [Double] = [], littleSamples: [Double] = [], secondSamples: [Double] = [], snapshotSamples: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<60 {
            bigSamples.append(milliseconds(clock.measure { _ = Screen.render(big, size: size) }))
            littleSamples.append(milliseconds(clock.measure { _ = Screen.render(little, size: size) }))
        }
        // The console's clock moving on: each new second judges the stuck rules again and
        // moves AGE; then new snapshots (the provider publishes one when something changed).
        var later = big
        for _ in 0..<10 {
            later.now = later.now.addingTimeInterval(1)
            secondSamples.append(milliseconds(clock.measure { _ = Screen.render(later, size: size) }))
            for _ in 0..<5 { _ = Screen.render(later, size: size) }
        }
        for _ in 0..<5 {
            later.now = later.now.addingTimeInterval(1)
            later.snapshot.takenAt = later.now
            snapshotSamples.append(milliseconds(clock.measure { _ = Screen.render(later, size: size) }))
        }
        bigSamples.sort(); littleSamples.sort(); secondSamples.sort(); snapshotSamples.sort()
        let median = { (samples: [Double]) in samples[samples.count / 2] }
        print(String(format: "Sagas list render 200x60, %d executions: median %.2f ms, p95 %.2f ms (goal < 20 ms); "
                     + "on a new second (stuck rules re-judged): median %.2f ms, worst %.2f ms; on a new snapshot: median %.2f ms",
                     running, median(bigSamples), bigSamples[bigSamples.count * 95 / 100], median(secondSamples), secondSamples.last!,
                     median(snapshotSamples)))
        print(String(format: "  same list with 100 executions: median %.2f ms; ratio %.1f× (%@ build)", median(littleSamples),
                     median(bigSamples) / median(littleSamples), ConsoleBench.buildKind as NSString))
    }

    /// Attaches a provider, waits until it lists every execution, then counts its Step Functions
    /// calls over 20 s of steady polling and prints them per minute against AWS's quotas.
    static func watch(_ endpoint: StackEndpoint, metrics: StackMetrics, liveStream: Bool, started: ContinuousClock.Instant) async throws
        -> SystemSnapshot {
        let provider = StackProvider(endpoint: EndpointDescription(name: "bench"), stack: endpoint,
                                     options: StackProviderOptions(useLiveStream: liveStream))
        provider.watch([.sagas])
        let (relay, relaySink) = AsyncStream.makeStream(of: SystemSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let feed = Task { for await snapshot in provider.snapshots() { relaySink.yield(snapshot) } }
        defer { feed.cancel() }
        var snapshots = relay.makeAsyncIterator()
        var listed: SystemSnapshot?
        while let snapshot = await snapshots.next() {
            if snapshot.executions.count == running, snapshot.stateMachines.first?.definition != nil { listed = snapshot; break }
        }
        guard var snapshot = listed else { throw BenchError("the provider never listed \(running) executions") }
        let onScreen = Array(snapshot.executions.prefix(55).map(\.arn))
        provider.watch(executions: onScreen)
        print("\(liveStream ? "with the live stream" : "polling only (as against AWS)"): provider listed all \(running) running executions "
              + "in \(ms(ContinuousClock.now - started)) ms from the first start")

        let window: Duration = .seconds(20)
        let before = stepFunctionsCalls(metrics)
        let windowStart = ContinuousClock.now
        while ContinuousClock.now - windowStart < window, let next = await snapshots.next() { snapshot = next }
        let seconds = Double((ContinuousClock.now - windowStart).components.seconds)
        let after = stepFunctionsCalls(metrics)
        let held = snapshot.executions.filter { !$0.timeline.isEmpty }.count
        let shownHeld = snapshot.executions.filter { onScreen.contains($0.arn) && !$0.timeline.isEmpty }.count
        print("  after \(Int(seconds)) s: \(held) of \(running) histories held, \(shownHeld) of the \(onScreen.count) on screen")
        print("  Step Functions calls per minute, against AWS's quota in us-east-1 (token bucket refill):")
        for (operation, count) in after.sorted(by: { $0.key < $1.key }) {
            let perMinute = (count - (before[operation] ?? 0)) / seconds * 60
            guard perMinute > 0 else { continue }
            let quota = awsRefillPerSecond[operation].map { q in
                String(format: "quota %.0f/min: %.0f%%%@", q * 60, perMinute / (q * 60) * 100, perMinute > q * 60 ? " — OVER, AWS would throttle" : "")
            } ?? "no published quota"
            print("    " + operation.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%6.0f/min  ", perMinute) + quota)
        }
        await provider.shutdown()
        return snapshot
    }

    /// AWS Step Functions' API throttling quotas, us-east-1/us-west-2/eu-west-1: refill per
    /// second (docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
    static let awsRefillPerSecond: [String: Double] = [
        "ListStateMachines": 5, "DescribeStateMachine": 20, "ListExecutions": 5, "DescribeExecution": 15,
        "GetExecutionHistory": 20, "DescribeStateMachineForExecution": 1,
    ]

    /// Requests the stack answered per Step Functions operation so far.
    static func stepFunctionsCalls(_ metrics: StackMetrics) -> [String: Double] {
        var counts: [String: Double] = [:]
        for sample in metrics.samples() where sample.name == "signalbox_requests_total" {
            guard let operation = sample.labels["operation"], sample.labels["service"] == "AWSStepFunctions"
            else { continue }
            counts[operation, default: 0] += sample.value
        }
        return counts
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func ms(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
