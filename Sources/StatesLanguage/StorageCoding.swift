#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON

/// A compact storage text for an execution, written through the shared `JSON` module rather
/// than Foundation's JSONEncoder (several times slower on Linux). Same content as the
/// Codable form; the host stores it after every input.
extension Execution {
    public func storageText() throws -> String {
        let root = Node()
        try encode(to: ValueEncoder(node: root))
        return root.json().serialized
    }

    public init(storageText: String) throws {
        let value: JSONValue
        do { value = try JSONValue(parsing: storageText) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "stored execution is not JSON: \(error)"))
        }
        try self.init(from: ValueDecoder(value: value, codingPath: []))
    }
}

// MARK: - Encoder producing a JSONValue

/// A node of the tree being encoded: containers hand out references, so nested containers
/// can keep writing after they were attached.
private final class Node {
    var scalar: JSONValue = .null
    var fields: [(String, Node)]?
    var items: [Node]?

    func json() -> JSONValue {
        if let fields {
            var object = JSONObject()
            object.reserveCapacity(fields.count)
            for (key, node) in fields { object[key] = node.json() }
            return .object(object)
        }
        if let items { return .array(items.map { $0.json() }) }
        return scalar
    }
}

private final class ValueEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node = Node(), codingPath: [any CodingKey] = []) {
        self.node = node
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.fields == nil { node.fields = [] }
        return KeyedEncodingContainer(KeyedValueEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.items == nil { node.items = [] }
        return UnkeyedValueEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueEncoder(node: node, codingPath: codingPath) }

    /// Encodes `value` into `node`, writing dates as seconds since the reference date.
    static func encode(_ value: some Encodable, into node: Node, codingPath: [any CodingKey]) throws {
        switch value {
        case let date as Date: node.scalar = .number(date.timeIntervalSinceReferenceDate)
        case let string as String: node.scalar = .string(string)
        case let number as Double: node.scalar = .number(number)
        case let number as Int: node.scalar = .number(Double(number))
        case let flag as Bool: node.scalar = .bool(flag)
        default: try value.encode(to: ValueEncoder(node: node, codingPath: codingPath))
        }
    }
}

private struct KeyedValueEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]

    func child(_ key: Key) -> Node {
        let child = Node()
        node.fields?.append((key.stringValue, child))
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).scalar = .null }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).scalar = .bool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).scalar = .string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).scalar = .number(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).scalar = .number(Double(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { child(key).scalar = .string(String(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try ValueEncoder.encode(value, into: child(key), codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = child(key)
        nested.fields = []
        return KeyedEncodingContainer(KeyedValueEncoder<NestedKey>(node: nested, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = child(key)
        nested.items = []
        return UnkeyedValueEncoder(node: nested, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(node: child(Key(stringValue: "super")!), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(node: child(key), codingPath: codingPath + [key]) }
}

private struct UnkeyedValueEncoder: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    var count: Int { node.items?.count ?? 0 }

    func child() -> Node {
        let child = Node()
        node.items?.append(child)
        return child
    }

    mutating func encodeNil() throws { child().scalar = .null }
    mutating func encode(_ value: Bool) throws { child().scalar = .bool(value) }
    mutating func encode(_ value: String) throws { child().scalar = .string(value) }
    mutating func encode(_ value: Double) throws { child().scalar = .number(value) }
    mutating func encode(_ value: Int) throws { child().scalar = .number(Double(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try ValueEncoder.encode(value, into: child(), codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = child()
        nested.fields = []
        return KeyedEncodingContainer(KeyedValueEncoder<NestedKey>(node: nested, codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = child()
        nested.items = []
        return UnkeyedValueEncoder(node: nested, codingPath: codingPath)
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(node: child(), codingPath: codingPath) }
}

private struct SingleValueEncoder: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    mutating func encodeNil() throws { node.scalar = .null }
    mutating func encode(_ value: Bool) throws { node.scalar = .bool(value) }
    mutating func encode(_ value: String) throws { node.scalar = .string(value) }
    mutating func encode(_ value: Double) throws { node.scalar = .number(value) }
    mutating func encode(_ value: Int) throws { node.scalar = .number(Double(value)) }
    mutating func encode(_ value: UInt64) throws { node.scalar = .string(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try ValueEncoder.encode(value, into: node, codingPath: codingPath) }
}

// MARK: - Decoder reading a JSONValue

private struct ValueDecoder: Decoder {
    let value: JSONValue
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func mismatch(_ expected: String) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.typeName)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch("an object") }
        return KeyedDecodingContainer(KeyedValueDecoder<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else { throw mismatch("an array") }
        return UnkeyedValueDecoder(array: array, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueDecoder(value: value, codingPath: codingPath) }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, codingPath: [any CodingKey]) throws -> T {
        if type == Date.self {
            guard case .number(let seconds) = value else { throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected a date number")) }
            return Date(timeIntervalSinceReferenceDate: seconds) as! T
        }
        return try T(from: ValueDecoder(value: value, codingPath: codingPath))
    }
}

private func scalar<T>(_ value: JSONValue, _ type: T.Type, codingPath: [any CodingKey]) throws -> T {
    let result: Any?
    switch value {
    case .bool(let flag): result = type == Bool.self ? flag : nil
    case .string(let text):
        if type == String.self { result = text } else if type == UInt64.self { result = UInt64(text) } else { result = nil }
    case .number(let number):
        if type == Double.self { result = number } else if type == Int.self { result = value.intValue } else { result = nil }
    default: result = nil
    }
    guard let typed = result as? T else {
        throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "found \(value.typeName)"))
    }
    return typed
}

private struct KeyedValueDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    var codingPath: [any CodingKey]
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    func value(_ key: Key) throws -> JSONValue {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing key"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try scalar(value(key), type, codingPath: codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(value(key), type, codingPath: codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(value(key), type, codingPath: codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try scalar(value(key), type, codingPath: codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try scalar(value(key), type, codingPath: codingPath + [key]) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ValueDecoder.decode(type, from: value(key), codingPath: codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { ValueDecoder(value: .object(object), codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoder(value: try value(key), codingPath: codingPath + [key]) }
}

private struct UnkeyedValueDecoder: UnkeyedDecodingContainer {
    let array: [JSONValue]
    var codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    init(array: [JSONValue], codingPath: [any CodingKey]) {
        self.array = array
        self.codingPath = codingPath
    }

    mutating func next() throws -> JSONValue {
        guard !isAtEnd else { throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: codingPath, debugDescription: "array exhausted")) }
        defer { currentIndex += 1 }
        return array[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, array[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try scalar(next(), type, codingPath: codingPath) }
    mutating func decode(_ type: String.Type) throws -> String { try scalar(next(), type, codingPath: codingPath) }
    mutating func decode(_ type: Double.Type) throws -> Double { try scalar(next(), type, codingPath: codingPath) }
    mutating func decode(_ type: Int.Type) throws -> Int { try scalar(next(), type, codingPath: codingPath) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try ValueDecoder.decode(type, from: next(), codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: next(), codingPath: codingPath).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: next(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder { ValueDecoder(value: try next(), codingPath: codingPath) }
}

private struct SingleValueDecoder: SingleValueDecodingContainer {
    let value: JSONValue
    var codingPath: [any CodingKey]
    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try scalar(value, type, codingPath: codingPath) }
    func decode(_ type: String.Type) throws -> String { try scalar(value, type, codingPath: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try scalar(value, type, codingPath: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try scalar(value, type, codingPath: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar(value, type, codingPath: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try ValueDecoder.decode(type, from: value, codingPath: codingPath) }
}
