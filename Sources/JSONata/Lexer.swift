/// A token of the expression language, with the offset just past its end (where the
/// reference implementation reports errors).
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case op(String)
        case name(String)
        case variable(String)
        case string(String)
        case number(Double)
        case value(Expr.Literal)
        case regex(RegexLiteral)
        case end
    }

    let kind: Kind
    let start: Int
    let end: Int
}

extension Expr {
    enum Literal: Sendable, Equatable {
        case bool(Bool)
        case null
    }
}


/// Splits an expression into tokens on demand; `/` starts a regex only where an operand is
/// expected, which the parser tells it.
struct Lexer {
    private let chars: [Character]
    private(set) var position = 0

    init(_ text: String) { chars = Array(text) }

    private static let operators: [String] = [
        "..", ":=", "!=", "<=", ">=", "~>", "**",
        ".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?", "+", "-", "*", "/", "%",
        "|", "=", "<", ">", "^", "&", "!", "~",
    ]
    private static let singleOperatorChars: Set<Character> = Set(".[]{}(),@#;:?+-*/%|=<>^&!~")

    mutating func next(operandExpected: Bool) throws(JSONataError) -> Token {
        skipWhitespaceAndComments: while position < chars.count {
            let c = chars[position]
            if c.isWhitespace { position += 1; continue }
            if c == "/", position + 1 < chars.count, chars[position + 1] == "*" {
                let start = position
                position += 2
                while position + 1 < chars.count, !(chars[position] == "*" && chars[position + 1] == "/") { position += 1 }
                guard position + 1 < chars.count else { throw JSONataError("S0106", "Comment has no closing tag", position: start) }
                position += 2
                continue
            }
            break skipWhitespaceAndComments
        }
        let start = position
        guard position < chars.count else { return Token(kind: .end, start: start, end: start) }
        let c = chars[position]
        if c == "/", operandExpected { return try regex(start: start) }
        if c == "\"" || c == "'" { return try string(quote: c, start: start) }
        if c.isASCII, c.isNumber { return try number(start: start) }
        if c == "`" {
            position += 1
            let nameStart = position
            while position < chars.count, chars[position] != "`" { position += 1 }
            guard position < chars.count else { throw JSONataError("S0105", "Quoted property name must be terminated with a backquote (`)", position: start) }
            let name = String(chars[nameStart..<position])
            position += 1
            return Token(kind: .name(name), start: start, end: position)
        }
        if c == "λ" {
            position += 1
            return Token(kind: .name("function"), start: start, end: position)
        }
        if Self.singleOperatorChars.contains(c) {
            for op in Self.operators where matches(op) {
                position += op.count
                return Token(kind: .op(op), start: start, end: position)
            }
        }
        // A name or variable: everything up to whitespace or an operator character.
        let isVariable = c == "$"
        if isVariable { position += 1 }
        let nameStart = position
        while position < chars.count {
            let ch = chars[position]
            if ch.isWhitespace || Self.singleOperatorChars.contains(ch) || ch == "\"" || ch == "'" || ch == "`" { break }
            if isVariable, ch == "$", position == nameStart { position += 1; break }
            position += 1
        }
        let word = String(chars[nameStart..<position])
        if isVariable { return Token(kind: .variable(word), start: start, end: position) }
        switch word {
        case "and", "or", "in": return Token(kind: .op(word), start: start, end: position)
        case "true": return Token(kind: .value(.bool(true)), start: start, end: position)
        case "false": return Token(kind: .value(.bool(false)), start: start, end: position)
        case "null": return Token(kind: .value(.null), start: start, end: position)
        default: return Token(kind: .name(word), start: start, end: position)
        }
    }

    private func matches(_ op: String) -> Bool {
        var index = position
        for ch in op {
            guard index < chars.count, chars[index] == ch else { return false }
            index += 1
        }
        return true
    }

    private mutating func string(quote: Character, start: Int) throws(JSONataError) -> Token {
        position += 1
        var text = ""
        while position < chars.count {
            let c = chars[position]
            if c == quote {
                position += 1
                return Token(kind: .string(text), start: start, end: position)
            }
            if c == "\\" {
                position += 1
                guard position < chars.count else { break }
                let escaped = chars[position]
                switch escaped {
                case "\"", "\\", "/", "'": text.append(escaped)
                case "b": text.append("\u{08}")
                case "f": text.append("\u{0C}")
                case "n": text.append("\n")
                case "r": text.append("\r")
                case "t": text.append("\t")
                case "u":
                    guard position + 4 < chars.count, let code = UInt32(String(chars[(position + 1)...(position + 4)]), radix: 16) else {
                        throw JSONataError("S0104", "The escape sequence \\u must be followed by 4 hex digits", position: position)
                    }
                    position += 4
                    if (0xD800...0xDBFF).contains(code), position + 6 < chars.count, chars[position + 1] == "\\", chars[position + 2] == "u",
                       let low = UInt32(String(chars[(position + 3)...(position + 6)]), radix: 16), (0xDC00...0xDFFF).contains(low) {
                        position += 6
                        let scalar = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        text.unicodeScalars.append(Unicode.Scalar(scalar)!)
                    } else {
                        text.unicodeScalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    }
                default:
                    throw JSONataError("S0103", "Unsupported escape sequence: \\\(escaped)", position: position)
                }
                position += 1
                continue
            }
            text.append(c)
            position += 1
        }
        throw JSONataError("S0101", "String literal must be terminated by a matching quote", position: start)
    }

    private mutating func number(start: Int) throws(JSONataError) -> Token {
        func digits() { while position < chars.count, chars[position].isASCII, chars[position].isNumber { position += 1 } }
        if chars[position] == "0" { position += 1 } else { digits() }
        if position + 1 < chars.count, chars[position] == ".", chars[position + 1].isASCII, chars[position + 1].isNumber {
            position += 1
            digits()
        }
        if position < chars.count, chars[position] == "e" || chars[position] == "E" {
            var lookahead = position + 1
            if lookahead < chars.count, chars[lookahead] == "+" || chars[lookahead] == "-" { lookahead += 1 }
            if lookahead < chars.count, chars[lookahead].isASCII, chars[lookahead].isNumber {
                position = lookahead
                digits()
            }
        }
        let text = String(chars[start..<position])
        guard let value = Double(text), value.isFinite else {
            throw JSONataError("S0102", "Number out of range: \(text)", position: start)
        }
        return Token(kind: .number(value), start: start, end: position)
    }

    private mutating func regex(start: Int) throws(JSONataError) -> Token {
        position += 1
        let patternStart = position
        var depth = 0
        while position < chars.count {
            let c = chars[position]
            if c == "\\" { position += 2; continue }
            if c == "[" { depth += 1 } else if c == "]", depth > 0 { depth -= 1 }
            if c == "/", depth == 0 { break }
            position += 1
        }
        guard position < chars.count else { throw JSONataError("S0302", "No terminating / in regular expression", position: start) }
        let pattern = String(chars[patternStart..<position])
        guard !pattern.isEmpty else { throw JSONataError("S0301", "Empty regular expressions are not allowed", position: start) }
        position += 1
        var caseInsensitive = false, multiline = false
        while position < chars.count, chars[position] == "i" || chars[position] == "m" {
            if chars[position] == "i" { caseInsensitive = true } else { multiline = true }
            position += 1
        }
        return Token(kind: .regex(RegexLiteral(pattern: pattern, caseInsensitive: caseInsensitive, multiline: multiline)), start: start, end: position)
    }
}
