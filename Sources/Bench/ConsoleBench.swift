import Console
import Foundation
import Provider
import Terminal
#if canImport(Glibc)
import Glibc
#endif

/// `signalbox-bench console`: render time of a full 200×60 frame, bytes written to the
/// terminal per frame (unchanged, one pane changed), and the real console's CPU attached to an
/// idle stack and to the demo (ConsoleCPUBench).
enum ConsoleBench {
    static func run() async throws {
        let now = Date()
        let snapshot = loadSnapshot(now: now)
        var state = ConsoleState(snapshot: snapshot, now: now, themeName: "default", availableThemes: ["default"])
        let size = Size(columns: 200, rows: 60)

        // 1. Render time.
        for _ in 0..<20 { _ = Screen.render(state, size: size) }
        var samples: [Double] = []
        let clock = ContinuousClock()
        for i in 0..<300 {
            if i % 2 == 0 { _ = state.handle(.character("j")) }
            let elapsed = clock.measure { _ = Screen.render(state, size: size) }
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        samples.sort()
        print(String(format: "render 200x60 full frame: median %.3f ms, p95 %.3f ms, max %.3f ms (%d frames, %@ build)",
                     samples[samples.count / 2], samples[samples.count * 95 / 100], samples.last!, samples.count, buildKind))

        // 2. Bytes written per frame, through real ncurses into a file.
        guard let out = tmpfile(), let input = fopen("/dev/null", "r") else { throw BenchError("cannot open temporary files") }
        let backend = try NcursesBackend(output: .headless(terminalType: "xterm-256color", size: size, output: out, input: input))
        let theme = try ThemeCatalog(userDirectory: nil).theme(named: "default")
        backend.apply(styles: theme.resolvedStyles)
        var frame = Screen.render(state, size: size).buffer
        backend.present(frame)
        fflush(out)
        let first = ftell(out)
        backend.present(frame)
        fflush(out)
        let unchanged = ftell(out) - first
        _ = state.handle(.character("5"))
        _ = state.handle(.character("j"))
        frame = Screen.render(state, size: size).buffer
        let before = ftell(out)
        backend.present(frame)
        fflush(out)
        let onePane = ftell(out) - before
        backend.stop()
        fclose(out)
        fclose(input)
        print("bytes written: first full frame \(first), unchanged frame \(unchanged), one pane changed (selection moved) \(onePane)")

        // 3. The real console's CPU, idle and under the demo.
        try ConsoleCPUBench.run()
    }

    static var buildKind: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// A busy system to render: benchmark load, not shown to any operator.
    static func loadSnapshot(now: Date) -> SystemSnapshot {
        let arn = "arn:aws:sqs:us-east-1:000000000000:"
        let queues = (0..<40).map { i in
            Queue(name: "queue-\(i)-在庫", url: "http://127.0.0.1/000000000000/q\(i)", arn: arn + "q\(i)", visibleMessages: i * 7,
                  inFlightMessages: i, deadLetterTargetArn: arn + "dlq", maxReceiveCount: 5)
        }
        let events = (0..<500).map { i in
            FlowEvent(id: "e\(i)", time: now.addingTimeInterval(Double(i) - 500), eventBusName: "orders", source: "com.shop.orders",
                      detailType: i % 3 == 0 ? "OrderPlaced" : "PaymentCharged", matchedRules: ["r\(i % 5)"])
        }
        let breakers = (0..<30).map { i in
            Breaker(service: "svc-\(i % 6)", dependency: "breaker-\(i)", state: i % 4 == 0 ? .open : .closed,
                    failureRate: Double(i % 6 * 10), calls: 20, failures: i % 6, recentFailureRates: (0..<8).map { ($0 * i) % 7 })
        }
        let executions = (0..<200).map { i in
            Execution(name: "order-\(i)", arn: "arn:aws:states:us-east-1:000000000000:execution:order-saga:\(i)",
                      stateMachineName: "order-saga", status: i % 5 == 0 ? .failed : .running,
                      startDate: now.addingTimeInterval(-Double(i * 10)), currentState: "ChargePayment")
        }
        let rules = (0..<20).map { i in
            Rule(name: "rule-\(i)", arn: "r\(i)", eventBusName: "orders", targets: [RuleTarget(id: "1", arn: arn + "q\(i)")])
        }
        return SystemSnapshot(connection: .connected(since: now), endpoint: EndpointDescription(name: "bench"),
                              buses: [EventBus(name: "orders", arn: "arn:aws:events:us-east-1:000000000000:event-bus/orders")],
                              rules: rules, recentEvents: EventRing(events), queues: queues, breakers: breakers, executions: executions)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
