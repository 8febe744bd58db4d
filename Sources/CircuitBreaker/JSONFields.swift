import JSON

/// Reads the fields of one JSON object with errors that name the field's path.
/// Unknown fields are ignored so that older readers accept newer reports.
struct JSONFields {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, path: String) throws(BreakerDecodingError) {
        guard case .object(let object) = value else {
            throw BreakerDecodingError(path: path, message: "expected an object, got \(value.typeName)")
        }
        self.object = object
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ message: String) -> BreakerDecodingError {
        BreakerDecodingError(path: fieldPath(key), message: message)
    }

    /// The value, or nil when the field is absent or null.
    func optional(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func require(_ key: String) throws(BreakerDecodingError) -> JSONValue {
        guard let value = optional(key) else { throw error(key, "is required") }
        return value
    }

    func string(_ key: String) throws(BreakerDecodingError) -> String {
        let value = try require(key)
        guard case .string(let string) = value else { throw error(key, "expected a string, got \(value.typeName)") }
        return string
    }

    func optionalString(_ key: String) throws(BreakerDecodingError) -> String? {
        guard optional(key) != nil else { return nil }
        return try string(key)
    }

    func double(_ key: String) throws(BreakerDecodingError) -> Double {
        let value = try require(key)
        guard case .number(let number) = value, number.isFinite else {
            throw error(key, "expected a number, got \(value.typeName)")
        }
        return number
    }

    func optionalDouble(_ key: String) throws(BreakerDecodingError) -> Double? {
        guard optional(key) != nil else { return nil }
        return try double(key)
    }

    func count(_ key: String) throws(BreakerDecodingError) -> Int {
        let value = try require(key)
        guard let int = value.intValue, int >= 0 else {
            throw error(key, "expected a non-negative integer, got \(value.errorSnippet)")
        }
        return int
    }

    func optionalCount(_ key: String) throws(BreakerDecodingError) -> Int? {
        guard optional(key) != nil else { return nil }
        return try count(key)
    }

    func bool(_ key: String) throws(BreakerDecodingError) -> Bool {
        let value = try require(key)
        guard case .bool(let bool) = value else { throw error(key, "expected a boolean, got \(value.typeName)") }
        return bool
    }

    func fields(_ key: String) throws(BreakerDecodingError) -> JSONFields {
        try JSONFields(try require(key), path: fieldPath(key))
    }

    func optionalFields(_ key: String) throws(BreakerDecodingError) -> JSONFields? {
        guard let value = optional(key) else { return nil }
        return try JSONFields(value, path: fieldPath(key))
    }

    func enumeration<E: RawRepresentable<String> & CaseIterable>(_ key: String, as type: E.Type)
        throws(BreakerDecodingError) -> E
    {
        let raw = try string(key)
        guard let value = E(rawValue: raw) else {
            let known = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw error(key, "unknown value \"\(raw.prefix(64))\"; expected one of \(known)")
        }
        return value
    }
}

extension JSONValue {
    /// A short rendering for error messages: numbers and booleans as written, other kinds by type.
    var errorSnippet: String {
        switch self {
        case .number(let number): JSONValue.format(number: number)
        case .bool(let bool): bool ? "true" : "false"
        default: typeName
        }
    }
}

