import Foundation
import Wire

/// What a receipt handle names: one receive of one message in one queue. A handle from another
/// queue, or text that is not a handle, is `ReceiptHandleIsInvalid`; a handle from an older
/// receive of the same message names a receive that no longer counts.
struct ReceiptHandle: Sendable, Equatable {
    var queue: String
    var seq: Int64
    var nonce: String

    var encoded: String {
        Data("sbx1\n\(queue)\n\(seq)\n\(nonce)".utf8).base64EncodedString()
    }

    static func decode(_ text: String, queue: String) throws(AWSError) -> ReceiptHandle {
        guard text.utf8.count <= 1024, let data = Data(base64Encoded: text) else {
            throw QueueError.receiptHandleIsInvalid(text)
        }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "sbx1", let seq = Int64(parts[2]), !parts[3].isEmpty,
              String(parts[1]) == queue else {
            throw QueueError.receiptHandleIsInvalid(text)
        }
        return ReceiptHandle(queue: queue, seq: seq, nonce: String(parts[3]))
    }

    static func newNonce() -> String {
        RandomIdentifier.hex(bytes: 16)
    }
}
