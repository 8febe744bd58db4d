import GRDB
import JSON
import Wire

/// Resource policies on event buses: PutPermission and RemovePermission edit the bus's
/// `BusPolicy`, stored with the bus (`eb_bus.policy`) and returned by DescribeEventBus and
/// ListEventBuses as `Policy`. Deleting the bus deletes its policy.
extension BusService {
    func putPermission(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let bus = try permissionBus(input)
        let busArn = naming.busArn(bus)
        let edit: @Sendable (inout BusPolicy) throws(AWSError) -> Void
        if let text = try input.string("Policy") {
            for member in ["StatementId", "Action", "Principal", "Condition"] where input.has(member) {
                throw BusError.validation("Parameter \(member) cannot be specified together with Policy.")
            }
            let document = try Self.policyDocument(text)
            edit = { policy in policy = document }
        } else {
            let statement = try Self.permissionStatement(input, busArn: busArn)
            edit = { policy in policy.put(statement) }
        }
        try await store.write { db in
            var policy = try Self.busPolicy(db, bus: bus) ?? BusPolicy()
            try edit(&policy)
            guard policy.document.utf8.count <= BusPolicy.maximumBytes else {
                throw BusError.make("PolicyLengthExceededException",
                                    "The event bus policy would be \(policy.document.utf8.count) bytes; at most \(BusPolicy.maximumBytes) are allowed.")
            }
            try Self.storePolicy(db, policy, bus: bus)
        }
        return [:]
    }

    func removePermission(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let bus = try permissionBus(input)
        let removeAll = try input.bool("RemoveAllPermissions") ?? false
        let statementId = try input.string("StatementId")
        if !removeAll, statementId == nil {
            throw BusError.validation("Parameter StatementId must be specified when RemoveAllPermissions is not true.")
        }
        try await store.write { db in
            guard !removeAll, let statementId else {
                guard try Self.busExists(db, bus) else { throw BusError.busNotFound(bus) }
                try Self.storePolicy(db, BusPolicy(), bus: bus)
                return
            }
            guard var policy = try Self.busPolicy(db, bus: bus), !policy.isEmpty else {
                throw BusError.notFound("EventBus does not have a policy.")
            }
            guard policy.remove(sid: statementId) else {
                throw BusError.notFound("Statement with the provided id does not exist.")
            }
            try Self.storePolicy(db, policy, bus: bus)
        }
        return [:]
    }

    /// Whether `account` (a member of `organization`, when known) may put events to `bus` of
    /// this account: the bus's own account always may; another only if the bus's policy allows
    /// it (`BusPolicy.allowsPutEvents`). For cross-account delivery: a rule of another account
    /// whose target is this bus delivers only when this answers true. A bus that does not
    /// exist allows nobody.
    func policyAllowsPutEvents(bus: String, account: String, organization: String? = nil) async -> Bool {
        guard account != naming.accountId else { return true }
        let policy = try? await store.read { db in try Self.busPolicy(db, bus: bus) }
        return policy?.allowsPutEvents(account: account, organization: organization) ?? false
    }

    /// The policy of `bus`; nil when it has none. Throws ResourceNotFoundException for an
    /// unknown bus. Usable inside a delivery transaction.
    static func busPolicy(_ db: Database, bus: String) throws -> BusPolicy? {
        guard let row = try Row.fetchOne(db, sql: "SELECT policy FROM eb_bus WHERE name = ?", arguments: [bus]) else {
            throw BusError.busNotFound(bus)
        }
        return BusPolicy(stored: row["policy"])
    }

    private static func storePolicy(_ db: Database, _ policy: BusPolicy, bus: String) throws {
        try db.execute(sql: "UPDATE eb_bus SET policy = ? WHERE name = ?",
                       arguments: [policy.isEmpty ? nil : policy.document, bus])
    }

    /// `EventBusName` (a name, not an ARN; absent is the default bus).
    private func permissionBus(_ input: BusInput) throws(AWSError) -> String {
        guard let name = try input.string("EventBusName") else { return BusNaming.defaultBus }
        try BusInput.checkName(name, member: "eventBusName", maxLength: 256)
        return name
    }

    /// The statement of PutPermission's `StatementId`, `Action`, `Principal` and `Condition`.
    private static func permissionStatement(_ input: BusInput, busArn: String) throws(AWSError) -> JSONObject {
        guard let action = try input.string("Action") else { throw BusError.validation("Parameter Action must be specified.") }
        guard action == "events:PutEvents" else {
            throw BusError.validation("Provided value in parameter 'action' is not supported.")
        }
        guard let principal = try input.string("Principal") else {
            throw BusError.validation("Parameter Principal must be specified.")
        }
        guard principal == "*" || (principal.utf8.count == 12 && principal.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }) else {
            throw BusError.constraint(principal, member: "principal", "Member must satisfy regular expression pattern: (\\d{12}|\\*)")
        }
        guard let sid = try input.string("StatementId") else {
            throw BusError.validation("Parameter StatementId must be specified.")
        }
        let sidByte: (UInt8) -> Bool = { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard (1...64).contains(sid.utf8.count), sid.utf8.allSatisfy(sidByte) else {
            throw BusError.constraint(sid, member: "statementId",
                                      "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length between 1 and 64")
        }
        var organization: String?
        if let condition = try input.object("Condition") {
            let type = try condition.requiredString("Type")
            let key = try condition.requiredString("Key")
            let value = try condition.requiredString("Value")
            guard type == "StringEquals" else {
                throw BusError.validation("Provided value in parameter 'condition.type' is not supported: only StringEquals is.")
            }
            guard key == "aws:PrincipalOrgID" else {
                throw BusError.validation("Provided value in parameter 'condition.key' is not supported: only aws:PrincipalOrgID is.")
            }
            guard principal == "*" else {
                throw BusError.validation("Value of the parameter 'principal' must be '*' when the parameter 'condition' is set.")
            }
            organization = value
        }
        return BusPolicy.statement(sid: sid, principal: principal, organization: organization, busArn: busArn)
    }

    /// A whole policy document given as PutPermission's `Policy`: a JSON object whose
    /// `Statement` is a statement object or a list of them, each with Effect, Principal and
    /// Action.
    private static func policyDocument(_ text: String) throws(AWSError) -> BusPolicy {
        guard let document = try? JSONValue(parsing: text).objectValue else {
            throw BusError.validation("This policy contains invalid Json")
        }
        let statements: [JSONValue]
        switch document["Statement"] {
        case .some(.array(let items)): statements = items
        case .some(.object(let item)): statements = [.object(item)]
        default: throw BusError.validation("The policy must contain a Statement.")
        }
        var policy = BusPolicy(version: document["Version"]?.stringValue ?? BusPolicy.defaultVersion)
        for (index, item) in statements.enumerated() {
            guard let statement = item.objectValue else {
                throw BusError.validation("Statement \(index + 1) of the policy is not a JSON object.")
            }
            for member in ["Effect", "Principal", "Action"] where statement[member] == nil {
                throw BusError.validation("Statement \(index + 1) of the policy has no \(member).")
            }
            guard let effect = statement["Effect"]?.stringValue, effect == "Allow" || effect == "Deny" else {
                throw BusError.validation("Statement \(index + 1) of the policy has an Effect other than Allow or Deny.")
            }
            policy.statements.append(statement)
        }
        return policy
    }
}
