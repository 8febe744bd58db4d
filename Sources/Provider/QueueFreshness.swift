import Timekeeping

/// What one poll asks of SQS: whether to list the queues, and whose attributes to read.
struct QueueReadRequest: Sendable, Hashable {
    /// Call `ListQueues` (every page) first; listed queues not in `known` are read too.
    var list: Bool
    /// Queue URLs to read (`GetQueueAttributes`), in this order.
    var read: [String] = []
    /// The queue URLs held: after a listing, the others are new and read at once.
    var known: Set<String> = []
}

/// What one poll got from SQS.
struct QueueReads: Sendable, Hashable {
    /// Every queue URL `ListQueues` gave, when the poll listed.
    var listed: [String]?
    /// The queues whose attributes were read.
    var queues: [Queue]
    /// Queues asked for that no longer exist.
    var gone: [String]
}

/// Which queues' attributes a poll reads, so that one console's cost does not grow with the
/// account: an SQS account has thousands of queues, and reading every one at every refresh is
/// about 30 million requests a day for 300 queues. A value: it reads no clock.
///
/// Each poll reads, in this order: the queues on screen (the Queues pane's rows), the queues
/// whose counts moved at their last read (at most `movingPerPoll`: something is happening
/// there), and a few of the others, the longest unread first (`rotationPerPoll`, one per 100
/// queues), so that every queue is read again within about a hundred polls. A queue the
/// listing shows for the first time is read at once. `ListQueues` runs every
/// `listingInterval`, or at the next poll after an action or the live stream says a queue
/// appeared or vanished (`listSoon`).
struct QueueFreshness: Sendable {
    static let listingInterval: Duration = .seconds(30)
    static let movingPerPoll = 10

    /// When each queue's attributes were last read.
    private(set) var readAt: [String: MonotonicInstant] = [:]
    /// Queues whose counts changed at their last read.
    private(set) var moving: Set<String> = []
    private var listedAt: MonotonicInstant?
    /// List the queues at the next poll, whenever they were listed last.
    var listSoon = false

    /// Off-screen queues read per poll: one per hundred queues held, at least one.
    static func rotationPerPoll(_ count: Int) -> Int { max(1, (count + 99) / 100) }

    /// The next poll's request, given the queues held and the ARNs of those on screen.
    func request(queues: [Queue], onScreen: [String], at now: MonotonicInstant) -> QueueReadRequest {
        let list = listSoon || listedAt.map { now - $0 >= Self.listingInterval } ?? true
        let urlOfArn = Dictionary(queues.map { ($0.arn, $0.url) }, uniquingKeysWith: { first, _ in first })
        var read: [String] = []
        var chosen: Set<String> = []
        func add(_ url: String) { if chosen.insert(url).inserted { read.append(url) } }
        for arn in onScreen { if let url = urlOfArn[arn] { add(url) } }
        let oldestFirst = queues.map(\.url).sorted { (readAt[$0]?.nanosecondsSinceOrigin ?? .min, $0) < (readAt[$1]?.nanosecondsSinceOrigin ?? .min, $1) }
        for url in oldestFirst.filter({ moving.contains($0) && !chosen.contains($0) }).prefix(Self.movingPerPoll) { add(url) }
        for url in oldestFirst.filter({ !chosen.contains($0) }).prefix(Self.rotationPerPoll(queues.count)) { add(url) }
        return QueueReadRequest(list: list, read: read, known: Set(queues.map(\.url)))
    }

    /// Takes a poll's reads (`held`: the queues as they were before it). Returns how many of
    /// the reads were first reads of a queue: those are discovery, not the steady cost.
    mutating func record(_ reads: QueueReads, held: [Queue], at now: MonotonicInstant) -> Int {
        if reads.listed != nil {
            listedAt = now
            listSoon = false
        }
        let before = Dictionary(held.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        var firstReads = 0
        for queue in reads.queues {
            if let previous = before[queue.url], readAt[queue.url] != nil {
                let moved = (previous.visibleMessages, previous.inFlightMessages, previous.delayedMessages)
                    != (queue.visibleMessages, queue.inFlightMessages, queue.delayedMessages)
                if moved { moving.insert(queue.url) } else { moving.remove(queue.url) }
            } else {
                firstReads += 1
            }
            readAt[queue.url] = now
        }
        var gone = Set(reads.gone)
        if let listed = reads.listed { gone.formUnion(Set(readAt.keys).subtracting(listed)) }
        for url in gone {
            readAt[url] = nil
            moving.remove(url)
        }
        return firstReads
    }

    /// The queues held after a poll: those read replace what was held, those gone (or no
    /// longer listed) go, the others keep their last reading; dead-letter links recomputed.
    static func merge(_ reads: QueueReads, into held: [Queue]) -> [Queue] {
        var byURL = Dictionary(held.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        if let listed = reads.listed {
            let present = Set(listed)
            byURL = byURL.filter { present.contains($0.key) }
        }
        for url in reads.gone { byURL[url] = nil }
        for queue in reads.queues { byURL[queue.url] = queue }
        return WireDecoding.linkDeadLetterQueues(byURL.values.sorted { ($0.name, $0.url) < ($1.name, $1.url) })
    }
}
