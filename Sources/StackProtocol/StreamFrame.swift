import JSON

/// One frame the stack sends a viewer on `/_signalbox/stream` (version 1, `docs/stream.md`).
/// Every frame is a JSON object with `"v":1` and a `type`:
///
/// - `subscribed` — `{"topics":[…],"filtered":bool,"buffer":N,"sentWithEvents":true?}`: the
///   subscription now in force.
/// - `error` — `{"code","message"}`: a viewer message was refused; the subscription is unchanged.
/// - `pong` — the answer to `ping`.
/// - `dropped` — `{"count":N}`: N frames were lost here because the viewer's buffer was full.
/// - a published message — `{"topic","seq","data"}` with `type` naming the message
///   (`StreamMessage`); `seq` counts per topic from 1.
///
/// `StreamFrameCodec` is the one encoder and decoder of these frames.
public enum StreamFrame: Sendable, Hashable {
    case subscribed(StreamSubscribed)
    case error(StreamFailure)
    case pong
    case dropped(count: Int)
    case published(StreamMessage, sequence: Int)

    /// The `type` member.
    public var type: String {
        switch self {
        case .subscribed: "subscribed"
        case .error: "error"
        case .pong: "pong"
        case .dropped: "dropped"
        case .published(let message, _): message.type
        }
    }
}

/// The acknowledgement of a subscription: the topics (sorted), whether an event pattern
/// filters them, the viewer's buffer in frames, and whether deliveries carry the messages they
/// sent (`sentWithEvents`, written only when true).
public struct StreamSubscribed: Sendable, Hashable {
    public var topics: [StreamTopic]
    public var filtered: Bool
    public var buffer: Int
    public var sentWithEvents: Bool

    public init(topics: [StreamTopic], filtered: Bool, buffer: Int, sentWithEvents: Bool = false) {
        self.topics = topics
        self.filtered = filtered
        self.buffer = buffer
        self.sentWithEvents = sentWithEvents
    }
}

/// A refused viewer message: an AWS-style error code and what was wrong.
public struct StreamFailure: Sendable, Hashable, Error {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The code a client gives a frame it could not read (never sent by the stack).
    public static let unreadableCode = "UnreadableFrame"
}

/// Encodes and decodes `StreamFrame`s: the only place their JSON is written or read.
///
/// Encoding writes members in the documented order, byte for byte what version 1 has always
/// sent. The `event` frame — one per event on the bus's hot path — splices the envelope's
/// text made when the event was put (`EventEnvelope.text`) instead of serializing it again.
public enum StreamFrameCodec {
    public static let version = ExtensionPaths.version

    // MARK: encoding

    public static func encode(_ frame: StreamFrame) -> String {
        encode(frame, withSent: true)
    }

    /// `withSent: false` leaves out what only a viewer with `sentWithEvents` receives (the
    /// `sent` members of an event frame's deliveries): the frame every other viewer gets.
    public static func encode(_ frame: StreamFrame, withSent: Bool) -> String {
        String(decoding: encodeBytes(frame, withSent: withSent), as: UTF8.self)
    }

    /// `encode(_:withSent:)` as its UTF-8 bytes: what the stack queues for its viewers and
    /// writes to their sockets, with no `String` made on the way.
    public static func encodeBytes(_ frame: StreamFrame, withSent: Bool = true) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        writeHead(type: frame.type, to: &output)
        switch frame {
        case .subscribed(let subscribed):
            append(",\"topics\":", to: &output)
            append(JSONValue.array(subscribed.topics.map { .string($0.rawValue) }), to: &output)
            append(",\"filtered\":\(subscribed.filtered),\"buffer\":\(subscribed.buffer)", to: &output)
            if subscribed.sentWithEvents { append(",\"sentWithEvents\":true", to: &output) }
        case .error(let failure):
            append(",\"code\":", to: &output)
            appendString(failure.code, to: &output)
            append(",\"message\":", to: &output)
            appendString(failure.message, to: &output)
        case .pong:
            break
        case .dropped(let count):
            append(",\"count\":", to: &output)
            appendDigits(Int64(count), to: &output)
        case .published(let message, let sequence):
            writePublishedTail(topic: message.topic, sequence: sequence, to: &output)
            message.writeData(to: &output, withSent: withSent)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// `{"v":1,"type":TYPE`: every frame's start.
    private static func writeHead(type: String, to output: inout [UInt8]) {
        append("{\"v\":1,\"type\":", to: &output)
        appendString(type, to: &output)
    }

    /// A published frame up to its data: `{"v":1,"type":TYPE,"topic":TOPIC,"seq":N,"data":`
    /// (the caller writes the data and the closing brace).
    static func writePublishedHead(type: String, topic: StreamTopic, sequence: Int, to output: inout [UInt8]) {
        writeHead(type: type, to: &output)
        writePublishedTail(topic: topic, sequence: sequence, to: &output)
    }

    /// What follows a published frame's type, up to its data: `,"topic":TOPIC,"seq":N,"data":`.
    private static func writePublishedTail(topic: StreamTopic, sequence: Int, to output: inout [UInt8]) {
        append(",\"topic\":", to: &output)
        appendString(topic.rawValue, to: &output)
        append(",\"seq\":", to: &output)
        appendDigits(Int64(sequence), to: &output)
        append(",\"data\":", to: &output)
    }

    /// One message carrying several encoded frames, in order: a JSON array of them (what a
    /// viewer that asked for `batch=MS` receives).
    public static func batch(_ encodedFrames: [String]) -> String {
        "[" + encodedFrames.joined(separator: ",") + "]"
    }

    /// Encoded frames as batch messages of at most `maximumBytes` each, in order; a frame
    /// larger than that is a batch of its own.
    public static func batches(_ encodedFrames: [String], maximumBytes: Int) -> [String] {
        batchRanges(sizes: encodedFrames.map(\.utf8.count), maximumBytes: maximumBytes).map { range in
            batch(Array(encodedFrames[range]))
        }
    }

    /// The batches of frames of these sizes in bytes (the rule of `batches`): consecutive
    /// index ranges whose array `[f,f,…]` is at most `maximumBytes`, a larger frame alone.
    public static func batchRanges(sizes: [Int], maximumBytes: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var size = 2
        for (index, frameSize) in sizes.enumerated() {
            let added = frameSize + 1
            if index > start && size + added > maximumBytes {
                ranges.append(start..<index)
                start = index
                size = 2
            }
            size += added
        }
        if start < sizes.count { ranges.append(start..<sizes.count) }
        return ranges
    }

    // MARK: decoding

    /// The frames of one message: a single frame, or a batch (a JSON array of frames). A batch
    /// member that cannot be read fails alone, as an `error` frame in its place. `event` and
    /// `message` frames are read by `FrameReader` (envelopes kept as text); the others the
    /// general way.
    public static func decodeMessage(_ text: String) throws(StackProtocolError) -> [StreamFrame] {
        try decodeMessage(bytes: text.utf8)
    }

    /// The same from the message's UTF-8 bytes (a client reads them off the socket: no `String`
    /// of the whole message is needed). Contiguous bytes are parsed where they lie.
    public static func decodeMessage(bytes: some Collection<UInt8>) throws(StackProtocolError) -> [StreamFrame] {
        let document: JSONDocument
        do { document = try JSONDocument(parsing: bytes, keeping: FrameReader.fields.tree) } catch {
            throw StackProtocolError("a stream message must be JSON: \(error)")
        }
        return try decodeMessage(document, bytes: bytes)
    }

    /// The same from an array of the message's bytes, which the parse keeps instead of copying
    /// (`JSONDocument.init(parsing:keeping:)` for an array): how the stream client hands a batch over.
    public static func decodeMessage(bytes: [UInt8]) throws(StackProtocolError) -> [StreamFrame] {
        let document: JSONDocument
        do { document = try JSONDocument(parsing: bytes, keeping: FrameReader.fields.tree) } catch {
            throw StackProtocolError("a stream message must be JSON: \(error)")
        }
        let frames = try decodeMessage(document, bytes: bytes)
        // The frames hold no slot of it: its slots go to the next message's parse.
        document.recycle()
        return frames
    }

    /// The frames of a message parsed as `document` from `bytes`.
    private static func decodeMessage(_ document: JSONDocument, bytes: some Collection<UInt8>) throws(StackProtocolError) -> [StreamFrame] {
        guard document.slots[Int(JSONDocument.root)].kind == .array else {
            var strings = FrameStrings()
            if let frame = FrameReader.frame(in: document, at: JSONDocument.root, strings: &strings) { return [frame] }
            return [try decode(bytes: bytes)]
        }
        var frames: [StreamFrame] = []
        var count = 0
        var member = document.slots[Int(JSONDocument.root)].first
        while member != JSONDocument.none {
            count += 1
            member = document.slots[Int(member)].next
        }
        frames.reserveCapacity(count)
        var strings = FrameStrings()
        member = document.slots[Int(JSONDocument.root)].first
        while member != JSONDocument.none {
            let index = frames.count
            do throws(StackProtocolError) {
                if let frame = FrameReader.frame(in: document, at: member, strings: &strings) {
                    frames.append(frame)
                } else {
                    frames.append(try decodeMember(member, of: document))
                }
            } catch {
                frames.append(.error(StreamFailure(code: StreamFailure.unreadableCode, message: "batch[\(index)]: \(error.message)")))
            }
            member = document.slots[Int(member)].next
        }
        return frames
    }

    /// A batch member that is not an `event` frame, read from its own text.
    private static func decodeMember(_ member: Int32, of document: JSONDocument) throws(StackProtocolError) -> StreamFrame {
        guard let text = document.text(of: member) else {
            return try decode(document.value(member, tree: FrameReader.fields.tree))   // a scalar: not a frame
        }
        return try decode(bytes: text)
    }

    public static func decode(_ text: String) throws(StackProtocolError) -> StreamFrame {
        try decode(bytes: Array(text.utf8))
    }

    public static func decode(bytes: some Collection<UInt8>) throws(StackProtocolError) -> StreamFrame {
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch {
            throw StackProtocolError("a stream frame must be JSON: \(error)")
        }
        return try decode(value)
    }

    public static func decode(_ value: JSONValue) throws(StackProtocolError) -> StreamFrame {
        let fields = try ProtocolFields(value, path: "")
        let version = try fields.integer("v")
        guard version == Self.version else {
            throw StackProtocolError("v \(version) is not a stream version this reader knows (\(Self.version))")
        }
        let type = try fields.string("type")
        switch type {
        case "subscribed":
            return .subscribed(StreamSubscribed(
                topics: try fields.list("topics") { item, path throws(StackProtocolError) in
                    guard case .string(let name) = item else { throw StackProtocolError("\(path) must be a string") }
                    return StreamTopic(name)
                },
                filtered: try fields.bool("filtered"), buffer: try fields.integer("buffer"),
                sentWithEvents: fields.optional("sentWithEvents") == nil ? false : try fields.bool("sentWithEvents")))
        case "error":
            return .error(StreamFailure(code: try fields.string("code"), message: try fields.optionalString("message") ?? ""))
        case "pong":
            return .pong
        case "dropped":
            return .dropped(count: try fields.integer("count"))
        default:
            let topic = StreamTopic(try fields.string("topic"))
            let message = try StreamMessage(type: type, topic: topic, data: fields.optional("data") ?? .null)
            return .published(message, sequence: try fields.integer("seq"))
        }
    }

    // MARK: writing helpers

    static func append(_ text: String, to output: inout [UInt8]) {
        output.append(contentsOf: text.utf8)
    }

    static func append(_ value: JSONValue, to output: inout [UInt8]) {
        output.append(contentsOf: value.utf8Bytes)
    }

    static func appendString(_ text: String, to output: inout [UInt8]) {
        JSONValue.writeString(text, to: &output)
    }

    /// `value` in decimal, as `"\(value)"` writes it, without making a `String`.
    static func appendDigits(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }

    /// `value` as a JSON number, byte for byte as `JSONValue.format(number: Double(value))`
    /// writes it: digits for every integer a `Double` holds exactly (times, sizes, counts), the
    /// general path beyond that.
    static func append(number value: Int64, to output: inout [UInt8]) {
        guard value.magnitude <= 1 << 53 else {
            append(JSONValue.format(number: Double(value)), to: &output)
            return
        }
        appendDigits(value, to: &output)
    }
}
