import Foundation
import JSON
import Wire

/// A target's `HttpParameters`, checked when PutTargets accepts the target.
struct TargetHttpParameters: Sendable, Equatable {
    struct Pair: Sendable, Equatable {
        var key: String
        var value: String
    }

    var pathValues: [String] = []
    var headers: [Pair] = []
    var query: [Pair] = []

    init() {}

    init(_ input: BusInput) throws(AWSError) {
        let member = "targets.httpParameters"
        pathValues = try input.stringList("PathParameterValues") ?? []
        for value in pathValues where value.allSatisfy(\.isWhitespace) {
            throw BusError.constraint(value, member: "\(member).pathParameterValues", #"Member must satisfy regular expression pattern: ^(?!\s*$).+"#)
        }
        for (key, value) in try input.stringMap("HeaderParameters") ?? [] {
            try HttpParameterRules.checkHeader(key: key, value: value, member: "\(member).headerParameters")
            headers.append(Pair(key: key, value: value))
        }
        for (key, value) in try input.stringMap("QueryStringParameters") ?? [] {
            try HttpParameterRules.checkQuery(key: key, value: value, member: "\(member).queryStringParameters")
            query.append(Pair(key: key, value: value))
        }
    }
}

/// One call to an API destination, worked out from the destination, its connection, the
/// target and the payload. Pure: the token (OAuth) is fetched by the caller.
///
/// What goes on the wire: the destination's method to its endpoint with the target's path
/// values in place of the `*` wildcards and the connection's and the target's query-string
/// parameters appended; headers: EventBridge's `Content-Type` and `User-Agent`, the target's
/// headers, the connection's headers (a connection parameter wins over a target's of the same
/// name, as in AWS), then the authorization (API key header, Basic, or Bearer). The body is the
/// payload (none for GET and HEAD); when it is a JSON object, the connection's body parameters
/// are added to it.
struct ApiDestinationRequest: Sendable, Equatable {
    var method: String
    var url: String
    var headers: [TargetHttpParameters.Pair]
    var body: String?

    static let userAgent = "Amazon/EventBridge/ApiDestinations"
    static let contentType = "application/json; charset=utf-8"

    static func make(endpoint: String, method: String, auth: ConnectionAuth, bearerToken: String?,
                     target: TargetHttpParameters, payload: String) throws(ApiDestinationEndpoint.AddressError) -> ApiDestinationRequest {
        let connectionQuery = auth.invocation.query.map { ($0.key, $0.value) }
        let connectionQueryKeys = Set(auth.invocation.query.map(\.key))
        let query = target.query.filter { !connectionQueryKeys.contains($0.key) }.map { ($0.key, $0.value) } + connectionQuery
        let url = try ApiDestinationEndpoint.url(endpoint, pathValues: target.pathValues, query: query)
        var headers = [TargetHttpParameters.Pair(key: "Content-Type", value: contentType),
                       TargetHttpParameters.Pair(key: "User-Agent", value: userAgent)]
        func set(_ key: String, _ value: String) {
            headers.removeAll { $0.key.caseInsensitiveCompare(key) == .orderedSame }
            headers.append(TargetHttpParameters.Pair(key: key, value: value))
        }
        for header in target.headers { set(header.key, header.value) }
        for header in auth.invocation.headers { set(header.key, header.value) }
        switch auth.credentials {
        case .apiKey(let name, let value):
            set(name, value)
        case .basic(let username, let password):
            set("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        case .oauth:
            if let bearerToken { set("Authorization", "Bearer " + bearerToken) }
        }
        var body: String? = payload
        if method == "GET" || method == "HEAD" {
            body = nil
        } else if !auth.invocation.body.isEmpty, var object = (try? JSONValue(parsing: payload))?.objectValue {
            for parameter in auth.invocation.body { object[parameter.key] = .string(parameter.value) }
            body = JSONValue.object(object).serialized
        }
        return ApiDestinationRequest(method: method, url: url, headers: headers, body: body)
    }

    /// The token request of an OAuth client-credentials connection: its method to the
    /// authorization endpoint with the client id and secret as Basic credentials, the OAuth
    /// query-string parameters appended, its headers, and its body parameters form-encoded
    /// (RFC 6749's `application/x-www-form-urlencoded`, e.g. `grant_type=client_credentials`).
    static func tokenRequest(_ oauth: ConnectionAuth.OAuth) throws(ApiDestinationEndpoint.AddressError) -> ApiDestinationRequest {
        let url = try ApiDestinationEndpoint.url(oauth.authorizationEndpoint.replacingOccurrences(of: "*", with: "%2A"),
                                                 pathValues: [], query: oauth.parameters.query.map { ($0.key, $0.value) })
        var headers = [TargetHttpParameters.Pair(key: "User-Agent", value: userAgent)]
        for header in oauth.parameters.headers { headers.append(.init(key: header.key, value: header.value)) }
        headers.append(.init(key: "Authorization",
                             value: "Basic " + Data("\(oauth.clientId):\(oauth.clientSecret)".utf8).base64EncodedString()))
        var body: String?
        if !oauth.parameters.body.isEmpty {
            headers.append(.init(key: "Content-Type", value: "application/x-www-form-urlencoded"))
            body = oauth.parameters.body.map {
                ApiDestinationEndpoint.encodeQueryComponent($0.key) + "=" + ApiDestinationEndpoint.encodeQueryComponent($0.value)
            }.joined(separator: "&")
        }
        return ApiDestinationRequest(method: oauth.httpMethod, url: url, headers: headers, body: body)
    }

    /// The token in an OAuth token response (`access_token`) and how long it lasts (`expires_in`
    /// seconds), or nil when the answer holds none.
    static func token(fromResponse body: String) -> (token: String, lifetime: Duration?)? {
        guard let object = (try? JSONValue(parsing: body))?.objectValue,
              let token = object["access_token"]?.stringValue, !token.isEmpty else { return nil }
        let seconds = object["expires_in"]?.doubleValue ?? object["expires_in"]?.stringValue.flatMap(Double.init)
        return (token, seconds.map { .milliseconds(Int64($0 * 1000)) })
    }
}
