import Wire

/// Queue names, URLs and ARNs. The URL's host is never trusted (clients reach the stack under
/// many names); a queue is identified by the account and name in the URL's path.
struct QueueNaming: Sendable {
    let accountId: String
    let region: String

    func arn(_ name: String) -> String { "arn:aws:sqs:\(region):\(accountId):\(name)" }

    func url(_ name: String, endpoint: String) -> String { "\(endpoint)/\(accountId)/\(name)" }

    /// The queue name from a queue URL (`http(s)://host/ACCOUNT/NAME`, also `/queue/NAME` as
    /// some emulators mint); a foreign account or a malformed URL is `QueueDoesNotExist`.
    /// SQS also takes the bare queue name where a `QueueUrl` is expected, naming a queue of the
    /// caller's account, so text with neither a scheme nor a slash is read as a name.
    func name(fromURL url: String) throws(AWSError) -> String {
        if !url.contains("/") {
            guard Self.isValidName(url) else { throw QueueError.queueDoesNotExist() }
            return url
        }
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        guard let slash = rest.firstIndex(of: "/") else { throw QueueError.queueDoesNotExist() }
        let path = rest[rest.index(after: slash)...].split(separator: "?").first ?? ""
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 2 else { throw QueueError.queueDoesNotExist() }
        guard String(parts[0]) == accountId || parts[0] == "queue" else { throw QueueError.queueDoesNotExist() }
        let name = String(parts[1])
        guard Self.isValidName(name) else { throw QueueError.queueDoesNotExist() }
        return name
    }

    /// The queue name from an SQS ARN in this account and region; nil otherwise.
    func name(fromARN arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sqs", String(parts[3]) == region,
              String(parts[4]) == accountId, Self.isValidName(String(parts[5])) else { return nil }
        return String(parts[5])
    }

    /// Whether a queue of this name is FIFO: SQS requires FIFO queues, and only them, to end in `.fifo`.
    static func isFifo(_ name: String) -> Bool { name.hasSuffix(".fifo") }

    /// 1–80 characters of letters, digits, `-` and `_`; FIFO names end in `.fifo` (counted).
    static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 80 else { return false }
        let stem = name.hasSuffix(".fifo") ? name.dropLast(5) : Substring(name)
        guard !stem.isEmpty else { return false }
        return stem.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
