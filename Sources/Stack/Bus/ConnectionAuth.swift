import JSON
import Wire

/// A connection's authorization as CreateConnection and UpdateConnection accept it: the
/// credentials of its `AuthorizationType` and the extra HTTP parameters sent with every call
/// (`InvocationHttpParameters`). Pure: parsing, validation (AWS's constraints, worded as AWS
/// words them), the stored form (secrets included) and DescribeConnection's form (no secret).
struct ConnectionAuth: Sendable, Equatable {
    enum AuthorizationType: String, Sendable, CaseIterable {
        case apiKey = "API_KEY"
        case basic = "BASIC"
        case oauth = "OAUTH_CLIENT_CREDENTIALS"

        /// The AuthParameters member holding this type's credentials.
        var member: String {
            switch self {
            case .apiKey: "ApiKeyAuthParameters"
            case .basic: "BasicAuthParameters"
            case .oauth: "OAuthParameters"
            }
        }
    }

    /// The token request of an OAuth client-credentials connection.
    struct OAuth: Sendable, Equatable {
        var clientId: String
        var clientSecret: String
        var authorizationEndpoint: String
        var httpMethod: String
        var parameters: HttpParameters
    }

    enum Credentials: Sendable, Equatable {
        case apiKey(name: String, value: String)
        case basic(username: String, password: String)
        case oauth(OAuth)
    }

    /// One extra header, query-string or body parameter. A secret one's value is never returned.
    struct Parameter: Sendable, Equatable {
        var key: String
        var value: String
        var isSecret: Bool
    }

    /// `ConnectionHttpParameters`.
    struct HttpParameters: Sendable, Equatable {
        var headers: [Parameter] = []
        var query: [Parameter] = []
        var body: [Parameter] = []

        var isEmpty: Bool { headers.isEmpty && query.isEmpty && body.isEmpty }
    }

    var credentials: Credentials
    var invocation: HttpParameters

    static let oauthMethods = ["GET", "POST", "PUT"]

    var type: AuthorizationType {
        switch credentials {
        case .apiKey: .apiKey
        case .basic: .basic
        case .oauth: .oauth
        }
    }

    /// Reads `AuthParameters` for `type`: exactly that type's credentials, complete.
    init(_ parameters: JSONValue, type: AuthorizationType) throws(AWSError) {
        let input = BusInput(parameters)
        let given = AuthorizationType.allCases.filter { input.has($0.member) }
        guard given.allSatisfy({ $0 == type }) else {
            throw BusError.validation("AuthParameters must contain only \(type.member) for AuthorizationType \(type.rawValue).")
        }
        guard let credentials = try input.object(type.member) else {
            throw BusError.validation("AuthParameters must contain \(type.member) for AuthorizationType \(type.rawValue).")
        }
        let path = "authParameters." + BusInput.member(type.member)
        switch type {
        case .apiKey:
            self.credentials = .apiKey(name: try Self.headerText(credentials, "ApiKeyName", path: path),
                                       value: try Self.headerText(credentials, "ApiKeyValue", path: path, secret: true))
        case .basic:
            self.credentials = .basic(username: try Self.headerText(credentials, "Username", path: path),
                                      password: try Self.headerText(credentials, "Password", path: path, secret: true))
        case .oauth:
            guard let client = try credentials.object("ClientParameters") else { throw BusInputErrors.missing("\(path).clientParameters") }
            let clientPath = path + ".clientParameters"
            let endpoint = try credentials.requiredString("AuthorizationEndpoint")
            try ApiDestinationEndpoint.check(endpoint, member: "\(path).authorizationEndpoint")
            let method = try credentials.requiredString("HttpMethod")
            guard Self.oauthMethods.contains(method) else {
                throw BusError.constraint(method, member: "\(path).httpMethod",
                                          "Member must satisfy enum value set: [\(Self.oauthMethods.joined(separator: ", "))]")
            }
            self.credentials = .oauth(OAuth(
                clientId: try Self.headerText(client, "ClientID", path: clientPath),
                clientSecret: try Self.headerText(client, "ClientSecret", path: clientPath, secret: true),
                authorizationEndpoint: endpoint, httpMethod: method,
                parameters: try Self.httpParameters(credentials.object("OAuthHttpParameters"), path: "\(path).oAuthHttpParameters")))
        }
        invocation = try Self.httpParameters(input.object("InvocationHttpParameters"), path: "authParameters.invocationHttpParameters")
    }

    /// UpdateConnection: the members given replace the stored ones (a structure member by
    /// member, a list whole), then the result is checked as CreateConnection checks one.
    static func updating(stored: JSONValue, with update: JSONValue, type: AuthorizationType) throws(AWSError) -> (ConnectionAuth, JSONValue) {
        let merged = merge(stored, update)
        return (try ConnectionAuth(merged, type: type), merged)
    }

    private static func merge(_ base: JSONValue, _ update: JSONValue) -> JSONValue {
        guard var object = base.objectValue, let changes = update.objectValue else { return update }
        for (key, value) in changes where !value.isNull {
            object[key] = object[key].map { merge($0, value) } ?? value
        }
        return .object(object)
    }

    /// DescribeConnection's `AuthParameters`: names and settings, never a secret value.
    var described: JSONValue {
        var out: JSONObject = [:]
        switch credentials {
        case .apiKey(let name, _):
            out["ApiKeyAuthParameters"] = ["ApiKeyName": .string(name)]
        case .basic(let username, _):
            out["BasicAuthParameters"] = ["Username": .string(username)]
        case .oauth(let oauth):
            var parameters: JSONObject = [
                "ClientParameters": ["ClientID": .string(oauth.clientId)],
                "AuthorizationEndpoint": .string(oauth.authorizationEndpoint),
                "HttpMethod": .string(oauth.httpMethod),
            ]
            if !oauth.parameters.isEmpty { parameters["OAuthHttpParameters"] = Self.described(oauth.parameters) }
            out["OAuthParameters"] = .object(parameters)
        }
        if !invocation.isEmpty { out["InvocationHttpParameters"] = Self.described(invocation) }
        return .object(out)
    }

    private static func described(_ parameters: HttpParameters) -> JSONValue {
        func list(_ items: [Parameter]) -> JSONValue {
            .array(items.map { item in
                var entry: JSONObject = ["Key": .string(item.key)]
                if !item.isSecret { entry["Value"] = .string(item.value) }
                entry["IsValueSecret"] = .bool(item.isSecret)
                return .object(entry)
            })
        }
        var out: JSONObject = [:]
        if !parameters.headers.isEmpty { out["HeaderParameters"] = list(parameters.headers) }
        if !parameters.query.isEmpty { out["QueryStringParameters"] = list(parameters.query) }
        if !parameters.body.isEmpty { out["BodyParameters"] = list(parameters.body) }
        return .object(out)
    }

    // MARK: Validation

    /// AWS's `AuthHeaderParameters`: 1–512 characters, no control characters or colons, inner
    /// spaces only between words. A secret value is never echoed in the error.
    private static func headerText(_ input: BusInput, _ name: String, path: String, secret: Bool = false) throws(AWSError) -> String {
        let member = "\(path).\(BusInput.member(name))"
        guard let text = try input.string(name) else { throw BusInputErrors.missing(member) }
        guard !text.isEmpty, text.utf8.count <= 512 else {
            throw constraint(text, member: member, secret: secret, "Member must have length between 1 and 512")
        }
        let isAllowed = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0 != ":" }
        guard isAllowed, text.contains(where: { $0 != " " && $0 != "\t" }) else {
            throw constraint(text, member: member, secret: secret,
                             #"Member must satisfy regular expression pattern: ^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$"#)
        }
        return text
    }

    /// AWS leaves a sensitive member's value out of its validation message.
    private static func constraint(_ value: String, member: String, secret: Bool, _ rule: String) -> AWSError {
        secret ? BusError.validation("1 validation error detected: Value at '\(member)' failed to satisfy constraint: \(rule)")
            : BusError.constraint(value, member: member, rule)
    }

    static func httpParameters(_ input: BusInput?, path: String) throws(AWSError) -> HttpParameters {
        guard let input else { return HttpParameters() }
        func list(_ name: String, check: (String, String, String) throws(AWSError) -> Void) throws(AWSError) -> [Parameter] {
            let member = "\(path).\(BusInput.member(name))"
            guard let items = try input.objects(name) else { return [] }
            guard items.count <= 100 else {
                throw BusError.constraint("[\(items.count) parameters]", member: member, "Member must have length less than or equal to 100")
            }
            var out: [Parameter] = []
            for item in items {
                let entry = BusInput(item)
                let key = try entry.string("Key") ?? ""
                let value = try entry.string("Value") ?? ""
                try check(key, value, member)
                out.append(Parameter(key: key, value: value, isSecret: try entry.bool("IsValueSecret") ?? false))
            }
            return out
        }
        return HttpParameters(
            headers: try list("HeaderParameters") { key, value, member throws(AWSError) in
                try HttpParameterRules.checkHeader(key: key, value: value, member: member)
            },
            query: try list("QueryStringParameters") { key, value, member throws(AWSError) in
                try HttpParameterRules.checkQuery(key: key, value: value, member: member)
            },
            body: try list("BodyParameters") { _, _, _ throws(AWSError) in })
    }
}

/// AWS's constraints on HTTP header and query-string parameters, shared by connections and
/// targets' `HttpParameters`.
enum HttpParameterRules {
    /// `HeaderKey`: a token of RFC 9110's characters, at most 512.
    static func isHeaderKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 512 && key.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || Array("!#$%&'*+,-.^_`|~".utf8).contains(byte)
        }
    }

    /// `HeaderValue`: printable ASCII, at most 512.
    static func isHeaderValue(_ value: String) -> Bool {
        value.utf8.count <= 512 && value.utf8.allSatisfy { $0 == 9 || ($0 >= 0x20 && $0 <= 0x7E) }
    }

    static func checkHeader(key: String, value: String, member: String) throws(AWSError) {
        guard isHeaderKey(key) else {
            throw BusError.constraint(key, member: "\(member).key", #"Member must satisfy regular expression pattern: ^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$"#)
        }
        guard isHeaderValue(value) else {
            throw BusError.constraint(value, member: "\(member).value", #"Member must satisfy regular expression pattern: ^[ \t]*[\x20-\x7E]+([ \t]+[\x20-\x7E]+)*[ \t]*$"#)
        }
    }

    static func checkQuery(key: String, value: String, member: String) throws(AWSError) {
        guard !key.isEmpty, key.utf8.count <= 512, key.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw BusError.constraint(key, member: "\(member).key", #"Member must satisfy regular expression pattern: [^\x00-\x1F\x7F]+"#)
        }
        guard value.utf8.count <= 512, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F || [9, 10, 13].contains($0.value) }) else {
            throw BusError.constraint(value, member: "\(member).value", #"Member must satisfy regular expression pattern: [^\x00-\x09\x0B\x0C\x0E-\x1F\x7F]+"#)
        }
    }
}
