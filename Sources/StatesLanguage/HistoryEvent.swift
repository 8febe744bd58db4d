#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON

/// One entry of an execution's history, as GetExecutionHistory returns it. `details` is the
/// `…EventDetails` object in AWS's exact field names; `wireObject` assembles the whole event.
public struct HistoryEvent: Sendable, Hashable, Codable {
    public let id: Int
    public let previousEventId: Int
    public let timestamp: Date
    /// AWS's event type name: `ExecutionStarted`, `TaskStateEntered`, `ActivityScheduled`, …
    public let type: String
    public let details: JSONObject?

    public init(id: Int, previousEventId: Int, timestamp: Date, type: String, details: JSONObject?) {
        self.id = id
        self.previousEventId = previousEventId
        self.timestamp = timestamp
        self.type = type
        self.details = details
    }

    /// The member name AWS uses for this type's details: `stateEnteredEventDetails` for every
    /// `…StateEntered`, `stateExitedEventDetails` for every `…StateExited`, else the type name
    /// with a lowercase first letter + `EventDetails`.
    public var detailsKey: String {
        if type.hasSuffix("StateEntered") { return "stateEnteredEventDetails" }
        if type.hasSuffix("StateExited") { return "stateExitedEventDetails" }
        return type.prefix(1).lowercased() + type.dropFirst() + "EventDetails"
    }

    /// The event as GetExecutionHistory writes it (timestamp in epoch seconds). With
    /// `includeExecutionData` false, inputs and outputs are left out as AWS does.
    public func wireObject(includeExecutionData: Bool = true) -> JSONObject {
        var object = JSONObject()
        object["timestamp"] = .number((timestamp.timeIntervalSince1970 * 1000).rounded() / 1000)
        object["type"] = .string(type)
        object["id"] = .number(Double(id))
        object["previousEventId"] = .number(Double(previousEventId))
        if var details {
            if !includeExecutionData {
                for key in ["input", "output", "inputDetails", "outputDetails", "parameters"] { details[key] = nil }
            }
            object[detailsKey] = .object(details)
        }
        return object
    }

    private enum CodingKeys: String, CodingKey { case id, previousEventId, timestamp, type, details }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        previousEventId = try container.decode(Int.self, forKey: .previousEventId)
        timestamp = try container.decode(Date.self, forKey: .timestamp)
        type = try container.decode(String.self, forKey: .type)
        if let text = try container.decodeIfPresent(String.self, forKey: .details) {
            guard case .object(let object) = try JSONValue(parsing: text) else {
                throw DecodingError.dataCorruptedError(forKey: .details, in: container, debugDescription: "details must be an object")
            }
            details = object
        } else {
            details = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(previousEventId, forKey: .previousEventId)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(details.map { JSONValue.object($0).serialized }, forKey: .details)
    }
}

/// Order-preserving storage of a JSON value inside Codable state: the value is kept as its
/// JSON text, because `JSONValue`'s own Codable form goes through an unordered dictionary.
@propertyWrapper
struct StoredJSON: Sendable, Hashable, Codable {
    var wrappedValue: JSONValue
    init(wrappedValue: JSONValue) { self.wrappedValue = wrappedValue }
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = try JSONValue(parsing: try container.decode(String.self))
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.serialized)
    }
}

@propertyWrapper
struct StoredOptionalJSON: Sendable, Hashable, Codable {
    var wrappedValue: JSONValue?
    init(wrappedValue: JSONValue?) { self.wrappedValue = wrappedValue }
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try JSONValue(parsing: try container.decode(String.self))
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue.serialized) } else { try container.encodeNil() }
    }
}
