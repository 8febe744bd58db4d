import JSON

/// Reads the stream's busiest frames straight from a message's text, without a `JSONValue`
/// per frame: what a viewer needs to keep up with a busy bus (issue #15: a console ingests
/// 20,000 events a second on well under a core). `event` frames, `message` frames (an EventBridge delivery to a queue sends one per
/// target) and the `executions` topic's `execution` and `history` frames (a saga's every step) are read here; every other frame
/// the general way.
///
/// The message is parsed once as a `JSONDocument` that keeps only the members these readers
/// look at. Anything that does not look exactly like a well-formed version-1 frame of its
/// type — a missing or mistyped member, a null where the general decoder would take it as
/// absent — answers nil, and the caller decodes that frame the general way, which gives the
/// same frames and the same errors.
enum FrameReader {
    /// The kept members, and their nodes in the field tree.
    struct Fields: Sendable {
        var tree = JSONFieldTree()
        var version = 0, type = 0, topic = 0, sequence = 0, data = 0
        var bus = 0, event = 0, matched = 0, deliveries = 0
        var id = 0, source = 0, detailType = 0, time = 0, resources = 0
        var matchedBus = 0, matchedRule = 0
        var deliveryBus = 0, deliveryRule = 0, targetId = 0, targetArn = 0, status = 0, errorCode = 0, errorMessage = 0
        /// A delivery's carried message: kept with no members, its text scanned (`keptSent`).
        var sent = 0
        var change = 0, queue = 0, messageId = 0, messageTime = 0, body = 0, bodySize = 0, truncated = 0, bodyIsEvent = 0
        var receiveCount = 0, deadLetterQueue = 0
        var sender = 0, senderEventId = 0, senderBus = 0, senderRule = 0, senderTargetId = 0
        var execution = 0, executionArn = 0, executionState = 0
        var runArn = 0, runMachineArn = 0, runName = 0, runStatus = 0, runStartDate = 0, runRedriveCount = 0
        var runStopDate = 0, runError = 0, runCause = 0

        init() {
            let root = JSONFieldTree.root
            version = tree.child("v", of: root)
            type = tree.child("type", of: root)
            topic = tree.child("topic", of: root)
            sequence = tree.child("seq", of: root)
            data = tree.child("data", of: root)
            bus = tree.child("bus", of: data)
            event = tree.child("event", of: data)
            id = tree.child("id", of: event)
            source = tree.child("source", of: event)
            detailType = tree.child("detail-type", of: event)
            time = tree.child("time", of: event)
            resources = tree.child("resources", of: event)
            matched = tree.child("matched", of: data)
            matchedBus = tree.child("bus", of: matched)
            matchedRule = tree.child("rule", of: matched)
            deliveries = tree.child("deliveries", of: data)
            deliveryBus = tree.child("bus", of: deliveries)
            deliveryRule = tree.child("rule", of: deliveries)
            targetId = tree.child("targetId", of: deliveries)
            targetArn = tree.child("targetArn", of: deliveries)
            status = tree.child("status", of: deliveries)
            errorCode = tree.child("errorCode", of: deliveries)
            errorMessage = tree.child("errorMessage", of: deliveries)
            sent = tree.child("sent", of: deliveries)
            change = tree.child("change", of: data)
            queue = tree.child("queue", of: data)
            messageId = tree.child("messageId", of: data)
            messageTime = tree.child("time", of: data)
            body = tree.child("body", of: data)
            bodySize = tree.child("bodySize", of: data)
            truncated = tree.child("truncated", of: data)
            bodyIsEvent = tree.child("bodyIsEvent", of: data)
            receiveCount = tree.child("receiveCount", of: data)
            deadLetterQueue = tree.child("deadLetterQueue", of: data)
            sender = tree.child("sender", of: data)
            senderEventId = tree.child("eventId", of: sender)
            senderBus = tree.child("bus", of: sender)
            senderRule = tree.child("rule", of: sender)
            senderTargetId = tree.child("targetId", of: sender)
            execution = tree.child("execution", of: data)
            executionArn = tree.child("executionArn", of: execution)
            executionState = tree.child("stateName", of: execution)
            runArn = tree.child("executionArn", of: data)
            runMachineArn = tree.child("stateMachineArn", of: data)
            runName = tree.child("name", of: data)
            runStatus = tree.child("status", of: data)
            runStartDate = tree.child("startDate", of: data)
            runRedriveCount = tree.child("redriveCount", of: data)
            runStopDate = tree.child("stopDate", of: data)
            runError = tree.child("error", of: data)
            runCause = tree.child("cause", of: data)
        }
    }

    static let fields = Fields()

    /// The frame at `slot` (an element of a batch, or the root) if it is a well-formed `event`
    /// or `message` frame of this version; nil otherwise.
    static func frame(in document: JSONDocument, at slot: Int32, strings: inout FrameStrings) -> StreamFrame? {
        let f = fields
        guard document.slots[Int(slot)].kind == .object,
              number(document, slot, f.version) == Double(StreamFrameCodec.version),
              let sequence = number(document, slot, f.sequence), let seq = JSONValue.number(sequence).intValue,
              let data = member(document, slot, f.data, kind: .object) else { return nil }
        switch (string(document, slot, f.type), string(document, slot, f.topic)) {
        case ("event", StreamTopic.events.rawValue):
            return event(in: document, data: data, strings: &strings).map { .published(.event($0), sequence: seq) }
        case ("message", StreamTopic.messages.rawValue):
            return messageChange(in: document, data: data).map { .published(.message($0), sequence: seq) }
        case ("execution", StreamTopic.executions.rawValue):
            return executionChange(in: document, data: data).map { .published(.execution($0), sequence: seq) }
        case ("history", StreamTopic.executions.rawValue):
            return historyEvent(in: document, data: data).map { .published(.history($0), sequence: seq) }
        default:
            return nil
        }
    }

    // MARK: members

    static func member(_ document: JSONDocument, _ object: Int32, _ node: Int, kind: JSONDocument.Kind) -> Int32? {
        guard let slot = document.member(object, node: Int32(node)), document.slots[Int(slot)].kind == kind else { return nil }
        return slot
    }

    static func string(_ document: JSONDocument, _ object: Int32, _ node: Int) -> String? {
        member(document, object, node, kind: .string).flatMap(document.string)
    }

    /// A string member whose value repeats from frame to frame, shared through `strings`.
    static func string(_ document: JSONDocument, _ object: Int32, _ node: Int, _ strings: inout FrameStrings) -> String? {
        member(document, object, node, kind: .string).flatMap { strings.string(document, $0) }
    }

    static func number(_ document: JSONDocument, _ object: Int32, _ node: Int) -> Double? {
        member(document, object, node, kind: .number).map { document.slots[Int($0)].number }
    }

    /// An integral number that fits an `Int`.
    static func integer(_ document: JSONDocument, _ object: Int32, _ node: Int) -> Int? {
        number(document, object, node).flatMap { JSONValue.number($0).intValue }
    }

    /// A member that may be absent: `.some(nil)` then; nil (the frame is not read here) when it
    /// is present but not an integer (null included: the general decoder decides).
    static func optionalInteger(_ document: JSONDocument, _ object: Int32, _ node: Int) -> Optional<Int?> {
        guard document.member(object, node: Int32(node)) != nil else { return .some(nil) }
        return integer(document, object, node).map { .some($0) }
    }

    /// A finite number that may be absent or null: `.some(nil)` then; nil (the frame is not read
    /// here) when it is something else.
    static func optionalNumber(_ document: JSONDocument, _ object: Int32, _ node: Int) -> Optional<Double?> {
        guard let slot = document.member(object, node: Int32(node)) else { return .some(nil) }
        switch document.slots[Int(slot)].kind {
        case .null: return .some(nil)
        case .number where document.slots[Int(slot)].number.isFinite: return .some(document.slots[Int(slot)].number)
        default: return nil
        }
    }

    /// A member that may be absent (false then); nil when it is present but not a boolean.
    static func optionalBool(_ document: JSONDocument, _ object: Int32, _ node: Int) -> Bool? {
        guard let slot = document.member(object, node: Int32(node)) else { return false }
        return document.slots[Int(slot)].kind == .bool ? document.slots[Int(slot)].flag : nil
    }

    /// A member that may be absent or null; nil (the frame is not read here) when it is
    /// something other than a string.
    static func optionalString(_ document: JSONDocument, _ object: Int32, _ node: Int) -> Optional<String?> {
        guard let slot = document.member(object, node: Int32(node)) else { return .some(nil) }
        switch document.slots[Int(slot)].kind {
        case .null: return .some(nil)
        case .string: return .some(document.string(slot))
        default: return nil
        }
    }
}
