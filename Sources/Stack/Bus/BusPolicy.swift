import JSON
import Wire

/// An event bus's resource policy: the IAM-style document PutPermission and RemovePermission
/// edit and DescribeEventBus returns as `Policy` (a JSON string).
///
/// Statements are kept in the order they were added, as JSON objects rendered as AWS renders
/// them: `{"Sid", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::ACCOUNT:root"} | "*",
/// "Action": "events:PutEvents", "Resource": BUS-ARN[, "Condition": {"StringEquals":
/// {"aws:PrincipalOrgID": ORG}}]}`. A whole document given as PutPermission's `Policy` is kept
/// as given (its statements and its `Version`).
struct BusPolicy: Sendable, Hashable {
    static let defaultVersion = "2012-10-17"
    /// AWS's limit on the policy document ("cannot exceed 10 KB in size").
    static let maximumBytes = 10 * 1024

    var version: String
    var statements: [JSONObject]

    init(version: String = Self.defaultVersion, statements: [JSONObject] = []) {
        self.version = version
        self.statements = statements
    }

    /// The stored document (the `policy` column); nil or unreadable text is no policy.
    init?(stored text: String?) {
        guard let text, let document = try? JSONValue(parsing: text).objectValue,
              let statements = document["Statement"]?.arrayValue else { return nil }
        self.init(version: document["Version"]?.stringValue ?? Self.defaultVersion,
                  statements: statements.compactMap(\.objectValue))
    }

    var isEmpty: Bool { statements.isEmpty }

    /// The document's text, as DescribeEventBus returns it and the store keeps it.
    var document: String {
        JSONValue.object(["Version": .string(version), "Statement": .array(statements.map(JSONValue.object))]).serialized
    }

    /// Adds a statement, replacing one with the same `Sid` in its place.
    mutating func put(_ statement: JSONObject) {
        let sid = statement["Sid"]?.stringValue
        if let index = statements.firstIndex(where: { $0["Sid"]?.stringValue == sid }) {
            statements[index] = statement
        } else {
            statements.append(statement)
        }
    }

    /// Removes the statement `sid`; false when there is none.
    mutating func remove(sid: String) -> Bool {
        guard let index = statements.firstIndex(where: { $0["Sid"]?.stringValue == sid }) else { return false }
        statements.remove(at: index)
        return true
    }

    /// The statement PutPermission's parameters describe.
    static func statement(sid: String, principal: String, organization: String?, busArn: String) -> JSONObject {
        var statement: JSONObject = [
            "Sid": .string(sid), "Effect": "Allow",
            "Principal": principal == "*" ? "*" : ["AWS": .string("arn:aws:iam::\(principal):root")],
            "Action": "events:PutEvents", "Resource": .string(busArn),
        ]
        if let organization { statement["Condition"] = ["StringEquals": ["aws:PrincipalOrgID": .string(organization)]] }
        return statement
    }

    // MARK: Evaluation

    /// Whether this policy lets `account` (of `organization`, when known) put events to the bus.
    /// Only Allow statements are written by PutPermission; a Deny statement given in a whole
    /// `Policy` document wins over any Allow, as in IAM. Conditions other than
    /// `StringEquals aws:PrincipalOrgID` cannot be evaluated here and never grant.
    func allowsPutEvents(account: String, organization: String? = nil) -> Bool {
        let applying = statements.filter { statement in
            Self.coversPutEvents(statement["Action"]) && Self.names(account, in: statement["Principal"])
                && Self.conditionHolds(statement["Condition"], organization: organization)
        }
        if applying.contains(where: { $0["Effect"]?.stringValue == "Deny" }) { return false }
        return applying.contains { $0["Effect"]?.stringValue == "Allow" }
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        if let text = value?.stringValue { return [text] }
        return value?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    private static func coversPutEvents(_ action: JSONValue?) -> Bool {
        strings(action).contains { ["events:PutEvents", "events:*", "*"].contains($0) }
    }

    /// A principal names the account when it is `*`, `{"AWS": "*"}`, the account id or its root ARN.
    private static func names(_ account: String, in principal: JSONValue?) -> Bool {
        if principal?.stringValue == "*" { return true }
        return strings(principal?["AWS"]).contains { $0 == "*" || $0 == account || $0 == "arn:aws:iam::\(account):root" }
    }

    private static func conditionHolds(_ condition: JSONValue?, organization: String?) -> Bool {
        guard let condition = condition?.objectValue, !condition.isEmpty else { return true }
        guard condition.count == 1, let equals = condition["StringEquals"]?.objectValue, equals.count == 1,
              let wanted = equals["aws:PrincipalOrgID"] else { return false }
        guard let organization else { return false }
        return strings(wanted).contains(organization)
    }
}
