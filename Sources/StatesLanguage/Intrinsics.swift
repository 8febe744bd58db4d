import JSON
import Timekeeping

/// A call such as `States.Format('Hello {}', $.name)`, parsed once when the definition is
/// read so that a malformed call is a definition error, not a runtime surprise.
public indirect enum IntrinsicArgument: Sendable, Hashable {
    case literal(JSONValue)
    case path(JSONPath)
    case call(IntrinsicCall)
}

public struct IntrinsicCall: Sendable, Hashable {
    public let function: IntrinsicFunction
    public let arguments: [IntrinsicArgument]
}

public enum IntrinsicFunction: String, Sendable, Hashable, CaseIterable {
    case format = "States.Format"
    case stringToJson = "States.StringToJson"
    case jsonToString = "States.JsonToString"
    case array = "States.Array"
    case arrayPartition = "States.ArrayPartition"
    case arrayContains = "States.ArrayContains"
    case arrayRange = "States.ArrayRange"
    case arrayGetItem = "States.ArrayGetItem"
    case arrayLength = "States.ArrayLength"
    case arrayUnique = "States.ArrayUnique"
    case base64Encode = "States.Base64Encode"
    case base64Decode = "States.Base64Decode"
    case hash = "States.Hash"
    case jsonMerge = "States.JsonMerge"
    case mathRandom = "States.MathRandom"
    case mathAdd = "States.MathAdd"
    case stringSplit = "States.StringSplit"
    case uuid = "States.UUID"

    /// Allowed argument counts, checked when the definition is parsed.
    var arity: ClosedRange<Int> {
        switch self {
        case .format: 1...Int.max
        case .stringToJson, .jsonToString, .arrayLength, .arrayUnique, .base64Encode, .base64Decode: 1...1
        case .array: 0...Int.max
        case .arrayPartition, .arrayContains, .arrayGetItem, .hash, .mathAdd, .stringSplit: 2...2
        case .arrayRange, .jsonMerge: 3...3
        case .mathRandom: 2...3
        case .uuid: 0...0
        }
    }
}

/// Why an intrinsic expression cannot be parsed.
public struct IntrinsicParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    public let reason: String
    public var description: String { "invalid intrinsic function '\(expression)': \(reason)" }
}

extension IntrinsicCall {
    public init(parsing text: String) throws(IntrinsicParseError) {
        var parser = IntrinsicParser(text: text)
        self = try parser.parseDocument()
    }
}

private struct IntrinsicParser {
    let text: String
    let chars: [Character]
    var index = 0

    init(text: String) {
        self.text = text
        chars = Array(text)
    }

    func fail(_ reason: String) -> IntrinsicParseError { IntrinsicParseError(expression: text, reason: reason) }
    var current: Character? { index < chars.count ? chars[index] : nil }
    mutating func skipSpaces() { while current == " " { index += 1 } }

    mutating func parseDocument() throws(IntrinsicParseError) -> IntrinsicCall {
        skipSpaces()
        let call = try parseCall()
        skipSpaces()
        guard index == chars.count else { throw fail("unexpected text after the closing ')'") }
        return call
    }

    mutating func parseCall() throws(IntrinsicParseError) -> IntrinsicCall {
        let start = index
        while let character = current, character != "(" { index += 1 }
        let name = String(chars[start..<index]).trimmingSpaces
        guard let function = IntrinsicFunction(rawValue: name) else {
            throw fail("unknown function '\(name)'")
        }
        guard current == "(" else { throw fail("expected '(' after \(name)") }
        index += 1
        var arguments: [IntrinsicArgument] = []
        skipSpaces()
        if current == ")" {
            index += 1
        } else {
            while true {
                skipSpaces()
                arguments.append(try parseArgument())
                skipSpaces()
                if current == "," { index += 1; continue }
                if current == ")" { index += 1; break }
                throw fail("expected ',' or ')' in the arguments of \(name)")
            }
        }
        guard function.arity.contains(arguments.count) else {
            throw fail("\(name) takes \(function.arity.lowerBound == function.arity.upperBound ? "\(function.arity.lowerBound)" : "at least \(function.arity.lowerBound)") argument(s), got \(arguments.count)")
        }
        return IntrinsicCall(function: function, arguments: arguments)
    }

    mutating func parseArgument() throws(IntrinsicParseError) -> IntrinsicArgument {
        guard let character = current else { throw fail("unexpected end of expression") }
        if character == "'" {
            index += 1
            var value = ""
            while let next = current {
                index += 1
                if next == "'" { return .literal(.string(value)) }
                if next == "\\", let escaped = current {
                    index += 1
                    // AWS's intrinsic grammar knows four escapes, `\'`, `\{`, `\}` and `\\`; any
                    // other is refused when the definition is read (CreateStateMachine).
                    guard escaped == "'" || escaped == "{" || escaped == "}" || escaped == "\\" else {
                        throw fail("illegal escape sequence '\\\(escaped)' in a string literal")
                    }
                    // `\{` and `\}` stay escaped for States.Format to read as literal braces.
                    if escaped == "{" || escaped == "}" { value.append("\\") }
                    value.append(escaped)
                } else {
                    value.append(next)
                }
            }
            throw fail("unterminated string literal")
        }
        if character == "$" {
            let start = index
            var depth = 0
            var quote: Character? = nil
            while let next = current {
                if let open = quote {
                    // `$['a\'b']`: an escaped quote does not close the name.
                    if next == "\\" { index += 2; continue }
                    if next == open { quote = nil }
                } else if next == "'" || next == "\"" {
                    quote = next
                } else if next == "[" || next == "(" {
                    depth += 1
                } else if next == "]" || next == ")" {
                    if depth == 0 { break }
                    depth -= 1
                } else if next == ",", depth == 0 {
                    break
                } else if next == " ", depth == 0 {
                    break
                }
                index += 1
            }
            let pathText = String(chars[start..<index])
            do {
                return .path(try JSONPath(pathText))
            } catch {
                throw fail(error.reason)
            }
        }
        if text[text.index(text.startIndex, offsetBy: index)...].hasPrefix("States.") {
            return .call(try parseCall())
        }
        let start = index
        while let next = current, next != ",", next != ")", next != " " { index += 1 }
        let word = String(chars[start..<index])
        switch word {
        case "true": return .literal(.bool(true))
        case "false": return .literal(.bool(false))
        case "null": return .literal(.null)
        default:
            guard let number = Double(word), number.isFinite else { throw fail("invalid argument '\(word)'") }
            return .literal(.number(number))
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}

// MARK: - Evaluation

extension SplitMix64 {
    /// A version-4 UUID in lowercase canonical form.
    mutating func uuid() -> String {
        var bytes: [UInt8] = []
        for _ in 0..<2 {
            let word = next()
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Digest.hex(bytes)
        let characters = Array(hex)
        func part(_ range: Range<Int>) -> String { String(characters[range]) }
        return "\(part(0..<8))-\(part(8..<12))-\(part(12..<16))-\(part(16..<20))-\(part(20..<32))"
    }
}

extension IntrinsicCall {
    func evaluate(data: JSONValue, context: JSONValue, variables: JSONObject, random: inout SplitMix64) throws(StatesError) -> JSONValue {
        var values: [JSONValue] = []
        values.reserveCapacity(arguments.count)
        for argument in arguments {
            switch argument {
            case .literal(let value): values.append(value)
            case .path(let path):
                guard let value = path.select(in: data, context: context, variables: variables) else {
                    throw Self.failure("The JSONPath '\(path.text)' could not be found in the input '\(data.serialized)'")
                }
                values.append(value)
            case .call(let call): values.append(try call.evaluate(data: data, context: context, variables: variables, random: &random))
            }
        }
        return try apply(values, random: &random)
    }

    static func failure(_ cause: String) -> StatesError { StatesError(StatesErrorName.intrinsicFailure, cause) }

    private func string(_ value: JSONValue, _ position: Int) throws(StatesError) -> String {
        guard case .string(let text) = value else {
            throw Self.failure("Invalid arguments in \(function.rawValue): argument \(position + 1) must be a string, got \(value.typeName)")
        }
        return text
    }

    private func integer(_ value: JSONValue, _ position: Int) throws(StatesError) -> Int {
        guard let number = value.intValue else {
            throw Self.failure("Invalid arguments in \(function.rawValue): argument \(position + 1) must be an integer, got \(value.serialized)")
        }
        return number
    }

    /// A number rounded as Java's `Math.round`: floor(x + 0.5).
    private func rounded(_ value: JSONValue, _ position: Int) throws(StatesError) -> Int {
        guard case .number(let number) = value, number.isFinite, abs(number) < 9.0e15 else {
            throw Self.failure("Invalid arguments in \(function.rawValue): argument \(position + 1) must be a number, got \(value.serialized)")
        }
        return Int((number + 0.5).rounded(.down))
    }

    /// How States.Format writes a value in place of `{}`: strings as they are, and arrays and
    /// objects the way Java prints collections (`{Arg1=1, Arg2=[]}`, `[a, 1]`), as AWS does
    /// (LocalStack's and moto's `StringFormat._to_str_repr`, from recorded executions);
    /// numbers, booleans and null as JSON.
    static func formatted(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .array(let items): return "[" + items.map(formatted).joined(separator: ", ") + "]"
        case .object(let object): return "{" + object.map { "\($0.key)=\(formatted($0.value))" }.joined(separator: ", ") + "}"
        default: return value.serialized
        }
    }

    private func array(_ value: JSONValue, _ position: Int) throws(StatesError) -> [JSONValue] {
        guard case .array(let items) = value else {
            throw Self.failure("Invalid arguments in \(function.rawValue): argument \(position + 1) must be an array, got \(value.typeName)")
        }
        return items
    }

    private func apply(_ values: [JSONValue], random: inout SplitMix64) throws(StatesError) -> JSONValue {
        switch function {
        case .format:
            let template = try string(values[0], 0)
            var output = ""
            var argumentIndex = 1
            var characters = template.makeIterator()
            while let character = characters.next() {
                if character == "\\", let escaped = characters.next() {
                    // `\{` and `\}` (kept escaped by the parser) are literal braces; a lone
                    // backslash (from `\\` in the literal) is itself.
                    if escaped == "{" || escaped == "}" {
                        output.append(escaped)
                    } else {
                        output.append(character)
                        output.append(escaped)
                    }
                    continue
                }
                if character == "{" {
                    guard let closing = characters.next(), closing == "}" else {
                        throw Self.failure("Invalid format string '\(template)': '{' must be followed by '}'")
                    }
                    guard argumentIndex < values.count else {
                        throw Self.failure("States.Format has more placeholders than arguments in '\(template)'")
                    }
                    output += Self.formatted(values[argumentIndex])
                    argumentIndex += 1
                    continue
                }
                output.append(character)
            }
            guard argumentIndex == values.count else {
                throw Self.failure("States.Format got \(values.count - 1) argument(s) for \(argumentIndex - 1) placeholder(s)")
            }
            return .string(output)
        case .stringToJson:
            let text = try string(values[0], 0)
            // AWS gives null for an empty or blank string rather than failing.
            if text.allSatisfy(\.isWhitespace) { return .null }
            do { return try JSONValue(parsing: text) } catch {
                throw Self.failure("States.StringToJson: the argument is not JSON (\(error))")
            }
        case .jsonToString:
            return .string(values[0].serialized)
        case .array:
            return .array(values)
        case .arrayPartition:
            let items = try array(values[0], 0)
            let size = try integer(values[1], 1)
            guard size > 0 else { throw Self.failure("States.ArrayPartition: the chunk size must be positive, got \(size)") }
            return .array(stride(from: 0, to: items.count, by: size).map { .array(Array(items[$0..<min($0 + size, items.count)])) })
        case .arrayContains:
            return .bool(try array(values[0], 0).contains(values[1]))
        case .arrayRange:
            let start = try integer(values[0], 0), end = try integer(values[1], 1), step = try integer(values[2], 2)
            guard step != 0 else { throw Self.failure("States.ArrayRange: the step must not be 0") }
            var items: [JSONValue] = []
            var value = start
            while step > 0 ? value <= end : value >= end {
                items.append(.number(Double(value)))
                guard items.count <= 1000 else { throw Self.failure("States.ArrayRange: the result has more than 1000 items") }
                value += step
            }
            return .array(items)
        case .arrayGetItem:
            let items = try array(values[0], 0)
            let index = try integer(values[1], 1)
            guard items.indices.contains(index) else {
                throw Self.failure("States.ArrayGetItem: index \(index) is out of bounds for an array of \(items.count)")
            }
            return items[index]
        case .arrayLength:
            return .number(Double(try array(values[0], 0).count))
        case .arrayUnique:
            var seen = Set<JSONValue>()
            return .array(try array(values[0], 0).filter { seen.insert($0).inserted })
        case .base64Encode:
            let text = try string(values[0], 0)
            guard text.utf8.count <= 10_000 else { throw Self.failure("States.Base64Encode: the input is longer than 10000 characters") }
            return .string(Base64.encode(Array(text.utf8)))
        case .base64Decode:
            let text = try string(values[0], 0)
            guard text.utf8.count <= 10_000 else { throw Self.failure("States.Base64Decode: the input is longer than 10000 characters") }
            guard let bytes = Base64.decode(text), let decoded = String(validating: bytes, as: UTF8.self) else {
                throw Self.failure("States.Base64Decode: the input is not base64-encoded UTF-8 text")
            }
            return .string(decoded)
        case .hash:
            let data: [UInt8]
            if case .string(let text) = values[0] { data = Array(text.utf8) } else { data = Array(values[0].serialized.utf8) }
            guard data.count <= 10_000 else { throw Self.failure("States.Hash: the input is longer than 10000 characters") }
            let algorithm = try string(values[1], 1)
            switch algorithm {
            case "MD5": return .string(Digest.hex(Digest.md5(data)))
            case "SHA-1": return .string(Digest.hex(Digest.sha1(data)))
            case "SHA-256": return .string(Digest.hex(Digest.sha256(data)))
            case "SHA-384": return .string(Digest.hex(Digest.sha384(data)))
            case "SHA-512": return .string(Digest.hex(Digest.sha512(data)))
            default: throw Self.failure("States.Hash: unsupported algorithm '\(algorithm)' (use MD5, SHA-1, SHA-256, SHA-384 or SHA-512)")
            }
        case .jsonMerge:
            guard case .object(let left) = values[0], case .object(let right) = values[1] else {
                throw Self.failure("States.JsonMerge: the first two arguments must be objects")
            }
            guard case .bool(let deep) = values[2] else { throw Self.failure("States.JsonMerge: the third argument must be a boolean") }
            guard !deep else { throw Self.failure("States.JsonMerge: deep merging is not supported; pass false") }
            var merged = left
            for (key, value) in right { merged[key] = value }
            return .object(merged)
        case .mathRandom:
            // "If you specify a non-integer value for the start number or end number argument,
            // Step Functions will round it off to the nearest integer" (AWS's intrinsic
            // functions page); the seed stays an integer.
            let start = try rounded(values[0], 0), end = try rounded(values[1], 1)
            guard end > start else { throw Self.failure("States.MathRandom: the end (\(end)) must be greater than the start (\(start))") }
            let span = UInt64(end - start)
            if values.count == 3 {
                var seeded = SplitMix64(seed: UInt64(bitPattern: Int64(try integer(values[2], 2))))
                return .number(Double(start + Int(seeded.next() % span)))
            }
            return .number(Double(start + Int(random.next() % span)))
        case .mathAdd:
            // AWS rounds each argument the way Java's Math.round does (half up: 1.49 + 1.50 = 3,
            // -1.5 + 0 = -1), as LocalStack's `_round_like_java` reproduces.
            let a = try rounded(values[0], 0), b = try rounded(values[1], 1)
            return .number(Double(a + b))
        case .stringSplit:
            let text = try string(values[0], 0)
            let delimiters = Set(try string(values[1], 1))
            return .array(text.split(whereSeparator: { delimiters.contains($0) }).map { .string(String($0)) })
        case .uuid:
            return .string(random.uuid())
        }
    }
}
