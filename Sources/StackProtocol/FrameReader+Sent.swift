import JSON

extension FrameReader {
    /// A delivery's `sent` member at `slot`, if it reads as `DeliveredMessage(json:path:)` reads
    /// it, kept as its text in `bytes` with its `messageId`'s bytes and its body's size; nil
    /// (the frame goes to the general decoder, which says what is wrong) when it does not.
    ///
    /// The document parse skips the member's inside (it checks its syntax, strings' UTF-8 and
    /// control characters included, as for any member it skips): building a slot per member
    /// and looking each up was 6.8% of a console's work at 20,000 events a second. Instead
    /// the text is scanned once for the layout the stack writes (`SentShape`); a member laid
    /// out otherwise (other order, whitespace, escapes in its id, numbers written as decimals) is
    /// read by the general decoder's own code, so either way a batch refuses exactly what
    /// that refuses.
    static func keptSent(in document: JSONDocument, at slot: Int32, into bytes: inout [UInt8]) -> SentText? {
        guard document.slots[Int(slot)].kind == .object, let text = document.text(of: slot) else { return nil }
        let start = bytes.count
        bytes.append(contentsOf: text)
        if let shape = text.withContiguousStorageIfAvailable(SentShape.init) ?? nil {
            return SentText(start: Int32(start), count: Int32(text.count), idStart: Int32(start + shape.idOffset),
                            idCount: Int32(shape.idCount), bodyBytes: shape.bodyBytes, bodyIsEvent: shape.bodyIsEvent)
        }
        guard let message = (try? JSONValue(parsing: text)).flatMap({ try? DeliveredMessage(json: $0, path: "sent") }) else {
            return nil
        }
        // The id's unescaped bytes follow the text.
        let idStart = bytes.count
        bytes.append(contentsOf: message.messageId.utf8)
        return SentText(start: Int32(start), count: Int32(text.count), idStart: Int32(idStart),
                        idCount: Int32(bytes.count - idStart), bodyBytes: message.body?.utf8.count ?? 0,
                        bodyIsEvent: message.bodyIsEvent)
    }
}

/// What a viewer reads of a `sent` member on arrival, found by matching its text against the
/// layout `DeliveredMessage.write` gives it:
/// `{"queue":S,"messageId":S,"time":I[,"body":S|null],"bodySize":I[,"truncated":B][,"bodyIsEvent":B]}`
/// with strings without escapes and integers of at most 15 digits (exact as a `Double`, as
/// the general decoder reads them). Text that matches reads exactly so in
/// `DeliveredMessage(json:path:)`; anything else answers nil, not a refusal.
///
/// Invariant: the text is one syntactically valid JSON object (the document parse checked
/// it), so a string's first `"` with no `\` before it is its end.
struct SentShape {
    /// The id's bytes, from the text's start.
    let idOffset: Int
    let idCount: Int
    /// The body's UTF-8 bytes (0 without one or with null).
    let bodyBytes: Int
    let bodyIsEvent: Bool

    init?(_ text: UnsafeBufferPointer<UInt8>) {
        var scan = Scan(text: text)
        guard scan.literal(#"{"queue":"#), scan.plainString() != nil,
              scan.literal(#","messageId":"#), let id = scan.plainString(),
              scan.literal(#","time":"#), scan.integer() else { return nil }
        var bodyBytes = 0
        if scan.literal(#","body":"#), !scan.literal("null") {
            guard let body = scan.plainString() else { return nil }
            bodyBytes = body.count
        }
        guard scan.literal(#","bodySize":"#), scan.integer() else { return nil }
        if scan.literal(#","truncated":"#), scan.boolean() == nil { return nil }
        var bodyIsEvent = false
        if scan.literal(#","bodyIsEvent":"#) {
            guard let flag = scan.boolean() else { return nil }
            bodyIsEvent = flag
        }
        guard scan.literal("}"), scan.index == text.count else { return nil }
        idOffset = id.lowerBound
        idCount = id.count
        self.bodyBytes = bodyBytes
        self.bodyIsEvent = bodyIsEvent
    }

    private struct Scan {
        let text: UnsafeBufferPointer<UInt8>
        var index = 0

        /// Moves past `literal` when the text goes on with it.
        mutating func literal(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= text.count else { return false }
            let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
            for offset in 0..<count where text[index + offset] != expected[offset] { return false }
            index += count
            return true
        }

        /// Moves past a string without escapes; its bytes' range (quotes excluded).
        mutating func plainString() -> Range<Int>? {
            guard index < text.count, text[index] == UInt8(ascii: "\"") else { return nil }
            var end = index + 1
            while end < text.count {
                switch text[end] {
                case UInt8(ascii: "\""):
                    let bytes = index + 1..<end
                    index = end + 1
                    return bytes
                case UInt8(ascii: "\\"):
                    return nil
                default:
                    end += 1
                }
            }
            return nil
        }

        /// Moves past an integer of 1 to 15 digits, maybe negative (what follows decides that it
        /// was not a decimal: a literal `,` or `}` must come next).
        mutating func integer() -> Bool {
            var position = index
            if position < text.count, text[position] == UInt8(ascii: "-") { position += 1 }
            let digitsStart = position
            while position < text.count, text[position] >= UInt8(ascii: "0"), text[position] <= UInt8(ascii: "9") { position += 1 }
            guard (1...15).contains(position - digitsStart) else { return false }
            index = position
            return true
        }

        mutating func boolean() -> Bool? {
            if literal("true") { return true }
            if literal("false") { return false }
            return nil
        }
    }
}
