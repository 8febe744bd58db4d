import JSON
import OrderedCollections

extension Builtin {
    func stringFunction(_ evaluator: Evaluator, _ args: Arguments, input: Value) throws(JSONataError) -> Value {
        switch self {
        case .string:
            if args[0].isUndefined { return .undefined }
            let prettify = try args.bool(1) ?? false
            return .string(try stringify(args[0], indent: prettify))
        case .length:
            guard let text = try args.string(0) else { return .undefined }
            return .number(Double(text.unicodeScalars.count))
        case .substring:
            guard let text = try args.string(0) else { return .undefined }
            let scalars = Array(text.unicodeScalars)
            guard var start = try args.integer(1) else { throw args.mismatch(1) }
            if start < 0 { start = Swift.max(0, scalars.count + start) }
            start = Swift.min(start, scalars.count)
            var end = scalars.count
            if let length = try args.integer(2) {
                guard length > 0 else { return .string("") }
                end = Swift.min(scalars.count, start + length)
            }
            var result = ""
            result.unicodeScalars.append(contentsOf: scalars[start..<end])
            return .string(result)
        case .substringBefore, .substringAfter:
            guard let text = try args.string(0) else { return .undefined }
            guard let marker = try args.string(1) else { throw args.mismatch(1) }
            guard let range = text.range(of: marker) else { return .string(text) }
            return .string(String(self == .substringBefore ? text[..<range.lowerBound] : text[range.upperBound...]))
        case .uppercase:
            return try args.string(0).map { .string($0.uppercased()) } ?? .undefined
        case .lowercase:
            return try args.string(0).map { .string($0.lowercased()) } ?? .undefined
        case .trim:
            guard let text = try args.string(0) else { return .undefined }
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            return .string(words.joined(separator: " "))
        case .pad:
            guard let text = try args.string(0) else { return .undefined }
            guard let width = try args.integer(1) else { throw args.mismatch(1) }
            var padding = try args.string(2) ?? " "
            if padding.isEmpty { padding = " " }
            let missing = Swift.abs(width) - text.unicodeScalars.count
            guard missing > 0 else { return .string(text) }
            var fill = ""
            let pattern = Array(padding.unicodeScalars)
            for index in 0..<missing { fill.unicodeScalars.append(pattern[index % pattern.count]) }
            return .string(width > 0 ? text + fill : fill + text)
        case .contains:
            guard let text = try args.string(0) else { return .undefined }
            switch args[1] {
            case .string(let part): return .bool(part.isEmpty || text.contains(part))
            case .function(let function):
                guard case .native(let native) = function.body, case .regexMatcher(let regex) = native.kind else { throw args.mismatch(1) }
                return .bool(!(try Regexes.matches(regex, in: text, limit: 1)).isEmpty)
            default: throw args.mismatch(1)
            }
        case .split:
            guard let text = try args.string(0) else { return .undefined }
            var limit = Int.max
            if let given = try args.number(2) {
                guard given >= 0 else { throw JSONataError("D3020", "Third argument of split function must evaluate to a positive number") }
                limit = Int(given.rounded(.down))
            }
            var parts: [String] = []
            switch args[1] {
            case .string(let separator):
                if separator.isEmpty {
                    parts = text.unicodeScalars.map { String($0) }
                } else {
                    parts = text.components(separatedByString: separator)
                }
            case .function(let function):
                guard case .native(let native) = function.body, case .regexMatcher(let regex) = native.kind else { throw args.mismatch(1) }
                var start = text.startIndex
                for match in try Regexes.matches(regex, in: text) {
                    parts.append(String(text[start..<match.range.lowerBound]))
                    start = match.range.upperBound
                }
                parts.append(String(text[start...]))
            default: throw args.mismatch(1)
            }
            return .array(Value.Sequence(parts.prefix(limit).map(Value.string)))
        case .join:
            guard let items = args.array(0) else { return .undefined }
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw args.mismatch(0) }
                strings.append(text)
            }
            return .string(strings.joined(separator: try args.string(1) ?? ""))
        case .match:
            guard let text = try args.string(0) else { return .undefined }
            guard case .function(let function) = args[1], case .native(let native) = function.body,
                  case .regexMatcher(let regex) = native.kind else { throw args.mismatch(1) }
            var limit: Int?
            if let given = try args.number(2) {
                guard given >= 0 else { throw JSONataError("D3040", "Third argument of match function must evaluate to a positive number") }
                limit = Int(given.rounded(.down))
            }
            let matches = try Regexes.matches(regex, in: text, limit: limit)
            return .sequence(matches.map { .object(Regexes.matchObject($0)) })
        case .replace:
            return try replace(evaluator, args, input: input)
        case .eval:
            throw JSONataError("T1006", "Attempted to invoke a non-function")
        case .base64encode:
            guard let text = try args.string(0) else { return .undefined }
            return .string(Base64.encode(Array(text.utf8)))
        case .base64decode:
            guard let text = try args.string(0) else { return .undefined }
            guard let bytes = Base64.decode(text) else {
                throw JSONataError("D3137", "The string is not valid base64: \(text)")
            }
            return .string(String(decoding: bytes, as: UTF8.self))
        case .encodeUrlComponent, .encodeUrl:
            guard let text = try args.string(0) else { return .undefined }
            return .string(PercentEncoding.encode(text, keepingReserved: self == .encodeUrl))
        case .decodeUrlComponent, .decodeUrl:
            guard let text = try args.string(0) else { return .undefined }
            guard let decoded = PercentEncoding.decode(text, keepingReserved: self == .decodeUrl) else {
                throw JSONataError("D3140", "Malformed URL passed to \(rawValue)(): \"\(text)\"")
            }
            return .string(decoded)
        default:
            preconditionFailure("not a string function: \(rawValue)")
        }
    }

    private func replace(_ evaluator: Evaluator, _ args: Arguments, input: Value) throws(JSONataError) -> Value {
        guard let text = try args.string(0) else { return .undefined }
        var limit = Int.max
        if let given = try args.number(3) {
            guard given >= 0 else { throw JSONataError("D3011", "Fourth argument of replace function must evaluate to a positive number") }
            limit = Int(given.rounded(.down))
        }
        switch args[1] {
        case .string(let pattern):
            guard !pattern.isEmpty else { throw JSONataError("D3010", "Second argument of replace function cannot be an empty string") }
            guard case .string(let replacement) = args[2] else { throw args.mismatch(2) }
            var result = ""
            var rest = Substring(text)
            var done = 0
            while done < limit, let range = rest.range(of: pattern) {
                result += rest[..<range.lowerBound]
                result += replacement
                rest = rest[range.upperBound...]
                done += 1
            }
            return .string(result + rest)
        case .function(let function):
            guard case .native(let native) = function.body, case .regexMatcher(let regex) = native.kind else { throw args.mismatch(1) }
            var result = ""
            var start = text.startIndex
            for match in try Regexes.matches(regex, in: text, limit: limit) {
                result += text[start..<match.range.lowerBound]
                switch args[2] {
                case .string(let template): result += Self.substitute(template, match)
                case .function(let replacer):
                    let value = try evaluator.apply(replacer, [.object(Regexes.matchObject(match))], input: input)
                    guard case .string(let text) = value else {
                        throw JSONataError("D3012", "Attempted to replace a matched string with a non-string value")
                    }
                    result += text
                default: throw args.mismatch(2)
                }
                start = match.range.upperBound
            }
            return .string(result + text[start...])
        default:
            throw args.mismatch(1)
        }
    }

    /// `$0` is the whole match, `$1`… its groups, `$$` a dollar sign.
    private static func substitute(_ template: String, _ match: Regexes.Match) -> String {
        var result = ""
        let chars = Array(template)
        var index = 0
        while index < chars.count {
            let c = chars[index]
            guard c == "$", index + 1 < chars.count else { result.append(c); index += 1; continue }
            let next = chars[index + 1]
            if next == "$" { result.append("$"); index += 2; continue }
            guard let digit = next.wholeNumberValue else { result.append(c); index += 1; continue }
            var group = digit
            var end = index + 2
            // Take a second digit only while it still names a group.
            if end < chars.count, let second = chars[end].wholeNumberValue, group * 10 + second <= match.groups.count {
                group = group * 10 + second
                end += 1
            }
            if group == 0 {
                result += match.text
            } else if group <= match.groups.count {
                result += match.groups[group - 1]
            }
            index = end
        }
        return result
    }
}

extension String {
    func components(separatedByString separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.range(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

extension StringProtocol {
    /// The first occurrence of `needle`, comparing characters as `==` does.
    func range(of needle: some StringProtocol) -> Range<Index>? {
        guard !needle.isEmpty else { return startIndex..<startIndex }
        var index = startIndex
        while index < endIndex {
            if self[index...].starts(with: needle) {
                return index..<self.index(index, offsetBy: needle.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<Swift.min(index + 3, bytes.count)]
            let b0 = chunk[chunk.startIndex]
            let b1 = chunk.count > 1 ? chunk[chunk.startIndex + 1] : 0
            let b2 = chunk.count > 2 ? chunk[chunk.startIndex + 2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(chunk.count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            output.append(chunk.count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") { break }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: " ") { continue }
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(value))
        }
        var output: [UInt8] = []
        var index = 0
        while index + 1 < values.count {
            output.append(values[index] << 2 | values[index + 1] >> 4)
            if index + 2 < values.count { output.append(values[index + 1] << 4 | values[index + 2] >> 2) }
            if index + 3 < values.count { output.append(values[index + 2] << 6 | values[index + 3]) }
            index += 4
        }
        return output
    }
}

/// JavaScript's encodeURIComponent / encodeURI and their inverses.
enum PercentEncoding {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()".utf8)
    private static let reserved = Set(";,/?:@&=+$#".utf8)
    private static let hex = Array("0123456789ABCDEF".utf8)

    static func encode(_ text: String, keepingReserved: Bool) -> String {
        var output: [UInt8] = []
        for byte in text.utf8 {
            if unreserved.contains(byte) || (keepingReserved && reserved.contains(byte)) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String, keepingReserved: Bool) -> String? {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) else {
                    return nil
                }
                if keepingReserved, reserved.contains(value) {
                    output.append(contentsOf: bytes[index...(index + 2)])
                } else {
                    output.append(value)
                }
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        guard let decoded = String(validating: output, as: UTF8.self) else { return nil }
        return decoded
    }
}
