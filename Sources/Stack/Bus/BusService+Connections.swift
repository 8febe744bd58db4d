import GRDB
import JSON
import Wire

/// Connections: CreateConnection, DescribeConnection, UpdateConnection, DeleteConnection,
/// ListConnections, DeauthorizeConnection.
///
/// States as AWS reports them: an API-key or basic connection is AUTHORIZED as soon as it is
/// created; an OAuth client-credentials one is AUTHORIZING until its token endpoint answered
/// (then AUTHORIZED, or DEAUTHORIZED with the reason in `StateReason`). The authorization runs
/// after the call (BusService+ApiDestinationCalls) and again at start for a connection left
/// AUTHORIZING by a crash. DeauthorizeConnection answers DEAUTHORIZING and leaves the
/// connection DEAUTHORIZED with its secrets removed; DeleteConnection answers DELETING.
/// Secrets (API key value, password, client secret, parameters marked secret) are stored with
/// the connection and never returned.
extension BusService {
    static let connectionStates = ["CREATING", "UPDATING", "DELETING", "AUTHORIZED", "DEAUTHORIZED", "AUTHORIZING",
                                   "DEAUTHORIZING", "ACTIVE", "FAILED_CONNECTIVITY"]

    static func connectionNotFound(_ name: String) -> AWSError {
        BusError.notFound("Failed to describe the connection(s). Connection '\(name)' does not exist.")
    }

    /// A connection as stored.
    struct StoredConnection: Sendable {
        var name: String
        var id: String
        var secretSuffix: String
        var description: String?
        var type: ConnectionAuth.AuthorizationType
        var authJSON: JSONValue
        var state: String
        var stateReason: String?
        var createdAt: Int64
        var modifiedAt: Int64
        var authorizedAt: Int64?

        init?(_ row: Row) {
            guard let type = ConnectionAuth.AuthorizationType(rawValue: row["auth_type"]),
                  let auth = try? JSONValue(parsing: row["auth"] as String) else { return nil }
            name = row["name"]
            id = row["id"]
            secretSuffix = row["secret_suffix"]
            description = row["description"]
            self.type = type
            authJSON = auth
            state = row["state"]
            stateReason = row["state_reason"]
            createdAt = row["created_at"]
            modifiedAt = row["modified_at"]
            authorizedAt = row["authorized_at"]
        }

        /// The parsed authorization; nil once deauthorized (its secrets are gone).
        var auth: ConnectionAuth? { try? ConnectionAuth(authJSON, type: type) }

        static func fetch(_ db: Database, name: String) throws -> StoredConnection? {
            try Row.fetchOne(db, sql: "SELECT * FROM eb_connection WHERE name = ?", arguments: [name]).flatMap(StoredConnection.init)
        }
    }

    func connectionArn(_ connection: StoredConnection) -> String { naming.connectionArn(connection.name, id: connection.id) }

    func connectionNameInput(_ input: BusInput) throws(AWSError) -> String { try input.name("Name") }

    func connectionDescription(_ input: BusInput) throws(AWSError) -> String? {
        let description = try input.string("Description")
        if let description, description.utf8.count > 512 {
            throw BusError.constraint(description, member: "description", "Member must have length less than or equal to 512")
        }
        return description
    }

    func authorizationType(_ input: BusInput, required: Bool) throws(AWSError) -> ConnectionAuth.AuthorizationType? {
        guard let text = required ? try input.requiredString("AuthorizationType") : try input.string("AuthorizationType") else { return nil }
        guard let type = ConnectionAuth.AuthorizationType(rawValue: text) else {
            throw BusError.constraint(text, member: "authorizationType",
                                      "Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]")
        }
        return type
    }

    /// Private connectivity (VPC Lattice resource configurations) has no local meaning.
    func refuseConnectivity(_ input: BusInput) throws(AWSError) {
        if input.has("InvocationConnectivityParameters") {
            throw BusError.validation("InvocationConnectivityParameters (private APIs through VPC Lattice) are not supported by this stack.")
        }
    }

    /// The short answer of the connection calls other than Describe and List.
    func connectionSummary(_ connection: StoredConnection, state: String, authorized: Bool = true) -> JSONValue {
        var out: JSONObject = [
            "ConnectionArn": .string(connectionArn(connection)),
            "ConnectionState": .string(state),
            "CreationTime": .number(Double(connection.createdAt) / 1000),
            "LastModifiedTime": .number(Double(connection.modifiedAt) / 1000),
        ]
        if authorized, let at = connection.authorizedAt { out["LastAuthorizedTime"] = .number(Double(at) / 1000) }
        return .object(out)
    }

    func createConnection(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try connectionNameInput(input)
        let description = try connectionDescription(input)
        guard let type = try authorizationType(input, required: true) else { throw BusInputErrors.missing("AuthorizationType") }
        guard let parameters = input.member("AuthParameters") else { throw BusInputErrors.missing("AuthParameters") }
        _ = try input.object("AuthParameters")
        let auth = try ConnectionAuth(parameters, type: type)
        try refuseConnectivity(input)
        let now = clock.wallClockNow.milliseconds
        let id = RandomIdentifier.uuid()
        let suffix = String(RandomIdentifier.hex(bytes: 3))
        // API-key and basic credentials need no exchange; OAuth waits for its token endpoint.
        let state = auth.type == .oauth ? "AUTHORIZING" : "AUTHORIZED"
        let created = try await store.write { db -> StoredConnection in
            guard try StoredConnection.fetch(db, name: name) == nil else {
                throw BusError.alreadyExists("Connection \(name) already exists.")
            }
            try db.execute(sql: """
                INSERT INTO eb_connection (name, id, secret_suffix, description, auth_type, auth, state, created_at, modified_at, authorized_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [name, id, suffix, description, type.rawValue, parameters.serialized, state, now, now,
                                 state == "AUTHORIZED" ? now : nil])
            guard let created = try StoredConnection.fetch(db, name: name) else { throw BusError.notFound("Connection \(name) vanished.") }
            return created
        }
        if state == "AUTHORIZING" { httpCalls.requestAuthorization() }
        return connectionSummary(created, state: state, authorized: false)
    }

    func connectionJSON(_ connection: StoredConnection, full: Bool) -> JSONValue {
        var out: JSONObject = ["ConnectionArn": .string(connectionArn(connection)), "Name": .string(connection.name)]
        if full, let description = connection.description { out["Description"] = .string(description) }
        out["ConnectionState"] = .string(connection.state)
        if let reason = connection.stateReason { out["StateReason"] = .string(reason) }
        out["AuthorizationType"] = .string(connection.type.rawValue)
        if full {
            out["SecretArn"] = .string(naming.connectionSecretArn(connection.name, id: connection.id, suffix: connection.secretSuffix))
            // A deauthorized connection keeps (and shows) only the non-secret names.
            out["AuthParameters"] = connection.auth?.described ?? connection.authJSON
        }
        out["CreationTime"] = .number(Double(connection.createdAt) / 1000)
        out["LastModifiedTime"] = .number(Double(connection.modifiedAt) / 1000)
        if let at = connection.authorizedAt { out["LastAuthorizedTime"] = .number(Double(at) / 1000) }
        return .object(out)
    }

    func describeConnection(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try connectionNameInput(input)
        guard let connection = try await store.read({ db in try StoredConnection.fetch(db, name: name) }) else {
            throw Self.connectionNotFound(name)
        }
        return connectionJSON(connection, full: true)
    }

    func listConnections(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let prefix = try input.string("NamePrefix")
        let state = try input.string("ConnectionState")
        if let state, !Self.connectionStates.contains(state) {
            throw BusError.constraint(state, member: "connectionState",
                                      "Member must satisfy enum value set: [\(Self.connectionStates.joined(separator: ", "))]")
        }
        let limit = try input.int("Limit", in: 1...100) ?? 100
        let after = try Self.decodeToken(try input.string("NextToken")) ?? ""
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM eb_connection WHERE name > ?1 AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)
                  AND (?3 IS NULL OR state = ?3) ORDER BY name LIMIT ?4
                """, arguments: [after, prefix, state, limit + 1]).compactMap(StoredConnection.init)
        }
        var out: JSONObject = ["Connections": .array(rows.prefix(limit).map { connectionJSON($0, full: false) })]
        if rows.count > limit { out["NextToken"] = .string(Self.encodeToken(rows[limit - 1].name)) }
        return .object(out)
    }

    func updateConnection(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try connectionNameInput(input)
        let description = try connectionDescription(input)
        let newType = try authorizationType(input, required: false)
        let update = try input.object("AuthParameters")?.value
        try refuseConnectivity(input)
        let now = clock.wallClockNow.milliseconds
        let updated = try await store.write { db -> StoredConnection in
            guard let stored = try StoredConnection.fetch(db, name: name) else { throw Self.connectionNotFound(name) }
            let type = newType ?? stored.type
            // A new authorization type starts from its own parameters, not the old type's.
            let base: JSONValue = type == stored.type ? stored.authJSON : [:]
            let (auth, merged) = try ConnectionAuth.updating(stored: base, with: update ?? [:], type: type)
            let state = auth.type == .oauth ? "AUTHORIZING" : "AUTHORIZED"
            try db.execute(sql: """
                UPDATE eb_connection SET description = COALESCE(?, description), auth_type = ?, auth = ?, state = ?,
                  state_reason = NULL, modified_at = ?, authorized_at = CASE WHEN ? = 'AUTHORIZED' THEN ? ELSE authorized_at END
                WHERE name = ?
                """, arguments: [description, type.rawValue, merged.serialized, state, now, state, now, name])
            guard let updated = try StoredConnection.fetch(db, name: name) else { throw Self.connectionNotFound(name) }
            return updated
        }
        httpCalls.forgetToken(connection: connectionArn(updated))
        if updated.state == "AUTHORIZING" { httpCalls.requestAuthorization() }
        return connectionSummary(updated, state: updated.state)
    }

    func deleteConnection(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try connectionNameInput(input)
        let deleted = try await store.write { db -> StoredConnection in
            guard let stored = try StoredConnection.fetch(db, name: name) else { throw Self.connectionNotFound(name) }
            try db.execute(sql: "DELETE FROM eb_connection WHERE name = ?", arguments: [name])
            return stored
        }
        httpCalls.forgetToken(connection: connectionArn(deleted))
        return connectionSummary(deleted, state: "DELETING")
    }

    /// Removes the connection's secrets (the credentials' secret values and secret parameters);
    /// the names stay so UpdateConnection can authorize it again.
    func deauthorizeConnection(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try connectionNameInput(input)
        let now = clock.wallClockNow.milliseconds
        let connection = try await store.write { db -> StoredConnection in
            guard let stored = try StoredConnection.fetch(db, name: name) else { throw Self.connectionNotFound(name) }
            let kept = stored.auth?.described ?? stored.authJSON
            try db.execute(sql: """
                UPDATE eb_connection SET auth = ?, state = 'DEAUTHORIZED', state_reason = NULL, modified_at = ? WHERE name = ?
                """, arguments: [kept.serialized, now, name])
            guard let updated = try StoredConnection.fetch(db, name: name) else { throw Self.connectionNotFound(name) }
            return updated
        }
        httpCalls.forgetToken(connection: connectionArn(connection))
        return connectionSummary(connection, state: "DEAUTHORIZING")
    }
}
