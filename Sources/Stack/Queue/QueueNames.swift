import Wire

/// Queue names, URLs and ARNs of one partition. The URL's host is never trusted (clients reach
/// the stack under many names); a queue is identified by the account, name and, outside the
/// server's default region, the region in the URL's path.
struct QueueNaming: Sendable {
    let accountId: String
    let region: String
    /// Whether this partition's URLs name their region: `ENDPOINT/queue/REGION/ACCOUNT/NAME`
    /// (the path form LocalStack also mints) outside the server's default region, where the
    /// URLs keep the form they always had, `ENDPOINT/ACCOUNT/NAME`. A client can then tell
    /// eu-west-1's `orders` from us-east-1's by its URL, as on AWS, whose hosts name the region.
    let regionalURLs: Bool

    init(accountId: String, region: String, regionalURLs: Bool = false) {
        self.accountId = accountId
        self.region = region
        self.regionalURLs = regionalURLs
    }

    func arn(_ name: String) -> String { "arn:aws:sqs:\(region):\(accountId):\(name)" }

    func url(_ name: String, endpoint: String) -> String {
        regionalURLs ? "\(endpoint)/queue/\(region)/\(accountId)/\(name)" : "\(endpoint)/\(accountId)/\(name)"
    }

    /// The queue name from a queue URL of this partition: `http(s)://host/ACCOUNT/NAME` (the
    /// default region's form), `…/queue/REGION/ACCOUNT/NAME` (a region's), also `/queue/NAME`
    /// as some emulators mint; a URL of another account or region, or a malformed one, is
    /// `QueueDoesNotExist`, as AWS answers for a queue it does not hold where it was asked.
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
        switch parts.count {
        case 2 where parts[0] == "queue": break
        case 2:
            guard !regionalURLs, String(parts[0]) == accountId else { throw QueueError.queueDoesNotExist() }
        case 4:
            guard parts[0] == "queue", String(parts[1]) == region, String(parts[2]) == accountId else {
                throw QueueError.queueDoesNotExist()
            }
        default: throw QueueError.queueDoesNotExist()
        }
        let name = String(parts[parts.count - 1])
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
