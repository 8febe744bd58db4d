import JSON

/// A breaker value whose wire shape is its `json` form: `Codable` goes through `JSONValue`,
/// so the shape documented on each type is the one shape, whichever encoder is used.
public protocol BreakerJSONCodable: Codable, Sendable {
    /// The documented JSON form of this value.
    var json: JSONValue { get }
    /// Reads the documented JSON form; `path` prefixes the field names in errors.
    init(json: JSONValue, path: String) throws(BreakerDecodingError)
}

extension BreakerJSONCodable {
    /// Reads the documented JSON form, naming the offending field on error.
    public init(json: JSONValue) throws(BreakerDecodingError) {
        try self.init(json: json, path: "")
    }

    public init(from decoder: any Decoder) throws {
        try self.init(json: try JSONValue(from: decoder), path: "")
    }

    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}

extension Optional where Wrapped == Double {
    var json: JSONValue { map(JSONValue.number) ?? .null }
}
