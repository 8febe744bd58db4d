import Foundation

/// ARNs of the local Step Functions: state machines, executions and activities of one account
/// and region, and AWS's name rules for them.
struct SagaNaming: Sendable {
    let accountId: String
    let region: String

    var prefix: String { "arn:aws:states:\(region):\(accountId):" }

    func machineArn(_ name: String) -> String { prefix + "stateMachine:" + name }
    func activityArn(_ name: String) -> String { prefix + "activity:" + name }
    func executionArn(machine: String, name: String) -> String { prefix + "execution:\(machine):\(name)" }
    /// An Express execution's ARN, `…:express:MACHINE:NAME:ID` (the resource type AWS gives
    /// Express executions; an EXPRESS Map Run child's MACHINE is the labelled one).
    func expressExecutionArn(machine: String, name: String, id: String) -> String { prefix + "express:\(machine):\(name):\(id)" }

    /// Whether an ARN is an Express execution's (`…:express:MACHINE:NAME:ID`).
    static func isExpressExecution(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 9 && parts[0] == "arn" && parts[2] == "states" && parts[5] == "express" && parts[6...].allSatisfy { !$0.isEmpty }
    }

    /// The name in an ARN of `kind` (`stateMachine`, `activity`), or nil when it is no such ARN.
    func name(fromArn arn: String, kind: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "states", parts[5] == kind, !parts[6].isEmpty else { return nil }
        return String(parts[6])
    }

    /// A version or alias ARN, `…:stateMachine:NAME:QUALIFIER`: the machine's ARN and the
    /// qualifier (a version number or an alias name); nil for anything else.
    func qualifiedMachine(_ arn: String) -> (machineArn: String, qualifier: String)? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 8, parts[0] == "arn", parts[2] == "states", parts[5] == "stateMachine",
              !parts[6].isEmpty, !parts[7].isEmpty else { return nil }
        return (parts[0..<7].joined(separator: ":"), String(parts[7]))
    }

    /// AWS's alias names: 1–80 of letters, digits, `_`, `-` and `.`, not digits only (which
    /// would read as a version number).
    static func isValidAliasName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 80 else { return false }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)) }
        return allowed && !name.allSatisfy(\.isNumber)
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
