import Foundation
import JSON
import StackProtocol
import Synchronization
import Wire

/// Cross-account and cross-region bus targets, and queues of other accounts. AWS lets a rule's target be an event bus of
/// another account (whose bus policy must allow it) or another region; the event arrives there
/// as it was put, its `account` and `region` still the sender's. Each partition has its own
/// store, so the hop cannot share the sending transaction: the sender writes an outbox row
/// (`BusDeliverer.route`) and its retry worker forwards it here, deleting the row once the
/// receiving bus committed the event (at least once, as EventBridge delivers).
///
/// Resource policies: a bus of another account accepts the event only when its policy allows the
/// sending account `events:PutEvents` (`policyAllowsPutEvents`), as AWS requires; a bus of the
/// same account in another region needs none. A queue of another account (same region only, as
/// AWS allows) is delivered the same way, when its access policy lets the rule in
/// (`QueueService.acceptFromRule`).
extension BusService {
    /// Accepts an event forwarded from a bus of `sender`'s account in another partition onto
    /// `bus`: archived and routed as a PutEvents of it would be, keeping its id and envelope. A
    /// missing bus is `ResourceNotFoundException` (retried by the sender, as for a local bus
    /// target); a bus whose policy does not let `sender` put events is `AccessDeniedException`
    /// (not retried: dead-lettered or failed).
    func acceptForwarded(id: String, envelope: JSONValue, text: String, bus: String, depth: Int,
                         sender: String) async throws(AWSError) {
        guard depth < BusDeliverer.maximumDepth else {
            throw BusError.validation("Event \(id) crossed \(BusDeliverer.maximumDepth) buses: delivery loop stopped at \(bus).")
        }
        let now = clock.wallClockNow.milliseconds
        let buses = router.snapshot()
        guard let routes = buses[bus] else { throw BusError.busNotFound(bus) }
        guard await policyAllowsPutEvents(bus: bus, account: sender) else {
            throw BusError.make("AccessDeniedException",
                                "Account \(sender) is not authorized to put events to \(naming.busArn(bus)): its policy does not allow it.")
        }
        var event = BusEvent(id: id, bus: bus, envelope: envelope, text: text, traceHeader: nil,
                             ingestionTime: BusEvents.iso8601(millis: now), depth: depth)
        let rules = routes.matches(envelope)
        if !rules.isEmpty { event.checkForQueues(rules) }
        let time = envelope["time"]?.stringValue.flatMap(BusEvents.parseISO).map { Int64($0 * 1000) } ?? now
        try await deliver([(event, rules, routes.archiving(envelope), time)], buses: buses, now: now, failedEntries: 0)
    }

    /// Forwards the outbox's due deliveries to buses and queues of other partitions, before
    /// the retry worker's write settles them: by outbox seq, nil when the receiving bus or
    /// queue committed the event, else its error.
    func forwardRemote(_ due: [PendingDelivery]) async -> [Int64: AWSError?] {
        var results: [Int64: AWSError?] = [:]
        for pending in due {
            let kind = pending.target.kind(naming: naming)
            guard kind?.isInOtherPartition == true else { continue }
            do throws(AWSError) {
                switch kind {
                case .remoteBus(let partition, let bus)?:
                    guard let receiver = partitions?.bus(of: partition) else { throw BusError.busNotFound(bus) }
                    try await receiver.acceptForwarded(id: pending.event.id, envelope: pending.event.envelope,
                                                       text: pending.event.text, bus: bus, depth: pending.event.depth + 1,
                                                       sender: naming.accountId)
                case .remoteQueue(let partition, let queue)?:
                    // An account nobody used has no queues: missing, as on AWS (retried).
                    guard let receiver = partitions?.queues(of: partition) else { throw QueueError.queueDoesNotExist() }
                    let sender = QueuePolicy.RuleSender(ruleArn: naming.ruleArn(pending.rule, bus: pending.event.bus),
                                                        accountId: naming.accountId, roleArn: pending.target.roleArn)
                    try await receiver.acceptFromRule(
                        queue: queue, payload: pending.payload, groupId: pending.target.messageGroupId, eventId: pending.event.id,
                        sender: sender,
                        origin: MessageSender(eventId: pending.event.id, bus: pending.event.bus, rule: pending.rule,
                                              targetId: pending.target.id),
                        eventText: pending.event.text)
                default:
                    continue
                }
                results[pending.seq] = .some(nil)
            } catch {
                results[pending.seq] = .some(error)
            }
        }
        return results
    }
}

/// How a partition's bus reaches the buses of the others: bound to the stack's partitions once
/// they exist (they are made by the factory that makes the buses). It holds them weakly, so a
/// stopped server's stores close.
public final class PartitionLink: Sendable {
    private struct Bound: @unchecked Sendable {
        weak var partitions: StackPartitions?
    }

    private let bound = Mutex(Bound())

    public init() {}

    public func bind(_ partitions: StackPartitions) {
        bound.withLock { $0.partitions = partitions }
    }

    /// The bus service of a partition that exists (a forward to an account and region nobody
    /// used finds no bus, as on AWS, instead of making a store for it).
    func bus(of partition: StackPartition) -> BusService? {
        bound.withLock { $0.partitions }?.existing(partition)?.byPrefix["AWSEvents"] as? BusService
    }

    /// The queue service of a partition that exists.
    func queues(of partition: StackPartition) -> QueueService? {
        bound.withLock { $0.partitions }?.existing(partition)?.byPrefix["AmazonSQS"] as? QueueService
    }
}
