#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Synchronization
import Timekeeping

/// A parsed, validated state machine definition. Every state of every scope (branches, item
/// processors) is in `states`, keyed by its name, which is unique across the whole machine.
public struct StateMachineDefinition: Sendable {
    /// The definition text as given, kept so an execution can be stored and reloaded exactly.
    public let source: String
    public let comment: String?
    public let body: StateMachineBody
    /// The execution's TimeoutSeconds: past it, the execution times out with States.Timeout.
    public let timeoutSeconds: Double?
    public let states: [String: State]

    /// Parses and validates; throws every diagnostic found when the definition is invalid.
    public init(parsing text: String) throws(InvalidDefinition) {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw InvalidDefinition(diagnostics: [Diagnostic(code: DiagnosticCode.invalidJSON, message: "Cannot parse the definition as JSON: \(error)", location: nil)])
        }
        var parser = DefinitionParser()
        let parsed = parser.parseMachine(json)
        guard parser.diagnostics.isEmpty, let parsed else { throw InvalidDefinition(diagnostics: parser.diagnostics) }
        source = text
        comment = parsed.comment
        body = parsed.body
        timeoutSeconds = parsed.timeoutSeconds
        states = parser.states
    }

    /// ValidateStateMachineDefinition: the diagnostics without throwing.
    public static func validate(_ text: String) -> ValidationReport {
        do {
            _ = try StateMachineDefinition(parsing: text)
            return ValidationReport(diagnostics: [])
        } catch {
            return ValidationReport(diagnostics: error.diagnostics)
        }
    }

    public subscript(stateName: String) -> State? { states[stateName] }
}

extension StateMachineDefinition: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if let cached = DefinitionCache.shared.lookup(text) {
            self = cached
            return
        }
        do {
            self = try StateMachineDefinition(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
        DefinitionCache.shared.store(self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }
}

// MARK: - Parser and validator

struct DefinitionParser {
    var diagnostics: [Diagnostic] = []
    var states: [String: State] = [:]
    private var stateLocations: [String: String] = [:]
    /// The machine's QueryLanguage: every state's, nested ones included, unless it sets its own.
    var machineLanguage = QueryLanguage.jsonPath
    /// The language of the state being parsed.
    var language = QueryLanguage.jsonPath

    static let stateTypes = ["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"]

    static let commonFields: Set<String> = ["Type", "Comment"]
    static let allowedFields: [String: Set<String>] = [
        "Task": ["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
                 "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"],
        "Pass": ["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"],
        "Choice": ["Choices", "Default", "InputPath", "OutputPath"],
        "Wait": ["Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
        "Succeed": ["InputPath", "OutputPath"],
        "Fail": ["Error", "Cause", "ErrorPath", "CausePath"],
        "Parallel": ["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Branches"],
        "Map": ["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
                "Iterator", "ItemProcessor", "ItemsPath", "ItemSelector", "MaxConcurrency", "MaxConcurrencyPath",
                "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label",
                "ItemBatcher", "ItemReader", "ResultWriter"],
    ]

    mutating func report(_ code: String, _ message: String, at location: String?) {
        diagnostics.append(Diagnostic(code: code, message: message, location: location))
    }

    mutating func schema(_ message: String, at location: String?) { report(DiagnosticCode.schema, message, at: location) }

    mutating func parseMachine(_ json: JSONValue) -> (comment: String?, body: StateMachineBody, timeoutSeconds: Double?)? {
        guard case .object(let object) = json else {
            schema("The definition must be a JSON object", at: "/")
            return nil
        }
        for key in object.keys where !["Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"].contains(key) {
            schema("Field '\(key)' is not supported", at: "/")
        }
        if let value = object["QueryLanguage"] {
            if case .string(let text) = value, let language = QueryLanguage(rawValue: text) {
                machineLanguage = language
            } else {
                schema("The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]", at: "/QueryLanguage")
            }
        }
        let comment = optionalString(object, "Comment", at: "")
        var timeout: Double?
        if let value = object["TimeoutSeconds"] {
            if let seconds = value.intValue, seconds > 0 { timeout = Double(seconds) } else {
                schema("The value for the field 'TimeoutSeconds' must be a positive integer", at: "/TimeoutSeconds")
            }
        }
        guard let body = parseBody(object, at: "") else { return nil }
        return (comment, body, timeout)
    }

    /// Parses `StartAt` + `States` at `location` ("" for the machine, "/States/P/Branches[0]"…),
    /// then checks transitions, reachability and termination within that scope.
    mutating func parseBody(_ object: JSONObject, at location: String) -> StateMachineBody? {
        var missing: [String] = []
        if object["StartAt"] == nil { missing.append("StartAt") }
        if object["States"] == nil { missing.append("States") }
        if !missing.isEmpty {
            schema("These fields are required: [\(missing.joined(separator: ", "))]", at: location.isEmpty ? "/" : location)
            return nil
        }
        guard case .string(let startAt) = object["StartAt"]! else {
            schema("The value for the field 'StartAt' must be a STRING", at: "\(location)/StartAt")
            return nil
        }
        guard case .object(let stateObjects) = object["States"]!, !stateObjects.isEmpty else {
            schema("The value for the field 'States' must be a non-empty OBJECT", at: "\(location)/States")
            return nil
        }
        var names: [String] = []
        var parsedHere: [State] = []
        for (name, value) in stateObjects {
            let stateLocation = "\(location)/States/\(name)"
            guard name.count <= 80 else {
                schema("State names must be at most 80 characters long", at: stateLocation)
                continue
            }
            if let previous = stateLocations[name] {
                report(DiagnosticCode.duplicate, "Duplicate State name: \(name) (first defined at \(previous))", at: stateLocation)
                continue
            }
            stateLocations[name] = stateLocation
            names.append(name)
            if let state = parseState(name: name, value, at: stateLocation) {
                states[name] = state
                parsedHere.append(state)
            }
        }
        checkTransitions(startAt: startAt, names: names, parsed: parsedHere, at: location)
        return StateMachineBody(startAt: startAt, stateNames: names)
    }

    mutating func checkTransitions(startAt: String, names: [String], parsed: [State], at location: String) {
        let scope = Set(names)
        if !scope.contains(startAt) {
            report(DiagnosticCode.missingTarget, "Missing 'Next' target: \(startAt)", at: "\(location)/StartAt")
        }
        var edges: [String: [String]] = [:]
        var hasTerminal = false
        for state in parsed {
            let stateLocation = "\(location)/States/\(state.name)"
            var targets: [(String, String)] = []
            if let next = state.next { targets.append((next, "\(stateLocation)/Next")) }
            switch state.kind {
            case .choice(let choices, let defaultNext):
                for (index, rule) in choices.enumerated() { targets.append((rule.next, "\(stateLocation)/Choices[\(index)]/Next")) }
                if let defaultNext { targets.append((defaultNext, "\(stateLocation)/Default")) }
            case .succeed, .fail:
                hasTerminal = true
            default:
                if state.next == nil { hasTerminal = true }
            }
            for (index, catcher) in state.catchers.enumerated() { targets.append((catcher.next, "\(stateLocation)/Catch[\(index)]/Next")) }
            for (target, targetLocation) in targets where !scope.contains(target) {
                report(DiagnosticCode.missingTarget, "Missing 'Next' target: \(target)", at: targetLocation)
            }
            edges[state.name] = targets.map(\.0).filter(scope.contains)
        }
        guard parsed.count == names.count else { return }
        if !hasTerminal {
            report(DiagnosticCode.missingEnd, "Workflow has no terminal state", at: nil)
            return
        }
        guard scope.contains(startAt) else { return }
        var reached: Set<String> = [startAt]
        var frontier = [startAt]
        while let name = frontier.popLast() {
            for target in edges[name] ?? [] where reached.insert(target).inserted { frontier.append(target) }
        }
        for name in names where !reached.contains(name) {
            report(DiagnosticCode.missingTarget, "State \"\(name)\" is not reachable.", at: "\(location)/States/\(name)")
        }
    }

    // MARK: States

    mutating func parseState(name: String, _ value: JSONValue, at location: String) -> State? {
        guard case .object(let object) = value else {
            schema("A state must be a JSON object", at: location)
            return nil
        }
        guard let typeValue = object["Type"] else {
            schema("These fields are required: [Type]", at: location)
            return nil
        }
        guard case .string(let type) = typeValue, Self.stateTypes.contains(type) else {
            schema("The field 'Type' should have one of these values: [\(Self.stateTypes.joined(separator: ", "))]", at: "\(location)/Type")
            return nil
        }
        let before = diagnostics.count
        language = machineLanguage
        if let value = object["QueryLanguage"] {
            if case .string(let text) = value, let own = QueryLanguage(rawValue: text) {
                if machineLanguage == .jsonata, own == .jsonPath {
                    schema("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", at: location)
                }
                language = own
            } else {
                schema("The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]", at: "\(location)/QueryLanguage")
            }
        }
        let stateLanguage = language
        checkFields(object, type: type, at: location)
        _ = optionalString(object, "Comment", at: location)

        // Next / End
        var next: String?
        let mayTransition = ["Task", "Pass", "Wait", "Parallel", "Map"].contains(type)
        if mayTransition {
            let nextValue = object["Next"]
            let endValue = object["End"]
            if let nextValue {
                if case .string(let target) = nextValue { next = target } else {
                    schema("The value for the field 'Next' must be a STRING", at: "\(location)/Next")
                }
            }
            if let endValue, endValue != .bool(true) {
                schema("The value for the field 'End' must be true", at: "\(location)/End")
            }
            if nextValue != nil, endValue == .bool(true) {
                schema("Only one of these fields is allowed: [Next, End]", at: location)
            } else if nextValue == nil, endValue == nil {
                schema("Exactly one of these fields is required: [Next, End]", at: location)
            }
        }

        let arguments = queryTemplate(object, "Arguments", at: location)
        let output = queryTemplate(object, "Output", at: location)
        let assign = parseAssign(object["Assign"], at: "\(location)/Assign")
        let inputPath = pathSetting(object, "InputPath", at: location)
        let outputPath = pathSetting(object, "OutputPath", at: location)
        let resultPath = resultPathSetting(object, "ResultPath", at: location)
        let parameters = template(object, "Parameters", at: location)
        let resultSelector = template(object, "ResultSelector", at: location)
        let retry = parseRetry(object["Retry"], at: "\(location)/Retry")
        let catchers = parseCatch(object["Catch"], at: "\(location)/Catch")

        let kind: State.Kind?
        switch type {
        case "Task": kind = parseTask(object, at: location)
        case "Pass": kind = .pass(result: language == .jsonPath ? object["Result"] : nil)
        case "Choice": kind = parseChoice(object, at: location)
        case "Wait": kind = parseWait(object, at: location)
        case "Succeed": kind = .succeed
        case "Fail": kind = parseFail(object, at: location)
        case "Parallel": kind = parseParallel(object, at: location)
        default: kind = parseMap(object, at: location)
        }
        // Nested states (branches, item processors) were parsed in their own language.
        language = stateLanguage
        guard let kind, diagnostics.count == before else { return nil }
        return State(name: name, kind: kind, next: next, inputPath: inputPath, outputPath: outputPath,
                     parameters: parameters, resultSelector: resultSelector, resultPath: resultPath,
                     retry: retry, catchers: catchers, queryLanguage: language, arguments: arguments, output: output,
                     assign: assign)
    }

    mutating func optionalString(_ object: JSONObject, _ key: String, at location: String) -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let text) = value else {
            schema("The value for the field '\(key)' must be a STRING", at: "\(location)/\(key)")
            return nil
        }
        return text
    }

    mutating func jsonPath(_ text: String, field: String, at location: String) -> JSONPath? {
        do {
            return try JSONPath(text)
        } catch {
            schema("The value for the field '\(field)' must be a valid JSONPath (\(error.reason))", at: "\(location)/\(field)")
            return nil
        }
    }

    mutating func pathSetting(_ object: JSONObject, _ key: String, at location: String) -> PathSetting {
        guard let value = object[key] else { return .whole }
        switch value {
        case .null: return .discard
        case .string("$"): return .whole
        case .string(let text): return jsonPath(text, field: key, at: location).map(PathSetting.path) ?? .whole
        default:
            schema("The value for the field '\(key)' must be a STRING or null", at: "\(location)/\(key)")
            return .whole
        }
    }

    mutating func resultPathSetting(_ object: JSONObject, _ key: String, at location: String) -> ResultPathSetting {
        guard let value = object[key] else { return .replace }
        switch value {
        case .null: return .discard
        case .string("$"): return .replace
        case .string(let text):
            guard let path = jsonPath(text, field: key, at: location) else { return .replace }
            guard path.isReferencePath else {
                schema("The value for the field '\(key)' must be a valid ReferencePath", at: "\(location)/\(key)")
                return .replace
            }
            return .path(path)
        default:
            schema("The value for the field '\(key)' must be a STRING or null", at: "\(location)/\(key)")
            return .replace
        }
    }

    mutating func template(_ object: JSONObject, _ key: String, at location: String) -> PayloadTemplate? {
        guard let value = object[key] else { return nil }
        guard case .object = value else {
            if key == "Parameters" || key == "ResultSelector" || key == "ItemSelector" {
                schema("The value for the field '\(key)' must be an OBJECT", at: "\(location)/\(key)")
            }
            return nil
        }
        var problems: [(String, String)] = []
        let compiled = PayloadTemplate.compile(value, location: "\(location)/\(key)", problems: &problems)
        for (problemLocation, message) in problems { schema(message, at: problemLocation) }
        return compiled
    }

    mutating func number(_ object: JSONObject, _ key: String, pathKey: String, at location: String,
                         minimum: Double, integer: Bool = true) -> NumberSource? {
        let value = object[key]
        let pathValue = object[pathKey]
        if value != nil, pathValue != nil {
            schema("Only one of these fields is allowed: [\(key), \(pathKey)]", at: location)
            return nil
        }
        if let value, language == .jsonata, case .string(let text) = value, QueryTemplate.expressionText(text) != nil {
            return queryTemplate(object, key, at: location).map(NumberSource.expression)
        }
        if let value {
            guard case .number(let number) = value, number >= minimum, !integer || value.intValue != nil else {
                schema("The value for the field '\(key)' must be \(integer ? "an integer" : "a number") greater than or equal to \(JSONValue.format(number: minimum))", at: "\(location)/\(key)")
                return nil
            }
            return .value(number)
        }
        if let pathValue {
            guard case .string(let text) = pathValue else {
                schema("The value for the field '\(pathKey)' must be a STRING", at: "\(location)/\(pathKey)")
                return nil
            }
            return jsonPath(text, field: pathKey, at: location).map(NumberSource.path)
        }
        return nil
    }

    // MARK: Types

    mutating func parseTask(_ object: JSONObject, at location: String) -> State.Kind? {
        guard let value = object["Resource"] else {
            schema("These fields are required: [Resource]", at: location)
            return nil
        }
        guard case .string(let arn) = value else {
            schema("The value for the field 'Resource' must be a STRING", at: "\(location)/Resource")
            return nil
        }
        let resource = TaskResource(arn: arn)
        guard resource.isValidARN else {
            schema("Value is not a valid resource ARN", at: "\(location)/Resource")
            return nil
        }
        let timeout = number(object, "TimeoutSeconds", pathKey: "TimeoutSecondsPath", at: location, minimum: 1)
        let heartbeat = number(object, "HeartbeatSeconds", pathKey: "HeartbeatSecondsPath", at: location, minimum: 1)
        if case .value(let t) = timeout, case .value(let h) = heartbeat, h >= t {
            schema("The value for the field 'HeartbeatSeconds' must be smaller than the value for the field 'TimeoutSeconds'", at: "\(location)/HeartbeatSeconds")
        }
        return .task(TaskSpec(resource: resource, timeoutSeconds: timeout, heartbeatSeconds: heartbeat))
    }

    mutating func parseChoice(_ object: JSONObject, at location: String) -> State.Kind? {
        guard case .array(let items) = object["Choices"] ?? .null, !items.isEmpty else {
            if object["Choices"] == nil { schema("These fields are required: [Choices]", at: location) } else {
                schema("The value for the field 'Choices' must be a non-empty ARRAY", at: "\(location)/Choices")
            }
            return nil
        }
        var rules: [ChoiceRule] = []
        for (index, item) in items.enumerated() {
            let ruleLocation = "\(location)/Choices[\(index)]"
            guard case .object(let rule) = item else {
                schema("A choice rule must be a JSON object", at: ruleLocation)
                continue
            }
            guard case .string(let next) = rule["Next"] ?? .null else {
                schema("These fields are required: [Next]", at: ruleLocation)
                continue
            }
            if language == .jsonata {
                if let rule = parseJSONataRule(rule, next: next, at: ruleLocation) { rules.append(rule) }
            } else if let condition = parseCondition(rule, at: ruleLocation, topLevel: true) {
                rules.append(ChoiceRule(test: .jsonPath(condition), next: next, output: nil, assign: nil))
            }
        }
        let defaultNext = optionalString(object, "Default", at: location)
        return .choice(choices: rules, defaultNext: defaultNext)
    }

    mutating func parseCondition(_ rule: JSONObject, at location: String, topLevel: Bool) -> ChoiceCondition? {
        if !topLevel, rule["Next"] != nil {
            schema("Field 'Next' is not supported in a nested choice rule", at: location)
        }
        let operators = rule.keys.filter { !["Next", "Comment", "Variable"].contains($0) }
        guard operators.count == 1, let key = operators.first else {
            schema(operators.isEmpty ? "A choice rule must have a comparison operator, And, Or or Not"
                                     : "A choice rule must have exactly one comparison operator, And, Or or Not; found [\(operators.joined(separator: ", "))]",
                   at: location)
            return nil
        }
        let value = rule[key]!
        switch key {
        case "And", "Or":
            guard rule["Variable"] == nil else {
                schema("Field 'Variable' is not supported with \(key)", at: location)
                return nil
            }
            guard case .array(let items) = value, !items.isEmpty else {
                schema("The value for the field '\(key)' must be a non-empty ARRAY", at: "\(location)/\(key)")
                return nil
            }
            var conditions: [ChoiceCondition] = []
            for (index, item) in items.enumerated() {
                guard case .object(let nested) = item else {
                    schema("A choice rule must be a JSON object", at: "\(location)/\(key)[\(index)]")
                    return nil
                }
                guard let condition = parseCondition(nested, at: "\(location)/\(key)[\(index)]", topLevel: false) else { return nil }
                conditions.append(condition)
            }
            return key == "And" ? .and(conditions) : .or(conditions)
        case "Not":
            guard case .object(let nested) = value else {
                schema("The value for the field 'Not' must be an OBJECT", at: "\(location)/Not")
                return nil
            }
            return parseCondition(nested, at: "\(location)/Not", topLevel: false).map(ChoiceCondition.not)
        default:
            guard let op = ComparisonOperator(rawValue: key) else {
                schema("Field '\(key)' is not supported", at: location)
                return nil
            }
            guard case .string(let variableText) = rule["Variable"] ?? .null else {
                schema("These fields are required: [Variable]", at: location)
                return nil
            }
            guard let variable = jsonPath(variableText, field: "Variable", at: location) else { return nil }
            let operand: ChoiceCondition.Operand
            if op.isPathForm {
                guard case .string(let text) = value, let path = jsonPath(text, field: key, at: location) else {
                    if case .string = value {} else { schema("The value for the field '\(key)' must be a STRING", at: "\(location)/\(key)") }
                    return nil
                }
                operand = .path(path)
            } else {
                let valid: Bool
                switch op.family {
                case .string, .matches: valid = value.stringValue != nil
                case .numeric: valid = value.doubleValue != nil
                case .boolean, .typeTest: valid = value.boolValue != nil
                case .timestamp: valid = value.stringValue.flatMap(RFC3339.parse) != nil
                }
                guard valid else {
                    let expected: String
                    switch op.family {
                    case .string, .matches: expected = "a STRING"
                    case .numeric: expected = "a NUMBER"
                    case .boolean, .typeTest: expected = "a BOOLEAN"
                    case .timestamp: expected = "a STRING holding an RFC 3339 timestamp"
                    }
                    schema("The value for the field '\(key)' must be \(expected)", at: "\(location)/\(key)")
                    return nil
                }
                operand = .value(value)
            }
            return .compare(variable: variable, op, operand)
        }
    }

    mutating func parseWait(_ object: JSONObject, at location: String) -> State.Kind? {
        let keys = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"].filter { object[$0] != nil }
        guard keys.count == 1, let key = keys.first else {
            schema("Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]", at: location)
            return nil
        }
        let value = object[key]!
        if language == .jsonata, case .string(let text) = value, QueryTemplate.expressionText(text) != nil,
           let template = queryTemplate(object, key, at: location) {
            return .wait(key == "Seconds" ? .secondsExpression(template) : .timestampExpression(template))
        }
        switch key {
        case "Seconds":
            guard let seconds = value.intValue, seconds >= 0, seconds <= 99_999_999 else {
                schema("The value for the field 'Seconds' must be an integer between 0 and 99999999", at: "\(location)/Seconds")
                return nil
            }
            return .wait(.seconds(Double(seconds)))
        case "Timestamp":
            guard let text = value.stringValue, let date = RFC3339.parse(text) else {
                schema("The value for the field 'Timestamp' must be a valid RFC 3339 timestamp", at: "\(location)/Timestamp")
                return nil
            }
            return .wait(.timestamp(date))
        default:
            guard case .string(let text) = value, let path = jsonPath(text, field: key, at: location) else {
                if value.stringValue == nil { schema("The value for the field '\(key)' must be a STRING", at: "\(location)/\(key)") }
                return nil
            }
            return .wait(key == "SecondsPath" ? .secondsPath(path) : .timestampPath(path))
        }
    }

    mutating func stringSource(_ object: JSONObject, _ key: String, pathKey: String, at location: String) -> StringSource? {
        if object[key] != nil, object[pathKey] != nil {
            schema("Only one of these fields is allowed: [\(key), \(pathKey)]", at: location)
            return nil
        }
        if language == .jsonata, case .string(let text)? = object[key], QueryTemplate.expressionText(text) != nil {
            return queryTemplate(object, key, at: location).map(StringSource.expression)
        }
        if let text = optionalString(object, key, at: location) { return .value(text) }
        guard let expression = optionalString(object, pathKey, at: location) else { return nil }
        if expression.hasPrefix("States.") {
            do { return .intrinsic(try IntrinsicCall(parsing: expression)) } catch {
                schema("The value for the field '\(pathKey)' must be a valid JSONPath or intrinsic function (\(error.reason))", at: "\(location)/\(pathKey)")
                return nil
            }
        }
        return jsonPath(expression, field: pathKey, at: location).map(StringSource.path)
    }

    mutating func parseFail(_ object: JSONObject, at location: String) -> State.Kind? {
        let error = stringSource(object, "Error", pathKey: "ErrorPath", at: location)
        let cause = stringSource(object, "Cause", pathKey: "CausePath", at: location)
        return .fail(error: error, cause: cause)
    }

    mutating func parseParallel(_ object: JSONObject, at location: String) -> State.Kind? {
        guard case .array(let items) = object["Branches"] ?? .null, !items.isEmpty else {
            schema(object["Branches"] == nil ? "These fields are required: [Branches]" : "The value for the field 'Branches' must be a non-empty ARRAY",
                   at: object["Branches"] == nil ? location : "\(location)/Branches")
            return nil
        }
        var branches: [StateMachineBody] = []
        for (index, item) in items.enumerated() {
            let branchLocation = "\(location)/Branches[\(index)]"
            guard case .object(let branch) = item else {
                schema("A branch must be a JSON object", at: branchLocation)
                continue
            }
            for key in branch.keys where !["StartAt", "States", "Comment"].contains(key) {
                schema("Field '\(key)' is not supported", at: branchLocation)
            }
            if let body = parseBody(branch, at: branchLocation) { branches.append(body) }
        }
        return .parallel(branches: branches)
    }

    mutating func parseMap(_ object: JSONObject, at location: String) -> State.Kind? {
        let processorKey = object["ItemProcessor"] != nil ? "ItemProcessor" : "Iterator"
        if object["ItemProcessor"] != nil, object["Iterator"] != nil {
            schema("Only one of these fields is allowed: [ItemProcessor, Iterator]", at: location)
            return nil
        }
        guard case .object(let processor) = object[processorKey] ?? .null else {
            schema("These fields are required: [ItemProcessor]", at: location)
            return nil
        }
        let processorLocation = "\(location)/\(processorKey)"
        for key in processor.keys where !["StartAt", "States", "Comment", "ProcessorConfig"].contains(key) {
            schema("Field '\(key)' is not supported", at: processorLocation)
        }
        let distributed = parseDistributed(object, processor: processor, processorLocation: processorLocation, at: location)
        if object["Parameters"] != nil, object["ItemSelector"] != nil {
            schema("Only one of these fields is allowed: [Parameters, ItemSelector]", at: location)
        }
        var itemsPath: JSONPath?
        if let text = optionalString(object, "ItemsPath", at: location), text != "$" {
            itemsPath = jsonPath(text, field: "ItemsPath", at: location)
        }
        let selector = language == .jsonPath ? template(object, "ItemSelector", at: location) : nil
        let items = queryTemplate(object, "Items", at: location)
        let itemTemplate = language == .jsonata ? queryTemplate(object, "ItemSelector", at: location) : nil
        let maxConcurrency = number(object, "MaxConcurrency", pathKey: "MaxConcurrencyPath", at: location, minimum: 0)
        let count = number(object, "ToleratedFailureCount", pathKey: "ToleratedFailureCountPath", at: location, minimum: 0)
        let percentage = number(object, "ToleratedFailurePercentage", pathKey: "ToleratedFailurePercentagePath", at: location, minimum: 0, integer: false)
        if case .value(let value) = percentage, value > 100 {
            schema("The value for the field 'ToleratedFailurePercentage' must be between 0 and 100", at: "\(location)/ToleratedFailurePercentage")
        }
        guard let body = parseBody(processor, at: processorLocation) else { return nil }
        var spec = MapSpec(itemsPath: itemsPath, itemSelector: selector, processor: body, maxConcurrency: maxConcurrency,
                           toleratedFailureCount: count, toleratedFailurePercentage: percentage, items: items,
                           itemTemplate: itemTemplate)
        spec.distributed = distributed
        return .map(spec)
    }
}

/// Decoded executions of one state machine share its parsed definition: a stored execution
/// carries the definition text, and parsing it again on every reload would dominate.
final class DefinitionCache: Sendable {
    static let shared = DefinitionCache()
    private let entries = Mutex<[String: StateMachineDefinition]>([:])
    private static let capacity = 256

    func lookup(_ source: String) -> StateMachineDefinition? {
        entries.withLock { $0[source] }
    }

    func store(_ definition: StateMachineDefinition) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[definition.source] = definition
        }
    }
}
