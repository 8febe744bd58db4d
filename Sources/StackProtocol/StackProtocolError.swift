import JSON

/// A message of the extension protocol that does not have its documented shape. The message
/// names the field by its path (`data.queues[2].visible`) and says what was wrong, so a server
/// can answer it to the client as it is (a 400 `ValidationException`).
public struct StackProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Reads the members of one JSON object, with errors that name the member's path. Unknown
/// members are ignored, so older readers accept newer writers' frames.
struct ProtocolFields {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, path: String) throws(StackProtocolError) {
        guard case .object(let object) = value else {
            throw StackProtocolError("\(path.isEmpty ? "the message" : path) must be a JSON object, got \(value.typeName)")
        }
        self.object = object
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func failure(_ key: String, _ message: String) -> StackProtocolError {
        StackProtocolError("\(fieldPath(key)) \(message)")
    }

    /// The member, or nil when absent or null.
    func optional(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func require(_ key: String) throws(StackProtocolError) -> JSONValue {
        guard let value = optional(key) else { throw failure(key, "is required") }
        return value
    }

    func string(_ key: String) throws(StackProtocolError) -> String {
        let value = try require(key)
        guard case .string(let text) = value else { throw failure(key, "must be a string, got \(value.typeName)") }
        return text
    }

    func optionalString(_ key: String) throws(StackProtocolError) -> String? {
        optional(key) == nil ? nil : try string(key)
    }

    func number(_ key: String) throws(StackProtocolError) -> Double {
        let value = try require(key)
        guard case .number(let number) = value, number.isFinite else {
            throw failure(key, "must be a number, got \(value.typeName)")
        }
        return number
    }

    func optionalNumber(_ key: String) throws(StackProtocolError) -> Double? {
        optional(key) == nil ? nil : try number(key)
    }

    func integer(_ key: String) throws(StackProtocolError) -> Int {
        let value = try require(key)
        guard let integer = value.intValue else { throw failure(key, "must be an integer, got \(value.typeName)") }
        return integer
    }

    func bool(_ key: String) throws(StackProtocolError) -> Bool {
        let value = try require(key)
        guard case .bool(let flag) = value else { throw failure(key, "must be a boolean, got \(value.typeName)") }
        return flag
    }

    /// A list member read item by item with `read(item, itemPath)`; absent or null is empty.
    func list<T>(_ key: String, _ read: (JSONValue, String) throws(StackProtocolError) -> T) throws(StackProtocolError) -> [T] {
        guard let value = optional(key) else { return [] }
        guard case .array(let items) = value else { throw failure(key, "must be a list, got \(value.typeName)") }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { out.append(try read(item, "\(fieldPath(key))[\(index)]")) }
        return out
    }

    func enumeration<E: RawRepresentable<String> & CaseIterable>(_ key: String, as type: E.Type) throws(StackProtocolError) -> E {
        let raw = try string(key)
        guard let value = E(rawValue: raw) else {
            let known = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw failure(key, "'\(UntrustedText.excerpt(raw))' is not one of \(known)")
        }
        return value
    }
}

/// Untrusted text (names, reasons, modes a client sent) as the extensions echo it in error
/// messages: shortened, with control characters that could steer a terminal replaced.
public enum UntrustedText {
    /// The first 64 characters, controls shown as `?`, `…` when cut.
    public static func excerpt(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(64) { out.append(isControl(scalar) ? "?" : scalar) }
        return String(out) + (text.unicodeScalars.count > 64 ? "…" : "")
    }

    /// C0, DEL, C1, and the Unicode line and paragraph separators.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
