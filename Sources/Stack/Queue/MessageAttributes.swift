import Crypto
import Foundation
import JSON
import Wire

/// One message attribute as SQS carries it. Binary values travel base64-encoded in JSON.
struct MessageAttribute: Sendable, Equatable {
    var dataType: String
    var stringValue: String?
    var binaryValue: [UInt8]?

    /// The attribute's `DataType` family: `String`, `Number` or `Binary` (custom suffix removed).
    var baseType: String { String(dataType.split(separator: ".", maxSplits: 1).first ?? "") }

    /// Bytes counted against the message size limit: data type and value.
    var size: Int { dataType.utf8.count + (stringValue?.utf8.count ?? 0) + (binaryValue?.count ?? 0) }

    var json: JSONValue {
        var object: JSONObject = ["DataType": .string(dataType)]
        if let stringValue { object["StringValue"] = .string(stringValue) }
        if let binaryValue { object["BinaryValue"] = .string(Data(binaryValue).base64EncodedString()) }
        return .object(object)
    }
}

/// Parsing, validation and digests of message attributes, following SQS's rules.
enum MessageAttributes {
    /// Parses and validates the `MessageAttributes` map of a send.
    static func parse(_ value: JSONValue?) throws(AWSError) -> [String: MessageAttribute] {
        guard let value, value != .null else { return [:] }
        guard let object = value.objectValue else {
            throw AWSError.serialization("MessageAttributes must be a map")
        }
        guard object.count <= 10 else {
            throw QueueError.invalidParameter(
                "Number of message attributes [\(object.count)] exceeds the allowed maximum [10].")
        }
        var out: [String: MessageAttribute] = [:]
        for (name, member) in object {
            try validateName(name)
            out[name] = try parseValue(member, name: name)
        }
        return out
    }

    static func validateName(_ name: String) throws(AWSError) {
        let lower = name.lowercased()
        let validCharacters = name.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard !name.isEmpty, name.utf8.count <= 256, validCharacters, !name.hasPrefix("."), !name.hasSuffix("."),
              !name.contains(".."), !lower.hasPrefix("aws."), !lower.hasPrefix("amazon.") else {
            throw QueueError.invalidParameter(
                "Message (user) attribute '\(name.prefix(300))' is invalid. Names may contain only letters, digits, '-', '_' and '.', up to 256 characters, must not start or end with '.', contain '..', or start with 'AWS.' or 'Amazon.'.")
        }
    }

    static func parseValue(_ member: JSONValue, name: String) throws(AWSError) -> MessageAttribute {
        guard member.objectValue != nil else {
            throw AWSError.serialization("MessageAttributes.\(name) must be an object")
        }
        guard let dataType = member["DataType"]?.stringValue, !dataType.isEmpty else {
            throw QueueError.invalidParameter("The message attribute '\(name)' must contain non-empty message attribute type.")
        }
        let base = dataType.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        guard ["String", "Number", "Binary"].contains(base), dataType.utf8.count <= 256,
              !dataType.hasSuffix(".") else {
            throw QueueError.invalidParameter(
                "The type of message (user) attribute '\(name)' is invalid. You must use only the following supported type prefixes: Binary, Number, String.")
        }
        if base == "Binary" {
            guard let encoded = member["BinaryValue"]?.stringValue else {
                throw QueueError.invalidParameter("The message attribute '\(name)' with type 'Binary' must use field 'Binary'.")
            }
            guard let data = Data(base64Encoded: encoded) else {
                throw AWSError.serialization("MessageAttributes.\(name).BinaryValue is not valid base64")
            }
            guard !data.isEmpty else {
                throw QueueError.invalidParameter("The message attribute '\(name)' must contain non-empty message attribute value.")
            }
            return MessageAttribute(dataType: dataType, stringValue: nil, binaryValue: Array(data))
        }
        guard let text = member["StringValue"]?.stringValue else {
            throw QueueError.invalidParameter("The message attribute '\(name)' with type '\(base)' must use field 'String'.")
        }
        guard !text.isEmpty else {
            throw QueueError.invalidParameter("The message attribute '\(name)' must contain non-empty message attribute value.")
        }
        try MessageBody.validateCharacters(text, what: "message attribute '\(name)'")
        if base == "Number" {
            guard isNumber(text) else {
                throw QueueError.invalidParameter("Can't cast the value of message (user) attribute '\(name)' to a number.")
            }
        }
        return MessageAttribute(dataType: dataType, stringValue: text, binaryValue: nil)
    }

    /// SQS numbers: optional sign, digits with an optional fraction, optional exponent, within
    /// ±10^126 and 38 significant digits.
    static func isNumber(_ text: String) -> Bool {
        guard let value = Double(text), value.isFinite, abs(value) < 1e126 else { return false }
        let digits = text.filter(\.isNumber)
        return text.allSatisfy { $0.isNumber || "+-.eE".contains($0) } && digits.count <= 38 + 4
    }

    /// The MD5 digest SQS and the SDKs compute over attributes: for each name in byte order, the
    /// length-prefixed (4-byte big-endian) name, data type, a transport byte (1 string, 2
    /// binary), and the length-prefixed value.
    static func md5(_ attributes: [String: MessageAttribute]) -> String {
        var bytes: [UInt8] = []
        for name in attributes.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let attribute = attributes[name]!
            appendLengthPrefixed(Array(name.utf8), to: &bytes)
            appendLengthPrefixed(Array(attribute.dataType.utf8), to: &bytes)
            if let binary = attribute.binaryValue {
                bytes.append(2)
                appendLengthPrefixed(binary, to: &bytes)
            } else {
                bytes.append(1)
                appendLengthPrefixed(Array((attribute.stringValue ?? "").utf8), to: &bytes)
            }
        }
        return hex(Insecure.MD5.hash(data: bytes))
    }

    static func md5(body: String) -> String {
        hex(Insecure.MD5.hash(data: Array(body.utf8)))
    }

    private static func appendLengthPrefixed(_ value: [UInt8], to bytes: inout [UInt8]) {
        let count = UInt32(value.count)
        bytes.append(UInt8(count >> 24 & 0xFF))
        bytes.append(UInt8(count >> 16 & 0xFF))
        bytes.append(UInt8(count >> 8 & 0xFF))
        bytes.append(UInt8(count & 0xFF))
        bytes.append(contentsOf: value)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Stored form: a JSON object of name → {DataType, StringValue | BinaryValue}.
    static func encode(_ attributes: [String: MessageAttribute]) -> String? {
        guard !attributes.isEmpty else { return nil }
        var object = JSONObject()
        for name in attributes.keys.sorted() { object[name] = attributes[name]!.json }
        return JSONValue.object(object).serialized
    }

    static func decode(_ text: String?) -> [String: MessageAttribute] {
        guard let text, let value = try? JSONValue(parsing: text), let object = value.objectValue else { return [:] }
        var out: [String: MessageAttribute] = [:]
        for (name, member) in object {
            out[name] = MessageAttribute(
                dataType: member["DataType"]?.stringValue ?? "String",
                stringValue: member["StringValue"]?.stringValue,
                binaryValue: member["BinaryValue"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) })
        }
        return out
    }

    /// The attributes a receive asked for: `All`, `.*`, `prefix.*` or exact names.
    static func select(_ attributes: [String: MessageAttribute], names: [String]) -> [String: MessageAttribute] {
        guard !names.isEmpty, !attributes.isEmpty else { return [:] }
        if names.contains("All") || names.contains(".*") { return attributes }
        return attributes.filter { name, _ in
            names.contains { wanted in
                if wanted.hasSuffix(".*") { return name.hasPrefix(String(wanted.dropLast(1))) }
                return wanted == name
            }
        }
    }
}

/// Message body rules: not empty, only the characters XML 1.0 allows (as SQS requires).
enum MessageBody {
    static func validateCharacters(_ text: String, what: String) throws(AWSError) {
        // Most bodies are printable ASCII (JSON events): one pass over the bytes settles them.
        let printableASCII = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { ($0 >= 0x20 && $0 < 0x80) || $0 == 0x9 || $0 == 0xA || $0 == 0xD }
        }
        if printableASCII == true { return }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let allowed = value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
                || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
            if !allowed {
                throw QueueError.invalidMessageContents(
                    "Invalid binary character '#x\(String(value, radix: 16, uppercase: true))' was found in the \(what). The set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
            }
        }
    }
}
