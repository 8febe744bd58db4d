/// ARNs of the local Step Functions: state machines, executions and activities of one account
/// and region, and AWS's name rules for them.
struct SagaNaming: Sendable {
    let accountId: String
    let region: String

    var prefix: String { "arn:aws:states:\(region):\(accountId):" }

    func machineArn(_ name: String) -> String { prefix + "stateMachine:" + name }
    func activityArn(_ name: String) -> String { prefix + "activity:" + name }
    func executionArn(machine: String, name: String) -> String { prefix + "execution:\(machine):\(name)" }

    /// The name in an ARN of `kind` (`stateMachine`, `activity`), or nil when it is no such ARN.
    func name(fromArn arn: String, kind: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "states", parts[5] == kind, !parts[6].isEmpty else { return nil }
        return String(parts[6])
    }

    /// The state machine and execution names of an execution ARN.
    func executionParts(_ arn: String) -> (machine: String, name: String)? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 8, parts[0] == "arn", parts[2] == "states", parts[5] == "execution",
              !parts[6].isEmpty, !parts[7].isEmpty else { return nil }
        return (String(parts[6]), String(parts[7]))
    }

    /// AWS: 1–80 characters, none of whitespace, `< > { } [ ] ? * " # % \ ^ | ~ \` $ & , ; : /`
    /// or control characters.
    static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 80 else { return false }
        let forbidden: Set<Character> = ["<", ">", "{", "}", "[", "]", "?", "*", "\"", "#", "%", "\\", "^", "|", "~", "`", "$", "&", ",", ";", ":", "/"]
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace { return false }
        }
        return !name.contains { forbidden.contains($0) }
    }
}
