import Foundation
import JSON
import StackProtocol

/// The "ingest" area (issue #15, "the console keeps up"): what reading the live stream costs a
/// viewer per event, in process, without a socket. Batches of 500 `event` frames — the bus
/// bench's events (~1 KB envelopes), each with one matched rule and one delivery, encoded by the
/// stack's own codec, as a viewer asking `batch=50` receives them at 10,000 events/s — are read
/// the general way (every frame parsed to a `JSONValue`, then decoded) and the way the console
/// reads them now (`StreamFrameCodec.decodeMessage`: envelopes kept as text, parsed only when
/// opened), alternating, several rounds. Socket reads, the provider's state and drawing are not
/// in these figures: `signalbox-bench viewers` prints the console process's whole CPU per event.
enum IngestBench {
    static let rounds = 5
    static let batches = 40
    static let framesPerBatch = 500

    static func run() throws {
        let messages = (0..<batches).map { batch in
            StreamFrameCodec.batch((0..<framesPerBatch).map { index in
                StreamFrameCodec.encode(.published(.event(frame(batch * framesPerBatch + index)), sequence: batch * framesPerBatch + index + 1))
            })
        }
        let events = Double(batches * framesPerBatch)
        print("\(batches) batch messages of \(framesPerBatch) event frames (~\(messages[0].utf8.count / framesPerBatch) bytes each),"
              + " \(rounds) rounds, alternating:")
        var general: [Double] = [], lazy: [Double] = []
        var checksum = 0
        for _ in 0..<rounds {
            var started = ContinuousClock.now
            for message in messages { checksum &+= try generalDecode(message) }
            general.append(BusBench.seconds(ContinuousClock.now - started) * 1e6 / events)
            started = ContinuousClock.now
            for message in messages { checksum &+= try StreamFrameCodec.decodeMessage(message).count }
            lazy.append(BusBench.seconds(ContinuousClock.now - started) * 1e6 / events)
        }
        let g = ViewersBench.median(general), l = ViewersBench.median(lazy)
        print(String(format: "  general decode      median %5.2f µs/event (%.0f events/s on one core)", g, 1e6 / g))
        print(String(format: "  console's reader    median %5.2f µs/event (%.0f events/s on one core); %.1f× faster (rounds %@)",
                     l, 1e6 / l, g / l, zip(general, lazy).map { String(format: "%.1f×", $0 / $1) }.joined(separator: ", ") as NSString))
        if checksum == 0 { print("  (no frames decoded)") }
    }

    /// Every member parsed to a `JSONValue`, then decoded: how a batch was read before.
    static func generalDecode(_ message: String) throws -> Int {
        guard case .array(let members) = try JSONValue(parsing: Array(message.utf8)) else { return 0 }
        return try members.reduce(0) { count, member in
            _ = try StreamFrameCodec.decode(member)
            return count + 1
        }
    }

    /// An event frame as the stack sends it: the envelope AWS shapes, one match, one delivery.
    static func frame(_ n: Int) -> BusEventFrame {
        let envelope = FeedFrames.envelope(n, counter: n, time: "2026-12-06T19:00:00Z")
        let id = envelope["id"]?.stringValue ?? ""
        return BusEventFrame(bus: "default", event: EventEnvelope(envelope), matched: [MatchedRule(bus: "default", rule: "rule-\(n % 100)")],
                             deliveries: [DeliveryOutcome(eventId: id, bus: "default", rule: "rule-\(n % 100)", targetId: "q",
                                                          targetArn: "arn:aws:sqs:us-east-1:000000000000:bench-\(n % 10)", status: .delivered)])
    }
}
