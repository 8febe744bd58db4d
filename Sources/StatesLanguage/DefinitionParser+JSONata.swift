import JSON

/// The parts of definition parsing that depend on the query language: which fields a state
/// may have in each, JSONata templates, `Assign`, and JSONata Choice rules.
extension DefinitionParser {
    /// Fields only JSONPath states have.
    static let jsonPathOnlyFields: Set<String> = [
        "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Result", "ItemsPath",
        "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath", "ErrorPath", "CausePath",
        "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
    ]

    /// Fields only JSONata states have, by state type.
    static let jsonataFields: [String: Set<String>] = [
        "Task": ["Arguments", "Output"], "Pass": ["Output"], "Choice": ["Output"], "Wait": ["Output"],
        "Succeed": ["Output"], "Fail": [], "Parallel": ["Arguments", "Output"], "Map": ["Items", "Output"],
    ]

    /// State types that may set variables.
    static let assigningTypes: Set<String> = ["Task", "Pass", "Choice", "Wait", "Parallel", "Map"]

    static func wrongLanguage(_ language: QueryLanguage, field: String) -> String {
        let other = language == .jsonata ? QueryLanguage.jsonPath : .jsonata
        return "The QueryLanguage is set to '\(language.rawValue)', but field '\(field)' is only supported for the '\(other.rawValue)' QueryLanguage"
    }

    mutating func checkFields(_ object: JSONObject, type: String, at location: String) {
        let jsonataOnly = Self.jsonataFields.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        var allowed = Self.commonFields.union(["QueryLanguage"])
        if Self.assigningTypes.contains(type) { allowed.insert("Assign") }
        if language == .jsonata {
            allowed.formUnion(Self.allowedFields[type]!.subtracting(Self.jsonPathOnlyFields))
            allowed.formUnion(Self.jsonataFields[type]!)
        } else {
            allowed.formUnion(Self.allowedFields[type]!)
        }
        for key in object.keys where !allowed.contains(key) {
            let belongsToOther = language == .jsonata ? Self.jsonPathOnlyFields.contains(key) : jsonataOnly.contains(key)
            if belongsToOther, Self.allowedFields[type]!.union(Self.jsonataFields[type]!).contains(key) {
                schema(Self.wrongLanguage(language, field: key), at: location)
            } else {
                schema("Field '\(key)' is not supported", at: location)
            }
        }
    }

    /// A JSONata field (`Arguments`, `Output`, `Items`, `ItemSelector`, a `{% %}` number…).
    mutating func queryTemplate(_ object: JSONObject, _ key: String, at location: String) -> QueryTemplate? {
        guard language == .jsonata, let value = object[key] else { return nil }
        return compileTemplate(value, at: "\(location)/\(key)")
    }

    mutating func compileTemplate(_ value: JSONValue, at location: String) -> QueryTemplate {
        var problems: [(String, String, String)] = []
        let template = QueryTemplate.compile(value, location: location, problems: &problems)
        for (code, problemLocation, message) in problems { report(code, message, at: problemLocation) }
        return template
    }

    /// `Assign`: an object of variable names; in JSONPath states `name.$` keys take paths.
    mutating func parseAssign(_ value: JSONValue?, at location: String) -> Assignment? {
        guard let value else { return nil }
        guard case .object(let object) = value else {
            schema("The value for the field 'Assign' must be an OBJECT", at: location)
            return nil
        }
        for key in object.keys {
            let name = language == .jsonPath && key.hasSuffix(".$") ? String(key.dropLast(2)) : key
            if !Self.isVariableName(name) {
                schema("The variable name '\(name)' is invalid: it must start with a letter or underscore, hold only letters, digits and underscores, and be at most 80 characters", at: "\(location)/\(key)")
            } else if name == "states" {
                schema("The variable name 'states' is reserved", at: "\(location)/\(key)")
            }
        }
        if language == .jsonata {
            var keys: [String] = []
            var values: [QueryTemplate] = []
            for (key, child) in object {
                keys.append(key)
                values.append(compileTemplate(child, at: "\(location)/\(key)"))
            }
            return .jsonata(keys: keys, values: values)
        }
        var problems: [(String, String)] = []
        let compiled = PayloadTemplate.compile(value, location: location, problems: &problems)
        for (problemLocation, message) in problems { schema(message, at: problemLocation) }
        return .jsonPath(compiled)
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 80 else { return false }
        let isLetter: (Unicode.Scalar) -> Bool = { $0.properties.isAlphabetic || $0 == "_" }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }

    /// A JSONata Choice rule: `Condition`, `Next`, and optionally `Output` and `Assign`.
    mutating func parseJSONataRule(_ rule: JSONObject, next: String, at location: String) -> ChoiceRule? {
        for key in rule.keys where !["Condition", "Next", "Output", "Assign", "Comment"].contains(key) {
            schema("Field '\(key)' is not supported", at: location)
        }
        guard let conditionValue = rule["Condition"] else {
            schema("These fields are required: [Condition]", at: location)
            return nil
        }
        switch conditionValue {
        case .bool: break
        case .string(let text) where QueryTemplate.expressionText(text) != nil: break
        default:
            schema("The value for the field 'Condition' must be a BOOLEAN or a JSONata expression", at: "\(location)/Condition")
            return nil
        }
        let condition = compileTemplate(conditionValue, at: "\(location)/Condition")
        let output = queryTemplate(rule, "Output", at: location)
        let assign = parseAssign(rule["Assign"], at: "\(location)/Assign")
        return ChoiceRule(test: .jsonata(condition), next: next, output: output, assign: assign)
    }
}
