// signalbox-bench breaker: the cost of a breaker on a service's hot path.
// Figures are per call, in wall time and in process CPU time (the CPU figure is the one to
// trust on a busy machine: other processes inflate wall time, not our CPU time).
import CircuitBreaker
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

enum CircuitBreakerBench {
    struct Failure: Error {}

    struct Sample {
        var wall: Duration
        var cpuSeconds: Double
    }

    static func run() async throws {
        let id = BreakerID(service: "bench", dependency: "gateway")
        let calls = 1_000_000

        for (label, window) in [("count window 100", SlidingWindow.count(size: 100)),
                                ("time window 60 s", SlidingWindow.time(seconds: 60))] {
            let breaker = try CircuitBreaker(
                id: id, configuration: .init(slidingWindow: window, minimumNumberOfCalls: 100))
            let sample = measure {
                for index in 0..<calls {
                    guard let permit = try? breaker.acquirePermission() else { continue }
                    if index % 10 == 0 {
                        breaker.onError(permit, duration: .milliseconds(12), error: Failure())
                    } else {
                        breaker.onSuccess(permit, duration: .milliseconds(3))
                    }
                }
            }
            report("acquire + record, 1 task, \(label)", sample, calls)
        }

        let open = try CircuitBreaker(id: id, configuration: .init(slidingWindow: .count(size: 10),
                                                                   minimumNumberOfCalls: 10))
        open.apply(.forceOpen(by: "bench", reason: ""))
        report("rejected call (forced open)", measure {
            for _ in 0..<calls { _ = try? open.acquirePermission() }
        }, calls)

        let shared = try CircuitBreaker(id: id, configuration: .init(slidingWindow: .count(size: 100)))
        let start = (ContinuousClock.now, cpuSeconds())
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<(calls / 2) {
                        if let permit = try? shared.acquirePermission() {
                            shared.onSuccess(permit, duration: .milliseconds(3))
                        }
                    }
                }
            }
        }
        report("acquire + record, 2 tasks contending",
               Sample(wall: start.0.duration(to: .now), cpuSeconds: cpuSeconds() - start.1), calls)

        let runner = try CircuitBreaker(id: id, configuration: .init(slidingWindow: .count(size: 100)))
        let runs = 100_000
        var begin = (ContinuousClock.now, cpuSeconds())
        for _ in 0..<runs { _ = try await runner.run { 1 } }
        report("run { } without timeout", Sample(wall: begin.0.duration(to: .now), cpuSeconds: cpuSeconds() - begin.1), runs)
        begin = (ContinuousClock.now, cpuSeconds())
        for _ in 0..<runs { _ = try await runner.run(timeout: .seconds(5)) { 1 } }
        report("run(timeout:) { } (task group + timer)",
               Sample(wall: begin.0.duration(to: .now), cpuSeconds: cpuSeconds() - begin.1), runs)

        let snapshots = 10_000
        report("snapshot()", measure { for _ in 0..<snapshots { _ = runner.snapshot() } }, snapshots)
        var bytes = 0
        report("snapshot() + JSON text", measure {
            for _ in 0..<snapshots { bytes = runner.snapshot().json.serialized.utf8.count }
        }, snapshots)
        print("snapshot JSON size: \(bytes) bytes")
    }

    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func measure(_ body: () -> Void) -> Sample {
        let start = ContinuousClock.now
        let cpu = cpuSeconds()
        body()
        return Sample(wall: start.duration(to: .now), cpuSeconds: cpuSeconds() - cpu)
    }

    static func report(_ label: String, _ sample: Sample, _ count: Int) {
        let (seconds, attoseconds) = sample.wall.components
        let wallNanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        let wallEach = Int((wallNanoseconds / Double(count)).rounded())
        let cpuEach = Int((sample.cpuSeconds * 1e9 / Double(count)).rounded())
        let perSecond = Int((Double(count) / (sample.cpuSeconds > 0 ? sample.cpuSeconds : 1e-9)).rounded())
        print("\(label): \(cpuEach) ns CPU each (\(perSecond)/s of CPU), \(wallEach) ns wall each, \(count) calls")
    }
}
