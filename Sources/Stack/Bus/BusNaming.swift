/// EventBridge ARNs for one account and region: buses, rules (the default bus's rules have no
/// bus segment, as AWS mints them), and the parsing of bus names given as names or ARNs.
struct BusNaming: Sendable {
    let accountId: String
    let region: String

    static let defaultBus = "default"

    func busArn(_ bus: String) -> String { "arn:aws:events:\(region):\(accountId):event-bus/\(bus)" }

    func ruleArn(_ rule: String, bus: String) -> String {
        bus == Self.defaultBus
            ? "arn:aws:events:\(region):\(accountId):rule/\(rule)"
            : "arn:aws:events:\(region):\(accountId):rule/\(bus)/\(rule)"
    }

    /// A bus named by name or ARN; nil (absent) is the default bus. An ARN of another account or
    /// region names a bus that does not exist here.
    func busName(_ nameOrArn: String?) -> String {
        guard let nameOrArn, !nameOrArn.isEmpty else { return Self.defaultBus }
        guard nameOrArn.hasPrefix("arn:") else { return nameOrArn }
        return busName(fromArn: nameOrArn) ?? nameOrArn
    }

    func busName(fromArn arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "events", String(parts[3]) == region,
              String(parts[4]) == accountId, parts[5].hasPrefix("event-bus/") else { return nil }
        let name = parts[5].dropFirst("event-bus/".count)
        return name.isEmpty ? nil : String(name)
    }

    /// A bus ARN of another account or region: where a cross-account or cross-region bus
    /// target delivers (AWS allows bus-to-bus targets across both). Nil for this partition's
    /// buses and for anything that is not a bus ARN with a valid account and region.
    func foreignBus(fromArn arn: String) -> (partition: StackPartition, bus: String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "events", StackPartition.isValidRegion(parts[3]),
              StackPartition.isValidAccountId(parts[4]), parts[5].hasPrefix("event-bus/") else { return nil }
        let partition = StackPartition(accountId: String(parts[4]), region: String(parts[3]))
        let name = String(parts[5].dropFirst("event-bus/".count))
        guard partition != StackPartition(accountId: accountId, region: region), Self.isValidBusName(name) else { return nil }
        return (partition, name)
    }

    /// `(bus, rule)` from a rule ARN of this account and region.
    func rule(fromArn arn: String) -> (bus: String, rule: String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "events", String(parts[3]) == region,
              String(parts[4]) == accountId, parts[5].hasPrefix("rule/") else { return nil }
        let path = parts[5].dropFirst("rule/".count).split(separator: "/", omittingEmptySubsequences: false)
        switch path.count {
        case 1: return (Self.defaultBus, String(path[0]))
        case 2: return (String(path[0]), String(path[1]))
        default: return nil
        }
    }

    func connectionArn(_ name: String, id: String) -> String {
        "arn:aws:events:\(region):\(accountId):connection/\(name)/\(id)"
    }

    func apiDestinationArn(_ name: String, id: String) -> String {
        "arn:aws:events:\(region):\(accountId):api-destination/\(name)/\(id)"
    }

    /// The secret AWS keeps a connection's credentials in (Secrets Manager names it after the
    /// connection, with six random characters as every secret ARN ends).
    func connectionSecretArn(_ name: String, id: String, suffix: String) -> String {
        "arn:aws:secretsmanager:\(region):\(accountId):secret:events!connection/\(name)/\(id)-\(suffix)"
    }

    /// The name in a connection ARN (`connection/NAME/ID`) of this account and region.
    func connectionName(fromArn arn: String) -> String? { resourceName(arn, type: "connection") }

    /// The name in an API destination ARN (`api-destination/NAME/ID`) of this account and region.
    func apiDestinationName(fromArn arn: String) -> String? { resourceName(arn, type: "api-destination") }

    private func resourceName(_ arn: String, type: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "events", String(parts[3]) == region,
              String(parts[4]) == accountId, parts[5].hasPrefix(type + "/") else { return nil }
        let path = parts[5].dropFirst(type.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard path.count == 2, !path[0].isEmpty, !path[1].isEmpty else { return nil }
        return String(path[0])
    }

    /// Custom bus names: 1–256 of letters, digits, `.`, `-`, `_`, `/`-free; `aws.` is reserved
    /// for partner buses.
    static func isValidBusName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 256 else { return false }
        return name.utf8.allSatisfy(BusInput.isNameByte)
    }
}
