import Foundation
import JSON

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
public struct FlowEvent: Sendable, Hashable, Identifiable {
    public var id: String
    public var time: Date
    public var eventBusName: String
    public var source: String
    public var detailType: String
    public var detail: JSONValue
    public var resources: [String]
    /// Names of the rules whose patterns matched.
    public var matchedRules: [String]

    public init(id: String, time: Date, eventBusName: String = "default", source: String, detailType: String,
                detail: JSONValue = .null, resources: [String] = [], matchedRules: [String] = []) {
        self.id = id
        self.time = time
        self.eventBusName = eventBusName
        self.source = source
        self.detailType = detailType
        self.detail = detail
        self.resources = resources
        self.matchedRules = matchedRules
    }
}
