import JSON

/// Retry and Catch: error-name lists, retriers and catchers, validated as AWS does.
extension DefinitionParser {
    mutating func errorEquals(_ object: JSONObject, at location: String, isLast: Bool) -> [String] {
        guard let value = object["ErrorEquals"] else {
            schema("These fields are required: [ErrorEquals]", at: location)
            return []
        }
        guard case .array(let items) = value, !items.isEmpty else {
            schema("The value for the field 'ErrorEquals' must be a non-empty ARRAY of STRINGs", at: "\(location)/ErrorEquals")
            return []
        }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item else {
                schema("The value for the field 'ErrorEquals' must be a non-empty ARRAY of STRINGs", at: "\(location)/ErrorEquals")
                return []
            }
            if name.hasPrefix("States."), !StatesErrorName.predefined.contains(name) {
                schema("'\(name)' is not a predefined error name; error names starting with 'States.' are reserved", at: "\(location)/ErrorEquals")
            }
            names.append(name)
        }
        if names.contains(StatesErrorName.all) {
            if names.count > 1 {
                schema("'States.ALL' must appear alone in ErrorEquals", at: "\(location)/ErrorEquals")
            }
            if !isLast {
                schema("'States.ALL' must appear in the last element of the array", at: "\(location)/ErrorEquals")
            }
        }
        return names
    }

    mutating func parseRetry(_ value: JSONValue?, at location: String) -> [Retrier] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            schema("The value for the field 'Retry' must be an ARRAY", at: location)
            return []
        }
        var retriers: [Retrier] = []
        for (index, item) in items.enumerated() {
            let itemLocation = "\(location)[\(index)]"
            guard case .object(let object) = item else {
                schema("A retrier must be a JSON object", at: itemLocation)
                continue
            }
            for key in object.keys where !["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"].contains(key) {
                schema("Field '\(key)' is not supported", at: itemLocation)
            }
            let names = errorEquals(object, at: itemLocation, isLast: index == items.count - 1)
            var interval = 1.0, attempts = 3, backoff = 2.0
            var maxDelay: Double?
            var jitter = Retrier.Jitter.none
            if let value = object["IntervalSeconds"] {
                if let seconds = value.intValue, seconds >= 1, seconds <= 99_999_999 { interval = Double(seconds) } else {
                    schema("The value for the field 'IntervalSeconds' must be an integer between 1 and 99999999", at: "\(itemLocation)/IntervalSeconds")
                }
            }
            if let value = object["MaxAttempts"] {
                if let count = value.intValue, count >= 0, count <= 99_999_999 { attempts = count } else {
                    schema("The value for the field 'MaxAttempts' must be an integer between 0 and 99999999", at: "\(itemLocation)/MaxAttempts")
                }
            }
            if let value = object["BackoffRate"] {
                if case .number(let rate) = value, rate >= 1 { backoff = rate } else {
                    schema("The value for the field 'BackoffRate' must be a number greater than or equal to 1.0", at: "\(itemLocation)/BackoffRate")
                }
            }
            if let value = object["MaxDelaySeconds"] {
                if let seconds = value.intValue, seconds >= 1, seconds <= 31_622_400 { maxDelay = Double(seconds) } else {
                    schema("The value for the field 'MaxDelaySeconds' must be an integer between 1 and 31622400", at: "\(itemLocation)/MaxDelaySeconds")
                }
            }
            if let value = object["JitterStrategy"] {
                if case .string(let text) = value, let parsed = Retrier.Jitter(rawValue: text) { jitter = parsed } else {
                    schema("The field 'JitterStrategy' should have one of these values: [FULL, NONE]", at: "\(itemLocation)/JitterStrategy")
                }
            }
            retriers.append(Retrier(errorEquals: names, intervalSeconds: interval, maxAttempts: attempts, backoffRate: backoff,
                                    maxDelaySeconds: maxDelay, jitter: jitter))
        }
        return retriers
    }

    mutating func parseCatch(_ value: JSONValue?, at location: String) -> [Catcher] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            schema("The value for the field 'Catch' must be an ARRAY", at: location)
            return []
        }
        var catchers: [Catcher] = []
        for (index, item) in items.enumerated() {
            let itemLocation = "\(location)[\(index)]"
            guard case .object(let object) = item else {
                schema("A catcher must be a JSON object", at: itemLocation)
                continue
            }
            let allowed: Set<String> = language == .jsonata ? ["ErrorEquals", "Next", "Output", "Assign", "Comment"]
                                                            : ["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"]
            for key in object.keys where !allowed.contains(key) {
                if key == "Output" || key == "ResultPath" {
                    schema(Self.wrongLanguage(language, field: key), at: itemLocation)
                } else {
                    schema("Field '\(key)' is not supported", at: itemLocation)
                }
            }
            let names = errorEquals(object, at: itemLocation, isLast: index == items.count - 1)
            guard case .string(let next) = object["Next"] ?? .null else {
                schema("These fields are required: [Next]", at: itemLocation)
                continue
            }
            let resultPath = resultPathSetting(object, "ResultPath", at: itemLocation)
            let output = queryTemplate(object, "Output", at: itemLocation)
            let assign = parseAssign(object["Assign"], at: "\(itemLocation)/Assign")
            catchers.append(Catcher(errorEquals: names, next: next, resultPath: resultPath, output: output, assign: assign))
        }
        return catchers
    }
}
