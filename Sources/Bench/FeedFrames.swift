import Foundation
import JSON
import Patterns
import StackProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The `event` frames the console-feed bench sends, as the stack sends them to a console that
/// subscribed with `sentWithEvents`: the bus bench's events (~1 KB envelopes), each with the
/// rules of the bus bench's 100 that really match it (matched by the stack's own `EventPattern`)
/// and one delivery per rule to one of ten queues, each delivery carrying the message it wrote
/// (`sent`, `bodyIsEvent`: the body is the envelope).
///
/// Every frame's bytes are the stack's codec's (`StreamFrameCodec.encode`): a pool of
/// `poolSize` events is encoded once, and each frame sent is a pool member's bytes with its
/// counters written in place — the event's id, each carried message's id (unique over the run:
/// they hold the event's counter), the envelope's `time`, each message's `time` and the `seq`.
/// Those fields have a fixed width, so the bytes stay what the codec would have written for
/// those values; `check()` proves it by encoding some frames both ways.
struct FeedFrames: Sendable {
    /// One pool member: its frame's bytes after `"seq":N`, and where its counters are in them.
    struct Template: Sendable {
        var tail: [UInt8]
        /// The envelope id's last 12 digits (the event's counter).
        var eventIdAt: Int
        /// The envelope's `time` (RFC 3339, 20 characters).
        var timeAt: Int
        /// Each carried message id's last 12 digits (the event's counter; the delivery's index
        /// is in the id's second group).
        var messageIdsAt: [Int]
        /// Each carried message's `time` (Unix milliseconds, 13 digits).
        var sentTimesAt: [Int]
    }

    /// When a batch of frames is sent: each frame of it carries this time.
    struct Stamp: Sendable {
        var rfc3339: [UInt8]
        var unixMilliseconds: Int64

        init(rfc3339: [UInt8], unixMilliseconds: Int64) {
            self.rfc3339 = rfc3339
            self.unixMilliseconds = unixMilliseconds
        }

        init(_ date: Date) {
            let seconds = time_t(date.timeIntervalSince1970.rounded(.down))
            var parts = tm()
            var copy = seconds
            gmtime_r(&copy, &parts)
            rfc3339 = Array(String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                                   parts.tm_hour, parts.tm_min, parts.tm_sec).utf8)
            unixMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        }
    }

    /// Every event frame begins so; then `seq`'s digits, then a template's tail.
    static let head = Array(#"{"v":1,"type":"event","topic":"events","seq":"#.utf8)
    static let counterDigits = 12
    /// The placeholders the templates are encoded with, found again to locate the fields.
    private static let placeholderTime = "2000-01-01T00:00:00Z"
    private static let placeholderMilliseconds: Int64 = 1_000_000_000_000

    let templates: [Template]
    /// The queues' names: this, then 0…9.
    let queuePrefix: String
    /// Deliveries per event, over the pool.
    let meanDeliveries: Double
    /// A frame's bytes, over the pool (without the batch's comma).
    let meanFrameBytes: Double

    init(poolSize: Int, queuePrefix: String) throws {
        self.queuePrefix = queuePrefix
        let patterns = try BusBench.rulePatterns().map { try EventPattern($0) }
        let stamp = Stamp(rfc3339: Array(Self.placeholderTime.utf8), unixMilliseconds: Self.placeholderMilliseconds)
        var templates: [Template] = []
        var deliveries = 0, bytes = 0
        for index in 0..<poolSize {
            let envelope = Self.envelope(index, counter: 0, time: Self.placeholderTime)
            let rules = patterns.indices.filter { patterns[$0].matches(envelope) }
            let frame = Self.frame(envelope: envelope, rules: rules, counter: 0, stamp: stamp, queuePrefix: queuePrefix)
            let encoded = Array(StreamFrameCodec.encode(.published(.event(frame), sequence: 1)).utf8)
            guard encoded.starts(with: Self.head + Array("1".utf8)) else {
                throw BenchError("the codec's event frame no longer begins with \(String(decoding: Self.head, as: UTF8.self))")
            }
            let tail = Array(encoded[(Self.head.count + 1)...])
            func offsets(of marker: String, after: Int = 0) -> [Int] {
                let needle = Array(marker.utf8)
                var found: [Int] = []
                var at = 0
                while at + needle.count <= tail.count {
                    if tail[at] == needle[0] && tail[at..<(at + needle.count)].elementsEqual(needle) {
                        found.append(at + after)
                        at += needle.count
                    } else {
                        at += 1
                    }
                }
                return found
            }
            let eventIds = offsets(of: Self.eventIdPrefix, after: Self.eventIdPrefix.utf8.count)
            let times = offsets(of: Self.placeholderTime)
            let messageIds = rules.indices.flatMap { offsets(of: Self.messageIdPrefix($0), after: Self.messageIdPrefix($0).utf8.count) }
            let sentTimes = offsets(of: "\"time\":\(Self.placeholderMilliseconds)", after: "\"time\":".utf8.count)
            guard eventIds.count == 1, times.count == 1, messageIds.count == rules.count, sentTimes.count == rules.count else {
                throw BenchError("event frame \(index): its counters are not where the feeder looks for them")
            }
            templates.append(Template(tail: tail, eventIdAt: eventIds[0], timeAt: times[0], messageIdsAt: messageIds,
                                      sentTimesAt: sentTimes))
            deliveries += rules.count
            bytes += encoded.count
        }
        self.templates = templates
        meanDeliveries = Double(deliveries) / Double(max(1, poolSize))
        meanFrameBytes = Double(bytes) / Double(max(1, poolSize))
    }

    /// Appends event `counter`'s frame (pool member `counter % poolSize`) with `seq` `sequence`.
    func append(event counter: Int, sequence: Int, stamp: Stamp, to output: inout [UInt8]) {
        let template = templates[counter % templates.count]
        output.append(contentsOf: Self.head)
        Self.appendDecimal(sequence, to: &output)
        let start = output.count
        output.append(contentsOf: template.tail)
        output.withUnsafeMutableBufferPointer { bytes in
            Self.writeDigits(counter, width: Self.counterDigits, at: start + template.eventIdAt, in: bytes)
            for (index, byte) in stamp.rfc3339.enumerated() { bytes[start + template.timeAt + index] = byte }
            for at in template.messageIdsAt { Self.writeDigits(counter, width: Self.counterDigits, at: start + at, in: bytes) }
            for at in template.sentTimesAt { Self.writeDigits(Int(stamp.unixMilliseconds), width: 13, at: start + at, in: bytes) }
        }
    }

    /// Proves the templated bytes are the codec's: a few events (pool members, counters of
    /// every width, times of now) encoded both ways must be equal byte for byte.
    func check() throws {
        let stamp = Stamp(Date())
        let time = String(decoding: stamp.rfc3339, as: UTF8.self)
        let patterns = try BusBench.rulePatterns().map { try EventPattern($0) }
        for counter in [0, 1, templates.count - 1, templates.count + 7, 123_456, 987_654_321_098] {
            let envelope = Self.envelope(counter % templates.count, counter: counter, time: time)
            let rules = patterns.indices.filter { patterns[$0].matches(envelope) }
            let frame = Self.frame(envelope: envelope, rules: rules, counter: counter, stamp: stamp, queuePrefix: queuePrefix)
            let expected = Array(StreamFrameCodec.encode(.published(.event(frame), sequence: counter + 1)).utf8)
            var templated: [UInt8] = []
            append(event: counter, sequence: counter + 1, stamp: stamp, to: &templated)
            guard templated == expected else {
                throw BenchError("the feeder's frame for event \(counter) differs from the codec's:\n  \(String(decoding: templated, as: UTF8.self))\n"
                                 + "  \(String(decoding: expected, as: UTF8.self))")
            }
        }
    }

    // MARK: the events

    private static let eventIdPrefix = "6f1c2a6e-0000-4000-8000-"
    private static func messageIdPrefix(_ delivery: Int) -> String { String(format: "5b0e4d1c-%04d-4000-8000-", delivery) }

    /// The envelope of the bus bench's event `index` (its `PutEvents` entry as the bus wraps it),
    /// with the id of event `counter` and `time`.
    static func envelope(_ index: Int, counter: Int, time: String) -> JSONValue {
        let entry = BusBench.entries(batch: index / 10, pad: String(repeating: "p", count: 700))[index % 10]
        return [
            "version": "0", "id": .string(eventIdPrefix + padded(counter)),
            "detail-type": entry["DetailType"] ?? .null, "source": entry["Source"] ?? .null, "account": "000000000000",
            "time": .string(time), "region": "us-east-1", "resources": [],
            "detail": (try? JSONValue(parsing: Array((entry["Detail"]?.stringValue ?? "{}").utf8))) ?? .null,
        ]
    }

    /// The frame of `envelope` on the default bus: `rules` (indexes of the bus bench's rules)
    /// matched, each delivered to its queue (`queuePrefix` + index mod 10) with the message it
    /// wrote carried.
    static func frame(envelope: JSONValue, rules: [Int], counter: Int, stamp: Stamp, queuePrefix: String) -> BusEventFrame {
        let event = EventEnvelope(envelope)
        let id = event.id ?? ""
        let size = event.text.utf8.count
        let deliveries = rules.enumerated().map { delivery, rule in
            let queue = queuePrefix + String(rule % 10)
            return DeliveryOutcome(eventId: id, bus: "default", rule: "rule-\(rule)", targetId: "q",
                                   targetArn: "arn:aws:sqs:us-east-1:000000000000:\(queue)", status: .delivered,
                                   sent: DeliveredMessage(queue: queue, messageId: messageIdPrefix(delivery) + padded(counter),
                                                          time: stamp.unixMilliseconds, bodySize: size, bodyIsEvent: true))
        }
        return BusEventFrame(bus: "default", event: event, matched: rules.map { MatchedRule(bus: "default", rule: "rule-\($0)") },
                             deliveries: deliveries)
    }

    // MARK: digits

    /// `counter` as `counterDigits` digits, zero-padded.
    static func padded(_ counter: Int) -> String {
        let digits = String(counter)
        return String(repeating: "0", count: max(0, counterDigits - digits.count)) + digits
    }

    /// `value` (not negative) in decimal, as JSON writes an integer.
    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        var width = 1, power = 10
        while power <= value { width += 1; power *= 10 }
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        output.withUnsafeMutableBufferPointer { writeDigits(value, width: width, at: start, in: $0) }
    }

    /// `value` as `width` decimal digits, zero-padded, at `offset` (the low digits if it is wider).
    private static func writeDigits(_ value: Int, width: Int, at offset: Int, in bytes: UnsafeMutableBufferPointer<UInt8>) {
        var rest = value
        for position in stride(from: offset + width - 1, through: offset, by: -1) {
            bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}
