import JSON

extension FrameReader {
    /// The change of a `message` frame whose `data` object is at `data` (its header checked), if
    /// it is well formed: what `QueueMessageChange(json:path:)` reads, member for member.
    static func messageChange(in document: JSONDocument, data: Int32) -> QueueMessageChange? {
        let f = fields
        guard let change = string(document, data, f.change).flatMap(QueueMessageChange.Change.init(rawValue:)),
              let queue = string(document, data, f.queue),
              let messageId = string(document, data, f.messageId),
              let time = integer(document, data, f.messageTime),
              let body = optionalString(document, data, f.body),
              let bodySize = optionalInteger(document, data, f.bodySize),
              let truncated = optionalBool(document, data, f.truncated),
              let bodyIsEvent = optionalBool(document, data, f.bodyIsEvent),
              let receiveCount = optionalInteger(document, data, f.receiveCount),
              let deadLetterQueue = optionalString(document, data, f.deadLetterQueue)
        else { return nil }
        var sender: MessageSender?
        if let slot = document.member(data, node: Int32(f.sender)) {
            guard document.slots[Int(slot)].kind == .object,
                  let eventId = string(document, slot, f.senderEventId),
                  let bus = string(document, slot, f.senderBus),
                  let rule = string(document, slot, f.senderRule),
                  let targetId = string(document, slot, f.senderTargetId) else { return nil }
            sender = MessageSender(eventId: eventId, bus: bus, rule: rule, targetId: targetId)
        }
        var execution: MessageExecution?
        if let slot = document.member(data, node: Int32(f.execution)) {
            guard document.slots[Int(slot)].kind == .object,
                  let arn = string(document, slot, f.executionArn),
                  let state = string(document, slot, f.executionState) else { return nil }
            execution = MessageExecution(executionArn: arn, stateName: state)
        }
        return QueueMessageChange(change: change, queue: queue, messageId: messageId, time: Int64(time), body: body,
                                  bodySize: bodySize, truncated: truncated, sender: sender, execution: execution, bodyIsEvent: bodyIsEvent,
                                  receiveCount: receiveCount, deadLetterQueue: deadLetterQueue)
    }
}
