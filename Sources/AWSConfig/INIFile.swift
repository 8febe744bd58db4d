/// The INI dialect of `~/.aws/config` and `~/.aws/credentials`, as botocore's parser reads it:
/// `[section]` headers, `key = value` (or `key: value`) lines, `#` and `;` comment lines, and
/// one level of nesting where a key with an empty value is followed by indented
/// `sub_key = value` lines (the `[services NAME]` section's per-service settings).
///
/// Pure: text in, sections out. Later duplicates of a section or key win, as in botocore.
public struct INIFile: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case text(String)
        case nested([String: String])

        public var text: String? {
            if case .text(let value) = self { return value }
            return nil
        }
    }

    /// Section name (as written between the brackets, trimmed) → its keys.
    public var sections: [String: [String: Value]] = [:]

    public init(sections: [String: [String: Value]] = [:]) {
        self.sections = sections
    }

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public init(parsing text: String) throws(ParseError) {
        var current: String?
        var nestedKey: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else {
                    throw ParseError(line: number, message: "a section header must end with ']'")
                }
                let name = trimmed.dropFirst().dropLast().trimmingSpaces
                guard !name.isEmpty else { throw ParseError(line: number, message: "empty section name") }
                current = name
                nestedKey = nil
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current else {
                throw ParseError(line: number, message: "a setting before any [section]")
            }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ParseError(line: number, message: "expected 'key = value'")
            }
            let key = trimmed[..<separator].trimmingSpaces
            let value = trimmed[trimmed.index(after: separator)...].trimmingSpaces
            guard !key.isEmpty else { throw ParseError(line: number, message: "a setting with no name") }
            if indented, let parent = nestedKey {
                var nested: [String: String] = [:]
                if case .nested(let existing) = sections[section]?[parent] { nested = existing }
                nested[key] = value
                sections[section]?[parent] = .nested(nested)
                continue
            }
            if value.isEmpty {
                // Either an empty setting or the head of a nested block: an indented line decides.
                nestedKey = key
                sections[section]?[key] = .nested([:])
            } else {
                nestedKey = nil
                sections[section]?[key] = .text(value)
            }
        }
        // A head with no indented lines under it was an empty setting after all.
        for (name, keys) in sections {
            for (key, value) in keys where value == .nested([:]) { sections[name]?[key] = .text("") }
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }
}
