import AsyncHTTPClient
import Foundation
import JSON
import StackClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The "viewers" area (issue #15, "the bus does not pay for its viewers"): PutEvents throughput
/// over HTTP from 32 connections into `signalbox serve` (its own process, 100 mixed rules with
/// SQS targets, as the "bus" area), with nobody on the live stream, then beside it in the same
/// run, alternating, several rounds: one attached console (`signalbox console` in a private
/// tmux), one viewer that reads and discards every frame, one viewer that never reads (a stalled
/// socket), and ten reading viewers. Each round's throughput is set against the no-viewer figure
/// of the same round. Goals: one console ≥ 90 %, a stalled viewer ≥ 95 %, ten viewers ≥ 75 %.
///
/// The raw viewers are plain sockets that complete the WebSocket handshake on
/// `/_signalbox/stream?topics=events` (or `SIGNALBOX_BENCH_READER_QUERY`, and with
/// `SIGNALBOX_BENCH_READER_SUBSCRIBE` a viewer message such as the console's `subscribe`) and then
/// read bytes without decoding them (or never read),
/// so their figures are the stack's own cost per viewer; the console's figure also includes the
/// console's work (decoding and drawing) on the same two cores.
enum ViewersBench {
    enum Scenario: String, CaseIterable {
        case none = "no viewer"
        case console = "1 console"
        case reader = "1 reading viewer"
        case stalled = "1 stalled viewer"
        case readers = "10 reading viewers"
        /// No viewer, but a process of its own session that keeps a set share of one core busy
        /// (`SIGNALBOX_BENCH_LOAD`, default 0.25): the yardstick for the console's figure, since on
        /// two cores whatever CPU the console takes, the stack and its senders lose. Only run
        /// when named in `SIGNALBOX_BENCH_VIEWERS`.
        case load = "a CPU load"

        /// The goal as a fraction of the no-viewer figure, where the issue sets one.
        var goal: Double? {
            switch self {
            case .console: 0.90
            case .stalled: 0.95
            case .readers: 0.75
            case .none, .reader, .load: nil
            }
        }
    }

    /// Rounds per scenario (`SIGNALBOX_BENCH_ROUNDS`, default 4): an even count, so the ABBA
    /// order (below) puts the scenario first as often as second.
    static let rounds = Int(ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_ROUNDS"] ?? "").map { max(1, $0) } ?? 4
    static let roundDuration: Duration = .seconds(4)
    static let senders = 32
    /// The share of one core the `load` scenario keeps busy.
    static let loadShare = Double(ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_LOAD"] ?? "").map { min(1, max(0.01, $0)) } ?? 0.25
    /// The megabytes the `load` scenario's spin writes through (`SIGNALBOX_BENCH_LOAD_MB`, default 0: registers only).
    static let loadMegabytes = Int(ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_LOAD_MB"] ?? "").map { max(0, $0) } ?? 0

    static func run() async throws {
        // The stack measured: the signalbox binary beside the bench, or SIGNALBOX_BENCH_STACK
        // (another build of it, to set two builds side by side).
        guard let binary = BenchStack.binary(area: "viewers") else { return }
        BenchProcesses.endOnSignals()
        defer { BenchProcesses.endAll() }
        let stack = try BenchStack.start(binary, name: "viewers")
        defer { stack.stop() }

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: senders)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measure(AWSClient(endpoint: StackEndpoint(url: stack.url), httpClient: http), binary: binary,
                              endpoint: stack.endpoint, port: stack.port, serve: stack.pid)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// The rounds, and their figures printed; `serve` is the stack's process, whose CPU each
    /// segment reads. Each viewer scenario is measured next to a no-viewer segment, and its
    /// figure is set against that one; the pair's order alternates round by round (ABBA: no
    /// viewer first, then the scenario first), so a drift through the run (the database grows,
    /// the machine's load moves) weighs on both sides alike instead of always on the second.
    /// Every segment starts on 10 empty queues (the last
    /// segment's are deleted unmeasured), so a backlog that grows through the run does not
    /// weigh on later segments (the console polls every queue's counts).
    static func measure(_ aws: AWSClient, binary: String, endpoint endpointURL: String, port: Int, serve: pid_t) async throws {
        let scenarios = selectedScenarios()
        print("PutEvents over HTTP, \(senders) connections, 10 entries of ~1 KB per call, 100 mixed rules with SQS targets;"
              + " stack: signalbox serve (own process); \(rounds) rounds, each scenario for \(roundDuration) next to"
              + " no viewer for as long (ABBA order), 10 empty queues each time:")
        try await setUp(aws)
        var segment = 0
        var queues = try await freshQueues(aws, segment: segment, previous: [])
        _ = try await load(aws, for: .seconds(2))   // warm-up
        var rates: [Scenario: [Double]] = [:]
        var ratios: [Scenario: [Double]] = [:]
        var stackCPU: [Scenario: [Double]] = [:]
        var programCPU: [Scenario: [Double]] = [:]
        var programPeak = 0
        for round in 0..<rounds {
            for scenario in scenarios {
                var baseline = 0.0, scenarioRate = 0.0
                for measured in round % 2 == 0 ? [Scenario.none, scenario] : [scenario, .none] {
                    segment += 1
                    queues = try await freshQueues(aws, segment: segment, previous: queues)
                    let viewers = try attach(measured, binary: binary, endpoint: endpointURL, port: port)
                    let ticks = BenchProcesses.cpuTicks(serve) ?? 0
                    let programTicks = viewers.program.flatMap { BenchProcesses.cpuTicks($0.pane) }
                    let (rate, events) = try await load(aws, for: roundDuration)
                    let used = Double((BenchProcesses.cpuTicks(serve) ?? 0) - ticks) / BenchProcesses.ticksPerSecond
                    if let program = viewers.program, let before = programTicks, let after = BenchProcesses.cpuTicks(program.pane) {
                        let seconds = Double(after - before) / BenchProcesses.ticksPerSecond
                        programCPU[measured, default: []].append(1e6 * seconds / Double(max(1, events)))
                        if measured == .console { programPeak = max(programPeak, BenchProcesses.peakResidentBytes(program.pane) ?? 0) }
                    }
                    viewers.detach()
                    rates[measured, default: []].append(rate)
                    stackCPU[measured, default: []].append(1e6 * used / Double(max(1, events)))
                    if measured == .none { baseline = rate } else { scenarioRate = rate }
                }
                ratios[scenario, default: []].append(scenarioRate / max(1, baseline))
            }
        }
        for scenario in [Scenario.none] + scenarios {
            let list = rates[scenario] ?? []
            var line = "  " + scenario.rawValue.padding(toLength: 19, withPad: " ", startingAt: 0)
                + String(format: " median %6.0f events/s, stack CPU %3.0f µs/event", median(list), median(stackCPU[scenario] ?? []))
            if scenario == .console, let consoleCPU = programCPU[.console] {
                // The console's own CPU per event it took in, and what that would make of one core.
                line += String(format: ", console CPU %.1f µs/event (one core would take %.0f events/s), peak RSS %.0f MB",
                               median(consoleCPU), 1e6 / max(0.1, median(consoleCPU)), Double(programPeak) / 1_048_576)
            }
            if scenario == .load, let loadCPU = programCPU[.load] {
                // What the load took, in the console's unit: CPU per event the stack accepted meanwhile.
                line += String(format: ", the load %.0f%% of a core asked (through %d MB), %.1f µs/event taken", 100 * loadShare,
                               loadMegabytes, median(loadCPU))
            }
            if let relative = ratios[scenario] {
                line += String(format: "; %.0f%% of no viewer (quartiles %.0f%%, %.0f%%; rounds %@)", 100 * median(relative),
                               100 * StackBench.percentile(relative, 0.25), 100 * StackBench.percentile(relative, 0.75),
                               relative.map { String(format: "%.0f%%", 100 * $0) }.joined(separator: ", ") as NSString)
                // One resampling for both ends: how far the median of this many noisy rounds could move.
                let interval = BusBench.medianInterval(relative)
                line += String(format: "; the median's 95%% interval %.0f%%–%.0f%%", 100 * interval.lower, 100 * interval.upper)
                if let goal = scenario.goal {
                    line += String(format: " — goal ≥ %.0f%%: %@", 100 * goal, median(relative) >= goal
                                   ? (interval.lower >= goal ? "met, beyond the noise" : "met by the median, not beyond the noise")
                                   : "NOT MET")
                }
            }
            print(line)
        }
        // Two no-viewer segments of neighbouring rounds differ by the machine's noise alone: the
        // spread a scenario's single rounds would show if it cost nothing.
        let alone = rates[.none] ?? []
        if alone.count > 2 {
            let neighbours = zip(alone.dropFirst(), alone).map { $0 / $1 }
            print(String(format: "  no viewer against the one before it (the noise alone): median %.0f%%, quartiles %.0f%%, %.0f%%",
                         100 * median(neighbours), 100 * StackBench.percentile(neighbours, 0.25),
                         100 * StackBench.percentile(neighbours, 0.75)))
        }
    }

    /// The viewer scenarios to run: all, or those `SIGNALBOX_BENCH_VIEWERS` names
    /// (comma-separated: console, reader, stalled, readers, load), to profile one.
    static func selectedScenarios() -> [Scenario] {
        let names: [String: Scenario] = ["console": .console, "reader": .reader, "stalled": .stalled, "readers": .readers, "load": .load]
        guard let given = ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_VIEWERS"] else {
            return Scenario.allCases.filter { $0 != .none && $0 != .load }
        }
        return given.split(separator: ",").compactMap { names[String($0)] }
    }

    // MARK: the stack and its load

    static func setUp(_ aws: AWSClient) async throws {
        for (index, pattern) in BusBench.rulePatterns().enumerated() {
            _ = try await aws.call(.eventBridge, "PutRule", ["Name": .string("rule-\(index)"), "EventPattern": .string(pattern.serialized)])
        }
    }

    /// Points the 100 rules at 10 new, empty queues and deletes `previous` (their URLs);
    /// returns the new queues' URLs.
    static func freshQueues(_ aws: AWSClient, segment: Int, previous: [String]) async throws -> [String] {
        var urls: [String] = []
        for queue in 0..<10 {
            let answer = try await aws.call(.sqs, "CreateQueue", ["QueueName": .string("bench-\(segment)-\(queue)")])
            urls.append(answer["QueueUrl"]?.stringValue ?? "")
        }
        for index in 0..<100 {
            _ = try await aws.call(.eventBridge, "PutTargets", ["Rule": .string("rule-\(index)"), "Targets": [
                ["Id": "q", "Arn": .string("arn:aws:sqs:us-east-1:000000000000:bench-\(segment)-\(index % 10)")],
            ]])
        }
        for url in previous { _ = try await aws.call(.sqs, "DeleteQueue", ["QueueUrl": .string(url)]) }
        return urls
    }

    /// PutEvents from `senders` concurrent connections for `duration`: events accepted per
    /// second, and how many.
    static func load(_ aws: AWSClient, for duration: Duration) async throws -> (rate: Double, events: Int) {
        let pad = String(repeating: "p", count: 700)
        let started = ContinuousClock.now
        let deadline = started + duration
        let accepted = await withTaskGroup(of: Int.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    var accepted = 0
                    var batch = sender
                    while ContinuousClock.now < deadline {
                        let entries = BusBench.entries(batch: batch, pad: pad)
                        batch += senders
                        guard let answer = try? await aws.call(.eventBridge, "PutEvents", ["Entries": .array(entries)]) else { continue }
                        accepted += 10 - (answer["FailedEntryCount"]?.intValue ?? 10)
                    }
                    return accepted
                }
            }
            return await group.reduce(0, +)
        }
        return (Double(accepted) / BusBench.seconds(ContinuousClock.now - started), accepted)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    // MARK: viewers

    /// What a scenario attached, to detach after its round.
    struct Attached {
        var sockets: [RawViewer] = []
        /// A program started in a private tmux (the console, or the CPU load).
        var program: (server: pid_t, pane: pid_t)?

        func detach() {
            for socket in sockets { socket.close() }
            if let program { BenchTmux.end(server: program.server, pane: program.pane) }
        }
    }

    static func attach(_ scenario: Scenario, binary: String, endpoint: String, port: Int) throws -> Attached {
        var attached = Attached()
        switch scenario {
        case .none: break
        case .reader: attached.sockets = [try RawViewer(port: port, reads: true)]
        case .stalled: attached.sockets = [try RawViewer(port: port, reads: false)]
        case .readers: attached.sockets = try (0..<10).map { _ in try RawViewer(port: port, reads: true) }
        case .console:
            attached.program = try BenchTmux.start("exec '\(binary)' console --endpoint '\(endpoint)'", readyWhenShowing: "● connected")
        case .load:
            let bench = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            attached.program = try BenchTmux.start("exec env SIGNALBOX_BENCH_LOAD=\(loadShare) SIGNALBOX_BENCH_LOAD_MB=\(loadMegabytes) '\(bench)' cpu-load", readyWhenShowing: nil)
        }
        // Let the subscriptions settle (the console's first poll, the sockets' acknowledgements).
        usleep(scenario == .console ? 1_000_000 : 200_000)
        return attached
    }
}

/// A live-stream viewer at the socket level: it opens `/_signalbox/stream?topics=events` with a
/// WebSocket handshake written by hand, then reads and discards whatever comes (on a thread of
/// its own) or never reads at all, so the stack's writes to it back up (a stalled viewer; its
/// receive buffer is made small so that happens within a round).
final class RawViewer: Sendable {
    private let fd: Int32
    private let done = DispatchSemaphore(value: 0)
    private let reads: Bool

    init(port: Int, reads: Bool) throws {
        self.reads = reads
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        if !reads {
            var size: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw BenchError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        // `SIGNALBOX_BENCH_READER_QUERY` replaces the query (e.g. `topics=events,queues&batch=50`),
        // to see what the stack pays for each topic a console follows.
        let query = ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_READER_QUERY"] ?? "topics=events"
        let request = "GET /_signalbox/stream?\(query) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        // The answer's head: "HTTP/1.1 101 Switching Protocols" … blank line.
        var head = [UInt8]()
        var byte: UInt8 = 0
        while !head.ends(with: [13, 10, 13, 10]), recv(fd, &byte, 1, 0) == 1 { head.append(byte) }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            Glibc.close(fd)
            throw BenchError("the stream refused the handshake: \(String(decoding: head.prefix(200), as: UTF8.self))")
        }
        // `SIGNALBOX_BENCH_READER_SUBSCRIBE` is a viewer message sent once connected, as the
        // console sends its `subscribe` (e.g. `{"type":"subscribe","topics":[…],"sentWithEvents":true}`).
        if let subscribe = ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_READER_SUBSCRIBE"] {
            let frame = Self.maskedTextFrame(subscribe)
            _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        }
        if reads {
            let fd = self.fd, done = self.done
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while recv(fd, &buffer, buffer.count, 0) > 0 {}
                done.signal()
            }
        }
    }

    /// `text` as one WebSocket text frame from a client (RFC 6455 §5.2: masked, as a server
    /// requires; the key is fixed, which the server accepts as any other).
    static func maskedTextFrame(_ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65_536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: frame += [0x80 | 127] + (0..<8).reversed().map { UInt8((payload.count >> (8 * $0)) & 0xFF) }
        }
        let key: [UInt8] = [0x5A, 0x17, 0xC3, 0x9E]
        frame += key
        frame += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return frame
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        if reads { done.wait() }
        Glibc.close(fd)
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
