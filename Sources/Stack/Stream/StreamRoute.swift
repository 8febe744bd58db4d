import Foundation
import Hummingbird
import HummingbirdWebSocket
import JSON
import Patterns
import StackProtocol
import Wire

/// `GET /_signalbox/stream`: the live stream as a WebSocket (frames v1, `docs/stream.md`).
///
/// A viewer may name its topics in the query (`?topics=events,queues&buffer=256`) and send a
/// `StreamRequest` at any time to change them; it is answered `subscribed` or `error`. Frames
/// are written from the viewer's own bounded buffer, so a slow socket only ever costs that
/// viewer frames. With `batch=MS` the frames of up to MS milliseconds go out as one message (a
/// JSON array): one write and one read per batch instead of per frame. Either way the server
/// writes what the buffer holds with one flush (`StreamSocketWriter`).
///
/// Each partition (account and region) has its own stream: `?region=eu-west-1&account=…`
/// selects one (either may be left out: the server's default); without them a viewer sees the
/// default partition, as every viewer did before partitions. An account that is not twelve
/// digits is refused before the upgrade (400).
///
/// With `--auth` the upgrade request must be SigV4-signed (header form) by a known key, as every
/// API call is, and a key reads only its own account's streams: `?account=` naming another is
/// `AccessDeniedException` (403), and without `?region=` the viewer gets the region it signed
/// for. Refusals come before the upgrade, in AWS's error shape.
public struct StreamRoute: StackRouteExtension {
    /// The default partition's stream (the only one without `partitions`).
    public let hub: StreamHub
    public let partitions: StackPartitions?
    /// Verifies the upgrade's signature under `--auth` (nil or not verifying: open, as before).
    public let authenticator: RequestAuthenticator?
    public static let path = ExtensionPaths.stream
    static let maximumMessageBytes = 64 * 1024
    static let maximumBatchMilliseconds = 1000
    /// A batch message's size at most (a single larger frame goes alone): under the 1 MiB
    /// message limit common WebSocket clients apply by default.
    static let maximumBatchBytes = 512 * 1024

    public init(hub: StreamHub, partitions: StackPartitions? = nil, authenticator: RequestAuthenticator? = nil) {
        self.hub = hub
        self.partitions = partitions
        self.authenticator = authenticator
    }

    /// The stream a viewer's upgrade request may read: checked as an API call is under
    /// `--auth`, else chosen by its query alone.
    func selectHub(for request: Request) throws -> StreamHub {
        let query = request.uri.queryParameters
        let region = query.get("region"), account = query.get("account")
        guard let authenticator, authenticator.verifies else { return try selectHub(region: region, account: account) }
        let own: StackPartition
        do throws(AWSError) {
            own = authenticator.partition(of: try authenticator.authenticate(FrontDoorRequest(request, body: [])))
        } catch {
            throw AWSErrorResponse(error)
        }
        if let account, account != own.accountId {
            throw AWSErrorResponse(AWSError(
                code: "AccessDeniedException",
                message: "The live stream of account \(account) is not readable with a key of account \(own.accountId).",
                status: 403))
        }
        return try selectHub(region: region ?? own.region, account: own.accountId)
    }

    /// The stream of the partition a viewer's query names (`region`, `account`): the region as
    /// a request's is chosen (one that cannot name a partition is the default region, so a
    /// client may always send the region it signs for), the account as given.
    func selectHub(region: String?, account: String?) throws -> StreamHub {
        guard region != nil || account != nil, let partitions else { return hub }
        if let account, !StackPartition.isValidAccountId(account) {
            throw HTTPError(.badRequest, message: "account '\(account)' is not a 12-digit account id")
        }
        let defaults = partitions.defaultPartition
        let partition = StackPartition(accountId: account ?? defaults.accountId,
                                       region: region.flatMap { StackPartition.isValidRegion($0) ? $0 : nil } ?? defaults.region)
        do { return try partitions.services(for: partition).hub } catch {
            throw HTTPError(.internalServerError, message: error.message)
        }
    }

    public func addRoutes(to router: Router<StackRequestContext>) {
        let route = self
        router.ws(RouterPath(stringLiteral: Self.path), shouldUpgrade: { request, _ in
            _ = try route.selectHub(for: request)
            return .upgrade([:])
        }) { inbound, _, context in
            let query = context.request.uri.queryParameters
            let hub = try route.selectHub(for: context.request)
            let capacity = query.get("buffer", as: Int.self).map { min(max($0, 1), 65_536) } ?? StreamHub.defaultCapacity
            let topics = Set((query.get("topics") ?? "").split(separator: ",").map { StreamTopic(String($0)) }
                .filter { !$0.rawValue.isEmpty })
            let batch = query.get("batch", as: Int.self).map { Duration.milliseconds(min(max($0, 1), Self.maximumBatchMilliseconds)) }
            let subscription = hub.subscribe(topics: [], capacity: capacity)
            if !topics.isEmpty {
                // The acknowledgement first, then the topics' retained frames.
                subscription.control(.subscribed(StreamSubscribed(topics: topics.sorted(), filtered: false, buffer: capacity)))
                hub.resubscribe(subscription, topics: topics, pattern: nil)
            }
            defer { hub.unsubscribe(subscription) }
            let writer = StreamSocketWriter(channel: context.requestContext.channel, arrays: batch)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await writer.run(subscription) }
                for try await message in inbound.messages(maxSize: Self.maximumMessageBytes) {
                    guard case .text(let text) = message else {
                        subscription.control(.error(StreamFailure(code: "BadRequest", message: "Send text frames of JSON.")))
                        continue
                    }
                    Self.handle(text, subscription: subscription, hub: hub)
                }
                // The viewer closed: stop writing.
                group.cancelAll()
            }
        }
    }

    /// Applies one viewer message; answers with a control frame.
    static func handle(_ text: String, subscription: StreamSubscription, hub: StreamHub) {
        let request: StreamRequest
        do throws(StreamFailure) {
            request = try StreamRequest(text: text)
        } catch {
            subscription.control(.error(error))
            return
        }
        switch request {
        case .subscribe(let topics, let given, let sentWithEvents):
            var pattern: EventPattern?
            if let given {
                do throws(EventPatternError) {
                    if let text = given.stringValue {
                        pattern = try EventPattern(parsing: text)
                    } else {
                        pattern = try EventPattern(given)
                    }
                } catch {
                    subscription.control(.error(StreamFailure(code: EventPatternError.exceptionType, message: error.message)))
                    return
                }
            }
            let topics = Set(topics)
            let filter = StreamSubscription.Filter(topics: topics, pattern: pattern, sentWithEvents: sentWithEvents)
            // The acknowledgement says whether deliveries will carry their messages: only with
            // both topics (else the viewer gets `sent` frames as every viewer does).
            subscription.control(.subscribed(StreamSubscribed(topics: topics.sorted(), filtered: pattern != nil,
                                                              buffer: subscription.capacity,
                                                              sentWithEvents: filter.takesSentWithEvents)))
            hub.resubscribe(subscription, topics: topics, pattern: pattern, sentWithEvents: sentWithEvents)
        case .ping:
            subscription.control(.pong)
        }
    }
}
