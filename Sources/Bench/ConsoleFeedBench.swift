import AsyncHTTPClient
import Foundation
import StackClient
#if canImport(Glibc)
import Glibc
#endif

/// The "console-feed" area (issue #15: "the console keeps up: it ingests ≥ 20,000 events/s from
/// the stream using < 50 % of a core with memory bounded by the ring; beyond what it can take it
/// drops and counts, and says so on screen"). The stack cannot produce 20,000 events a second on
/// two cores, so here the console's live stream comes from a feeder in the bench process
/// (`StreamFeeder`): the real `signalbox console` runs in a private tmux with its endpoint on
/// the feeder, which serves the stream itself — the stack's frames, encoded by the stack's
/// codec, at a set rate, in the `batch=50` form the console asks for, dropping and counting
/// what the socket cannot take as the stack does — and passes every API call to a real, idle
/// `signalbox serve` (its own process and data directory; the bus bench's 100 rules and ten
/// queues, which the events name).
///
/// Per rate (`SIGNALBOX_BENCH_FEED_RATES`, default 5,000, 10,000, 20,000 and 50,000 events a
/// second), a fresh console, a warm-up, then rounds (`SIGNALBOX_BENCH_ROUNDS`, default 3):
/// events the feeder got into the socket per second, the console process's CPU
/// (/proc/PID/stat) and that per event sent, its peak resident memory (VmHWM) and what it holds
/// at the end (VmRSS), the events the
/// feeder dropped, and the drop count the console itself shows on its screen.
/// `SIGNALBOX_BENCH_TAIL_BUFFER=N` gives the console `tail_buffer = N` (its ring; default
/// 10,000), to show what its memory is bounded by.
enum ConsoleFeedBench {
    static let rates: [Double] = {
        let given = (ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_FEED_RATES"] ?? "").split(separator: ",")
            .compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
        return given.isEmpty ? [5_000, 10_000, 20_000, 50_000] : given
    }()
    static let rounds = Int(ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_ROUNDS"] ?? "").map { max(1, $0) } ?? 3
    static let warmUp: Duration = .seconds(3)
    /// The console's `tail_buffer`, when the bench sets one.
    static let tailBuffer = Int(ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_TAIL_BUFFER"] ?? "")
    static let roundDuration: Duration = .seconds(5)
    /// The goal: this rate taken whole on less than this share of one core.
    static let goalRate = 20_000.0
    static let goalShare = 0.5
    static let queuePrefix = "bench-0-"

    static func run() async throws {
        // The console measured: the signalbox binary beside the bench, or SIGNALBOX_BENCH_STACK
        // (another build of it, to set two builds side by side); the stack is the same binary.
        guard let binary = BenchStack.binary(area: "console-feed") else { return }
        BenchProcesses.endOnSignals()
        defer { BenchProcesses.endAll() }
        let stack = try BenchStack.start(binary, name: "feed")
        defer { stack.stop() }
        try await setUp(stack.url)

        let frames = try FeedFrames(poolSize: 1000, queuePrefix: queuePrefix)
        try frames.check()
        let feeder = try StreamFeeder(stackPort: stack.port, frames: frames)
        defer { feeder.close() }
        print("signalbox console (200x60 tmux) on a feeder at 127.0.0.1:\(feeder.port): the live stream from the feeder, every other"
              + " call forwarded to signalbox serve (own process, idle, 100 rules, 10 queues); event frames as the stack encodes them,"
              + String(format: " %.0f bytes each, %.1f deliveries each carrying its message;", frames.meanFrameBytes, frames.meanDeliveries)
              + " \(rounds) rounds of \(roundDuration) after \(warmUp) per rate, a fresh console per rate"
              + (tailBuffer.map { ", tail_buffer = \($0)" } ?? "") + ":")
        var atGoal: Measured?
        for (index, rate) in rates.enumerated() {
            let measured = try measure(rate: rate, binary: binary, feeder: feeder, showScreen: index == rates.count - 1)
            if rate == goalRate { atGoal = measured }
        }
        if let atGoal {
            let share = atGoal.cpuShare, taken = atGoal.sentPerSecond
            let whole = atGoal.feederDropped == 0 && atGoal.consoleDropped == 0
            let met = share < goalShare && whole && taken >= 0.98 * goalRate
            print(String(format: "  goal: ≥ %.0f events/s on < %.0f%% of a core — %@ (%.0f events/s sent, the console %.1f%% of a core, %@)",
                         goalRate, 100 * goalShare, met ? "met" : "NOT MET", taken, 100 * share,
                         whole ? "nothing dropped" : "frames dropped" as NSString))
        }
    }

    /// The bus bench's rules and ten queues (`bench-0-0` … `bench-0-9`) on the stack, so the
    /// console's polled topology holds what the fed events name.
    static func setUp(_ url: URL) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let aws = AWSClient(endpoint: StackEndpoint(url: url), httpClient: http)
            try await ViewersBench.setUp(aws)
            _ = try await ViewersBench.freshQueues(aws, segment: 0, previous: [])
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// One rate's medians.
    struct Measured {
        var sentPerSecond: Double
        var cpuShare: Double
        var feederDropped: Int
        var consoleDropped: Int
    }

    /// What is read at each round's ends.
    private struct Reading {
        var at = ContinuousClock.now
        var consoleTicks: Int
        var benchSeconds = BusBench.processCPUSeconds()
        var counters: StreamFeeder.Counters
        var consoleDropped: Int?
    }

    static func measure(rate: Double, binary: String, feeder: StreamFeeder, showScreen: Bool) throws -> Measured {
        let streamsBefore = feeder.counters.streams
        // The console reports what its allocator holds (`SIGNALBOX_MALLOC_STATS`; a build before
        // the switch writes nothing, and the line says so).
        let allocatorFile = NSTemporaryDirectory() + "signalbox-feed-malloc-\(getpid())-\(Int(rate)).txt"
        try? FileManager.default.removeItem(atPath: allocatorFile)
        defer { try? FileManager.default.removeItem(atPath: allocatorFile) }
        // A configuration file of its own: the bench's `tail_buffer`, or the defaults.
        let configFile = NSTemporaryDirectory() + "signalbox-feed-config-\(getpid())-\(Int(rate)).toml"
        try (tailBuffer.map { "tail_buffer = \($0)\n" } ?? "").write(toFile: configFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: configFile) }
        let (server, console) = try BenchTmux.start("SIGNALBOX_MALLOC_STATS='\(allocatorFile)' exec '\(binary)' console"
                                                    + " --config '\(configFile)' --endpoint 'http://127.0.0.1:\(feeder.port)'",
                                                    readyWhenShowing: "● connected")
        defer { BenchTmux.end(server: server, pane: console) }
        var subscribed = feeder.counters
        for _ in 0..<100 where subscribed.streams == streamsBefore || subscribed.subscribed == nil {
            usleep(100_000)
            subscribed = feeder.counters
        }
        guard subscribed.streams > streamsBefore, let subscription = subscribed.subscribed else {
            throw BenchError("the console did not subscribe to the feeder's stream within 10 s")
        }
        guard subscription.sentWithEvents else {
            throw BenchError("the console subscribed without sentWithEvents (\(subscription)); the feeder writes only that form")
        }
        feeder.setRate(rate)
        defer { feeder.setRate(0) }
        usleep(UInt32(warmUp.components.seconds) * 1_000_000)

        func read() throws -> Reading {
            guard let ticks = BenchProcesses.cpuTicks(console) else { throw BenchError("the console exited at \(rate) events/s") }
            return Reading(consoleTicks: ticks, counters: feeder.counters, consoleDropped: Self.droppedOnScreen(BenchTmux.screen()))
        }
        var sent: [Double] = [], offered: [Double] = [], shares: [Double] = [], perEvent: [Double] = [], benchShares: [Double] = []
        var feederDropped = 0, consoleDropped: Int?
        var start = try read()
        let firstDropped = start.consoleDropped
        for _ in 0..<rounds {
            usleep(UInt32(roundDuration.components.seconds) * 1_000_000)
            let end = try read()
            let seconds = BusBench.seconds(end.at - start.at)
            let events = end.counters.sent - start.counters.sent
            let cpu = Double(end.consoleTicks - start.consoleTicks) / BenchProcesses.ticksPerSecond
            sent.append(Double(events) / seconds)
            offered.append(Double(end.counters.offered - start.counters.offered) / seconds)
            shares.append(cpu / seconds)
            perEvent.append(1e6 * cpu / Double(max(1, events)))
            benchShares.append((end.benchSeconds - start.benchSeconds) / seconds)
            feederDropped += end.counters.dropped - start.counters.dropped
            consoleDropped = end.consoleDropped
            start = end
        }
        let peak = BenchProcesses.peakResidentBytes(console) ?? 0
        let resident = BenchProcesses.residentBytes(console) ?? 0
        // Written once a second by the console: at most a second old here.
        let allocator = AllocatorFigures(file: allocatorFile)
        let screen = BenchTmux.screen()
        let median = ViewersBench.median
        // What the console says it dropped during the rounds (its count since it started, less
        // what it showed before them).
        let saidDuring = consoleDropped.map { $0 - (firstDropped ?? 0) }
        print(String(format: "  %6.0f/s offered: sent %6.0f events/s, console CPU %5.1f%% of a core (rounds %@), %5.1f µs/event sent,"
                     + " peak RSS %4.0f MB (%4.0f MB at the end; %@); dropped in the rounds: by the feeder %d, on the console's screen %@; the feeder's process %.0f%% of a core",
                     median(offered), median(sent), 100 * median(shares),
                     shares.map { String(format: "%.1f", 100 * $0) }.joined(separator: ", ") as NSString,
                     median(perEvent), Double(peak) / 1_048_576, Double(resident) / 1_048_576,
                     allocator.map(\.summary) ?? "the allocator's figures not reported" as NSString, feederDropped,
                     (saidDuring.map { "\($0) (\(consoleDropped ?? 0) since it started)" } ?? "none shown") as NSString,
                     100 * median(benchShares)))
        if showScreen {
            print("    the console's screen at the end of \(Int(rate)) events/s:")
            for line in screen.split(separator: "\n") {
                let text = line.reversed().drop { $0 == " " }.reversed()
                if !text.isEmpty { print("    | " + String(text)) }
            }
        }
        return Measured(sentPerSecond: median(sent), cpuShare: median(shares), feederDropped: feederDropped,
                        consoleDropped: saidDuring ?? 0)
    }

    /// The drop count the console shows (`N dropped (viewer fell behind)` in the events pane's
    /// summary); nil when the screen shows none.
    static func droppedOnScreen(_ screen: String) -> Int? {
        guard let range = screen.range(of: " dropped (viewer fell behind)") else { return nil }
        let digits = screen[..<range.lowerBound].reversed().prefix { $0.isNumber || $0 == "," }.reversed().filter(\.isNumber)
        return Int(String(digits))
    }
}

/// What the console's allocator held at the end of a rate (`SIGNALBOX_MALLOC_STATS`, written by
/// the console once a second): what the console had in use against what glibc kept after it was
/// freed, which a resident size lumps together.
struct AllocatorFigures {
    var inUse: Int
    var freeHeld: Int

    init?(file: String) {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        var values: [Substring: Int] = [:]
        for pair in text.split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[1]) { values[parts[0]] = value }
        }
        guard let inUse = values["in_use"], let freeHeld = values["free_held"] else { return nil }
        self.inUse = inUse
        self.freeHeld = freeHeld
    }

    var summary: NSString {
        String(format: "malloc in use %.0f MB, freed and held %.0f MB", Double(inUse) / 1_048_576, Double(freeHeld) / 1_048_576) as NSString
    }
}
