import Foundation
import JSON
import StackProtocol

/// An EventBridge event bus (`ListEventBuses`).
public struct EventBus: Sendable, Hashable {
    public var name: String
    public var arn: String
    public init(name: String, arn: String) {
        self.name = name
        self.arn = arn
    }
}

/// An EventBridge rule (`ListRules` + `ListTargetsByRule`).
public struct Rule: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case enabled = "ENABLED"
        case disabled = "DISABLED"
        case enabledWithAllCloudTrailManagementEvents = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    }

    public var name: String
    public var arn: String
    public var eventBusName: String
    public var state: State
    /// The event pattern as JSON text, exactly as stored.
    public var eventPattern: String?
    public var scheduleExpression: String?
    public var targets: [RuleTarget]

    public init(name: String, arn: String, eventBusName: String = "default", state: State = .enabled,
                eventPattern: String? = nil, scheduleExpression: String? = nil, targets: [RuleTarget] = []) {
        self.name = name
        self.arn = arn
        self.eventBusName = eventBusName
        self.state = state
        self.eventPattern = eventPattern
        self.scheduleExpression = scheduleExpression
        self.targets = targets
    }
}

/// One target of a rule: `Id` and `Arn` as EventBridge returns them.
public struct RuleTarget: Sendable, Hashable {
    public var id: String
    public var arn: String
    public init(id: String, arn: String) {
        self.id = id
        self.arn = arn
    }
}

/// One event seen on a bus: the EventBridge envelope plus which rules matched it.
///
/// Equal when every member a view reads is equal (`deliveries` compared as read, whichever
/// form holds them); hashed by id and place.
public struct FlowEvent: Sendable, Hashable, Identifiable {
    public var id: String
    public var time: Date
    public var eventBusName: String
    public var source: String
    public var detailType: String
    public var resources: [String]
    /// Names of the rules whose patterns matched.
    public var matchedRules: [String]
    /// What happened to each target delivery, when the provider saw it (live stream only).
    /// Read from the event's frame when asked (`Deliveries`): only the rows drawn, an opened
    /// event and Trace read them, so an event does not build a list of its own on arrival.
    public var deliveries: [Delivery] {
        get { outcomes.deliveries }
        set { outcomes = .built(newValue) }
    }
    /// The deliveries in the form they came in.
    var outcomes: Deliveries
    /// The whole EventBridge envelope as the stream carried it, kept as its text: at thousands
    /// of events a second most are never opened, so it is parsed when something first reads
    /// `envelope` or `detail` (a detail view, a key on screen, a filter), then once.
    public var received: EventEnvelope
    /// Its place in arrival order, given by the `EventRing` that holds it (0 until then).
    public var sequence = 0

    /// The envelope (`version`, `id`, `detail-type`, `source`, `account`, `time`, `region`,
    /// `resources`, `detail`, in its order); for an event made without one, the members this
    /// value knows.
    public var envelope: JSONValue { received.value }
    public var detail: JSONValue { received.value["detail"] ?? .null }

    /// An event as the live stream reported it; `received` is not parsed here.
    public init(id: String, time: Date, eventBusName: String, source: String, detailType: String,
                resources: [String], matchedRules: [String], deliveries: [Delivery], received: EventEnvelope) {
        self.init(id: id, time: time, eventBusName: eventBusName, source: source, detailType: detailType, resources: resources,
                  matchedRules: matchedRules, outcomes: .built(deliveries), received: received)
    }

    /// An event whose deliveries stay in the form `outcomes` holds them.
    init(id: String, time: Date, eventBusName: String, source: String, detailType: String,
         resources: [String], matchedRules: [String], outcomes: Deliveries, received: EventEnvelope) {
        self.id = id
        self.time = time
        self.eventBusName = eventBusName
        self.source = source
        self.detailType = detailType
        self.resources = resources
        self.matchedRules = matchedRules
        self.outcomes = outcomes
        self.received = received
    }

    public init(id: String, time: Date, eventBusName: String = "default", source: String, detailType: String,
                detail: JSONValue = .null, resources: [String] = [], matchedRules: [String] = [],
                deliveries: [Delivery] = [], envelope: JSONValue? = nil) {
        let envelope = envelope ?? [
            "id": .string(id), "detail-type": .string(detailType), "source": .string(source),
            "time": .string(time.formatted(.iso8601)), "resources": .array(resources.map(JSONValue.string)), "detail": detail,
        ]
        self.init(id: id, time: time, eventBusName: eventBusName, source: source, detailType: detailType, resources: resources,
                  matchedRules: matchedRules, deliveries: deliveries, received: EventEnvelope(envelope))
    }

    /// Whether any delivery of this event failed or ended in a dead-letter queue.
    public var hasFailedDelivery: Bool { deliveries.contains { $0.status == .failed || $0.status == .deadLettered } }

    public static func == (a: FlowEvent, b: FlowEvent) -> Bool {
        a.id == b.id && a.sequence == b.sequence && a.time == b.time && a.eventBusName == b.eventBusName && a.source == b.source
            && a.detailType == b.detailType && a.resources == b.resources && a.matchedRules == b.matchedRules
            && a.received == b.received && a.outcomes == b.outcomes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(sequence)
    }
}

/// An event's deliveries: as its `event` frame carried them (the frame's own array, shared
/// with the messages those deliveries carried, `CarriedMessage`), or built (a later `delivery`
/// frame changed one, or the event was made by hand).
///
/// Why not build `Delivery` values on arrival: at thousands of events a second, each with
/// several deliveries, the list per event (its strings retained, then released when the
/// event leaves the ring) was a tenth of the console's work, and nearly no event is ever shown.
enum Deliveries: Sendable, Equatable {
    case frame([DeliveryOutcome])
    case built([Delivery])

    var deliveries: [Delivery] {
        switch self {
        case .frame(let outcomes): outcomes.map(WireDecoding.delivery)
        case .built(let deliveries): deliveries
        }
    }

    /// Equal when they read as the same deliveries; the same frame's array without reading it.
    static func == (a: Deliveries, b: Deliveries) -> Bool {
        if case .frame(let x) = a, case .frame(let y) = b, x.sharesStorage(with: y) { return true }
        return a.deliveries == b.deliveries
    }
}

/// One delivery of an event to a rule's target, as the stack's live stream reports it.
public struct Delivery: Sendable, Hashable {
    /// The stream's delivery `status` values.
    public enum Status: String, Sendable, Hashable {
        case delivered
        case retrying
        case deadLettered = "dead-lettered"
        case failed
    }

    public var rule: String
    public var targetId: String
    public var targetArn: String
    public var status: Status
    /// The target's error, when the delivery did not succeed (`QueueDoesNotExist: …`).
    public var error: String?

    public init(rule: String, targetId: String, targetArn: String, status: Status, error: String? = nil) {
        self.rule = rule
        self.targetId = targetId
        self.targetArn = targetArn
        self.status = status
        self.error = error
    }
}
