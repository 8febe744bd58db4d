import JSON
import Wire

/// The JSON paths EventBridge accepts in `InputPath` and `InputPathsMap`: `$`, then `.name`
/// or `['name']` members and `[n]` indices. A path that finds nothing yields nil.
struct JSONPathLite: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        case member(String)
        case index(Int)
    }

    let steps: [Step]

    init?(_ text: String) {
        var chars = Substring(text)
        guard chars.first == "$" else { return nil }
        chars = chars.dropFirst()
        var steps: [Step] = []
        while let first = chars.first {
            if first == "." {
                chars = chars.dropFirst()
                let name = chars.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return nil }
                steps.append(.member(String(name)))
                chars = chars.dropFirst(name.count)
            } else if first == "[" {
                guard let close = chars.firstIndex(of: "]") else { return nil }
                let inner = chars[chars.index(after: chars.startIndex)..<close]
                if let number = Int(inner), number >= 0 {
                    steps.append(.index(number))
                } else if inner.count >= 2, let quote = inner.first, quote == "'" || quote == "\"", inner.last == quote {
                    steps.append(.member(String(inner.dropFirst().dropLast())))
                } else {
                    return nil
                }
                chars = chars[chars.index(after: close)...]
            } else {
                return nil
            }
        }
        self.steps = steps
    }

    func resolve(_ value: JSONValue) -> JSONValue? {
        var current = value
        for step in steps {
            switch step {
            case .member(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .index(let index):
                guard let next = current[index] else { return nil }
                current = next
            }
        }
        return current
    }
}

/// `InputTransformer`: values picked from the event by `InputPathsMap`, substituted for
/// `<name>` placeholders in `InputTemplate`, plus AWS's predefined `<aws.events.*>` variables.
///
/// As AWS does, a placeholder inside a JSON string literal receives a string's characters
/// (escaped, without quotes); outside one it receives the value's JSON text.
struct InputTransformer: Sendable, Equatable {
    var paths: [(name: String, path: JSONPathLite)]
    var template: String

    static func == (a: InputTransformer, b: InputTransformer) -> Bool {
        a.template == b.template && a.paths.map(\.name) == b.paths.map(\.name) && a.paths.map(\.path) == b.paths.map(\.path)
    }

    init(_ input: BusInput, targetId: String) throws(AWSError) {
        template = try input.requiredString("InputTemplate")
        guard !template.isEmpty, template.utf8.count <= 8192 else {
            throw BusError.validation("Target \(targetId): InputTemplate must have length between 1 and 8192.")
        }
        paths = []
        if let map = try input.object("InputPathsMap")?.value.objectValue {
            guard map.count <= 100 else {
                throw BusError.validation("Target \(targetId): InputPathsMap can have at most 100 entries.")
            }
            for (name, value) in map {
                guard let text = value.stringValue, let path = JSONPathLite(text) else {
                    throw BusError.validation("Target \(targetId): InputPathsMap value for \(name) is not a valid JSON path.")
                }
                guard !name.isEmpty, name.utf8.count <= 256,
                      name.utf8.allSatisfy({ BusInput.isNameByte($0) && $0 != UInt8(ascii: ".") }) else {
                    throw BusError.validation("Target \(targetId): InputPathsMap key \(name) must match [A-Za-z0-9_-]+.")
                }
                guard !name.hasPrefix("aws.events") else {
                    throw BusError.validation("Target \(targetId): InputPathsMap key \(name) uses the reserved prefix aws.events.")
                }
                paths.append((name, path))
            }
        }
    }

    /// What the predefined variables stand for during one delivery.
    struct Context {
        var event: JSONValue
        var eventText: String
        var ruleArn: String
        var ruleName: String
        var ingestionTime: String
    }

    func render(_ context: Context) -> String {
        var values: [String: JSONValue] = [:]
        for (name, path) in paths { values[name] = path.resolve(context.event) ?? .null }
        var out = ""
        out.reserveCapacity(template.utf8.count + 64)
        var inString = false
        var escaped = false
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            if character == "<", let close = template[index...].firstIndex(of: ">"),
               let value = lookup(String(template[template.index(after: index)..<close]), values, context) {
                out += inString ? Self.stringContents(value) : value.serialized
                index = template.index(after: close)
                continue
            }
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            }
            out.append(character)
            index = template.index(after: index)
        }
        return out
    }

    private func lookup(_ name: String, _ values: [String: JSONValue], _ context: Context) -> JSONValue? {
        if let value = values[name] { return value }
        switch name {
        case "aws.events.rule-arn": return .string(context.ruleArn)
        case "aws.events.rule-name": return .string(context.ruleName)
        case "aws.events.event.ingestion-time": return .string(context.ingestionTime)
        case "aws.events.event": return context.event
        case "aws.events.event.json": return .string(context.eventText)
        default: return nil
        }
    }

    /// A value's text as it goes inside a JSON string literal: a string's own characters, any
    /// other value's JSON text, escaped either way so the result stays valid JSON.
    static func stringContents(_ value: JSONValue) -> String {
        let text: String
        switch value {
        case .string(let string): text = string
        case .null: return ""
        default: text = value.serialized
        }
        let quoted = JSONValue.string(text).serialized
        return String(quoted.dropFirst().dropLast())
    }
}
