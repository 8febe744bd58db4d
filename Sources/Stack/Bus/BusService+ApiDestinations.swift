import GRDB
import JSON
import Wire

/// API destinations: CreateApiDestination, DescribeApiDestination, UpdateApiDestination,
/// DeleteApiDestination, ListApiDestinations. A target whose Arn is an API destination's is
/// called over HTTP by the dispatcher (BusService+ApiDestinationCalls). An API destination is
/// ACTIVE while its connection is AUTHORIZED and INACTIVE otherwise, as AWS reports it.
extension BusService {
    static let apiDestinationMethods = ["HEAD", "POST", "PATCH", "DELETE", "PUT", "GET", "OPTIONS"]
    static let defaultInvocationRate = 300
    static let connectionArnPattern = #"^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:connection\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$"#

    static func apiDestinationNotFound(_ name: String) -> AWSError {
        BusError.notFound("Failed to describe the api-destination(s). An api-destination '\(name)' does not exist.")
    }

    /// An API destination as stored.
    struct StoredApiDestination: Sendable {
        var name: String
        var id: String
        var description: String?
        var connectionArn: String
        var endpoint: String
        var method: String
        var rateLimit: Int
        var createdAt: Int64
        var modifiedAt: Int64

        init(_ row: Row) {
            name = row["name"]
            id = row["id"]
            description = row["description"]
            connectionArn = row["connection_arn"]
            endpoint = row["endpoint"]
            method = row["method"]
            rateLimit = row["rate_limit"]
            createdAt = row["created_at"]
            modifiedAt = row["modified_at"]
        }

        static func fetch(_ db: Database, name: String) throws -> StoredApiDestination? {
            try Row.fetchOne(db, sql: "SELECT * FROM eb_api_destination WHERE name = ?", arguments: [name]).map(StoredApiDestination.init)
        }
    }

    /// The members CreateApiDestination and UpdateApiDestination share, checked as AWS checks
    /// them (every broken constraint reported in one message); nil for a member not given.
    struct ApiDestinationMembers {
        var description: String?
        var connectionArn: String?
        var endpoint: String?
        var method: String?
        var rateLimit: Int?
    }

    func apiDestinationMembers(_ input: BusInput, creating: Bool) throws(AWSError) -> ApiDestinationMembers {
        let members = ApiDestinationMembers(
            description: try input.string("Description"),
            connectionArn: creating ? try input.requiredString("ConnectionArn") : try input.string("ConnectionArn"),
            endpoint: creating ? try input.requiredString("InvocationEndpoint") : try input.string("InvocationEndpoint"),
            method: creating ? try input.requiredString("HttpMethod") : try input.string("HttpMethod"),
            rateLimit: try input.int("InvocationRateLimitPerSecond"))
        var problems: [String] = []
        func problem(_ value: String, _ member: String, _ rule: String) {
            problems.append("Value '\(value.prefix(256))' at '\(member)' failed to satisfy constraint: \(rule)")
        }
        if let description = members.description, description.utf8.count > 512 {
            problem(description, "description", "Member must have length less than or equal to 512")
        }
        if let arn = members.connectionArn, arn.range(of: Self.connectionArnPattern, options: .regularExpression) == nil {
            problem(arn, "connectionArn", "Member must satisfy regular expression pattern: \(Self.connectionArnPattern)")
        }
        if let method = members.method, !Self.apiDestinationMethods.contains(method) {
            problem(method, "httpMethod", "Member must satisfy enum value set: [\(Self.apiDestinationMethods.joined(separator: ", "))]")
        }
        if let endpoint = members.endpoint, endpoint.range(of: ApiDestinationEndpoint.pattern, options: .regularExpression) == nil
            || endpoint.utf8.count > 2048 {
            problem(endpoint, "invocationEndpoint", "Member must satisfy regular expression pattern: \(ApiDestinationEndpoint.pattern)")
        }
        if let rate = members.rateLimit, rate < 1 {
            problem(String(rate), "invocationRateLimitPerSecond", "Member must have value greater than or equal to 1")
        }
        if !problems.isEmpty {
            let count = problems.count
            throw BusError.validation("\(count) validation error\(count > 1 ? "s" : "") detected: " + problems.joined(separator: "; "))
        }
        if let endpoint = members.endpoint { try ApiDestinationEndpoint.check(endpoint, member: "InvocationEndpoint") }
        return members
    }

    /// The connection an API destination names: one of this account and region that exists.
    func existingConnection(_ db: Database, arn: String) throws -> StoredConnection {
        guard let name = naming.connectionName(fromArn: arn), let connection = try StoredConnection.fetch(db, name: name),
              connectionArn(connection) == arn else {
            throw Self.connectionNotFound(naming.connectionName(fromArn: arn) ?? arn)
        }
        return connection
    }

    func apiDestinationArn(_ destination: StoredApiDestination) -> String {
        naming.apiDestinationArn(destination.name, id: destination.id)
    }

    /// ACTIVE while the connection is authorized.
    func apiDestinationState(_ db: Database, _ destination: StoredApiDestination) throws -> String {
        let connection = try naming.connectionName(fromArn: destination.connectionArn).flatMap { try StoredConnection.fetch(db, name: $0) }
        return connection?.state == "AUTHORIZED" ? "ACTIVE" : "INACTIVE"
    }

    func apiDestinationSummary(_ destination: StoredApiDestination, state: String) -> JSONValue {
        ["ApiDestinationArn": .string(apiDestinationArn(destination)), "ApiDestinationState": .string(state),
         "CreationTime": .number(Double(destination.createdAt) / 1000),
         "LastModifiedTime": .number(Double(destination.modifiedAt) / 1000)]
    }

    func apiDestinationJSON(_ destination: StoredApiDestination, state: String, full: Bool) -> JSONValue {
        var out: JSONObject = ["ApiDestinationArn": .string(apiDestinationArn(destination)), "Name": .string(destination.name)]
        if full, let description = destination.description { out["Description"] = .string(description) }
        out["ApiDestinationState"] = .string(state)
        out["ConnectionArn"] = .string(destination.connectionArn)
        out["InvocationEndpoint"] = .string(destination.endpoint)
        out["HttpMethod"] = .string(destination.method)
        out["InvocationRateLimitPerSecond"] = .number(Double(destination.rateLimit))
        out["CreationTime"] = .number(Double(destination.createdAt) / 1000)
        out["LastModifiedTime"] = .number(Double(destination.modifiedAt) / 1000)
        return .object(out)
    }

    func createApiDestination(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("Name")
        let members = try apiDestinationMembers(input, creating: true)
        let now = clock.wallClockNow.milliseconds
        let id = RandomIdentifier.uuid()
        let (created, state) = try await store.write { db -> (StoredApiDestination, String) in
            guard try StoredApiDestination.fetch(db, name: name) == nil else {
                throw BusError.alreadyExists("An api-destination '\(name)' already exists.")
            }
            _ = try self.existingConnection(db, arn: members.connectionArn ?? "")
            try db.execute(sql: """
                INSERT INTO eb_api_destination (name, id, description, connection_arn, endpoint, method, rate_limit, created_at, modified_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [name, id, members.description, members.connectionArn, members.endpoint, members.method,
                                 members.rateLimit ?? Self.defaultInvocationRate, now, now])
            guard let created = try StoredApiDestination.fetch(db, name: name) else { throw Self.apiDestinationNotFound(name) }
            return (created, try self.apiDestinationState(db, created))
        }
        return apiDestinationSummary(created, state: state)
    }

    func describeApiDestination(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("Name")
        return try await store.read { db in
            guard let destination = try StoredApiDestination.fetch(db, name: name) else { throw Self.apiDestinationNotFound(name) }
            return self.apiDestinationJSON(destination, state: try self.apiDestinationState(db, destination), full: true)
        }
    }

    func listApiDestinations(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let prefix = try input.string("NamePrefix")
        let connection = try input.string("ConnectionArn")
        let limit = try input.int("Limit", in: 1...100) ?? 100
        let after = try Self.decodeToken(try input.string("NextToken")) ?? ""
        let (page, more) = try await store.read { db -> ([JSONValue], Bool) in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM eb_api_destination WHERE name > ?1 AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)
                  AND (?3 IS NULL OR connection_arn = ?3) ORDER BY name LIMIT ?4
                """, arguments: [after, prefix, connection, limit + 1]).map(StoredApiDestination.init)
            let page = try rows.prefix(limit).map { destination in
                self.apiDestinationJSON(destination, state: try self.apiDestinationState(db, destination), full: false)
            }
            return (page, rows.count > limit)
        }
        var out: JSONObject = ["ApiDestinations": .array(page)]
        if more, let last = page.last?["Name"]?.stringValue { out["NextToken"] = .string(Self.encodeToken(last)) }
        return .object(out)
    }

    func updateApiDestination(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("Name")
        let members = try apiDestinationMembers(input, creating: false)
        let now = clock.wallClockNow.milliseconds
        let (updated, state) = try await store.write { db -> (StoredApiDestination, String) in
            guard try StoredApiDestination.fetch(db, name: name) != nil else { throw Self.apiDestinationNotFound(name) }
            if let arn = members.connectionArn { _ = try self.existingConnection(db, arn: arn) }
            // Members not given stay as they were.
            try db.execute(sql: """
                UPDATE eb_api_destination SET description = COALESCE(?, description), connection_arn = COALESCE(?, connection_arn),
                  endpoint = COALESCE(?, endpoint), method = COALESCE(?, method), rate_limit = COALESCE(?, rate_limit),
                  modified_at = ? WHERE name = ?
                """, arguments: [members.description, members.connectionArn, members.endpoint, members.method, members.rateLimit, now, name])
            guard let updated = try StoredApiDestination.fetch(db, name: name) else { throw Self.apiDestinationNotFound(name) }
            return (updated, try self.apiDestinationState(db, updated))
        }
        return apiDestinationSummary(updated, state: state)
    }

    func deleteApiDestination(_ input: BusInput) async throws(AWSError) -> JSONValue {
        let name = try input.name("Name")
        try await store.write { db in
            guard try StoredApiDestination.fetch(db, name: name) != nil else { throw Self.apiDestinationNotFound(name) }
            try db.execute(sql: "DELETE FROM eb_api_destination WHERE name = ?", arguments: [name])
        }
        return [:]
    }
}
