import JSON

/// A queue's `Policy` attribute read as SQS reads its access policy, for the one question the
/// stack asks of it: may an EventBridge rule of another account send this queue messages? (A
/// queue's own account needs no policy; other callers never reach another account's queue.)
///
/// A statement applies when its `Action` covers `sqs:SendMessage` (action names are
/// case-insensitive, `*` and `?` wildcards as in IAM), its `Resource` is absent or covers the
/// queue ARN, its `Principal` names the sender, and its `Condition` holds. A Deny that applies
/// wins over any Allow; with no Allow, access is denied (cross-account access needs the
/// resource policy's grant).
struct QueuePolicy: Sendable {
    var statements: [JSONObject]

    /// The stored attribute; nil or unreadable text is no policy.
    init?(stored text: String?) {
        guard let text, let document = try? JSONValue(parsing: text).objectValue else { return nil }
        let statement = document["Statement"]
        statements = statement?.objectValue.map { [$0] } ?? statement?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    /// What EventBridge presents when a rule's target is this queue: the rule, its account, and
    /// the execution role the target names (`RoleArn`), if any.
    struct RuleSender: Sendable {
        var ruleArn: String
        var accountId: String
        var roleArn: String?
    }

    func allowsSendMessage(from sender: RuleSender, queueArn: String) -> Bool {
        let applying = statements.filter { statement in
            Self.covers(statement["Action"], action: "sqs:SendMessage", caseInsensitive: true)
                && (statement["Resource"] == nil || Self.covers(statement["Resource"], action: queueArn, caseInsensitive: false))
                && Self.names(sender, in: statement["Principal"])
                && Self.conditionHolds(statement["Condition"], sender: sender)
        }
        if applying.contains(where: { $0["Effect"]?.stringValue == "Deny" }) { return false }
        return applying.contains { $0["Effect"]?.stringValue == "Allow" }
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        if let text = value?.stringValue { return [text] }
        return value?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    private static func covers(_ value: JSONValue?, action: String, caseInsensitive: Bool) -> Bool {
        strings(value).contains { pattern in
            caseInsensitive ? globMatches(action.lowercased(), pattern: pattern.lowercased()) : globMatches(action, pattern: pattern)
        }
    }

    /// The sender is named by `*`, `{"AWS": "*"}`, its account (id or root ARN), the execution
    /// role it assumes, or the EventBridge service principal.
    private static func names(_ sender: RuleSender, in principal: JSONValue?) -> Bool {
        if principal?.stringValue == "*" { return true }
        if strings(principal?["Service"]).contains("events.amazonaws.com") { return true }
        return strings(principal?["AWS"]).contains { name in
            name == "*" || name == sender.accountId || name == "arn:aws:iam::\(sender.accountId):root"
                || (sender.roleArn != nil && name == sender.roleArn)
        }
    }

    /// Conditions on `aws:SourceArn` (the rule) and `aws:SourceAccount` (its account) with the
    /// String and Arn operators are evaluated; any other condition cannot be here and never grants.
    private static func conditionHolds(_ condition: JSONValue?, sender: RuleSender) -> Bool {
        guard let operators = condition?.objectValue else { return true }
        for (name, keys) in operators {
            guard let keys = keys.objectValue else { return false }
            let wildcard: Bool
            switch name {
            case "ArnEquals", "StringEquals": wildcard = false
            case "ArnLike", "StringLike": wildcard = true
            default: return false
            }
            for (key, wanted) in keys {
                let actual: String
                switch key.lowercased() {
                case "aws:sourcearn": actual = sender.ruleArn
                case "aws:sourceaccount": actual = sender.accountId
                default: return false
                }
                guard strings(wanted).contains(where: { wildcard ? globMatches(actual, pattern: $0) : actual == $0 }) else {
                    return false
                }
            }
        }
        return true
    }

    /// IAM's wildcards: `*` any run of characters, `?` any one.
    static func globMatches(_ text: String, pattern: String) -> Bool {
        let text = Array(text.unicodeScalars), pattern = Array(pattern.unicodeScalars)
        var t = 0, p = 0, star = -1, resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t], pattern[p] != "*" {
                t += 1; p += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p; resume = t; p += 1
            } else if star >= 0 {
                p = star + 1; resume += 1; t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
