import Foundation
import JSON
import Testing
import Timekeeping
import Wire
@testable import Stack

@Suite("EventBridge API destinations: the pure parts")
struct ApiDestinationTests {
    static func instant(_ milliseconds: Int64) -> MonotonicInstant {
        MonotonicInstant(nanosecondsSinceOrigin: milliseconds * 1_000_000)
    }

    // MARK: Rate limiter

    @Test("the rate limiter lets a second's burst through, then spaces calls at the rate")
    func rateLimiterSpacing() {
        var limiter = InvocationRateLimiter(ratePerSecond: 2, now: Self.instant(0))
        let waits = (0..<6).map { _ in limiter.reserve(now: Self.instant(0)) }
        #expect(waits == [.zero, .zero, .milliseconds(500), .seconds(1), .milliseconds(1500), .seconds(2)])
    }

    @Test("waiting calls queue behind each other; idle time refills the bucket up to one second's worth")
    func rateLimiterRefill() {
        var limiter = InvocationRateLimiter(ratePerSecond: 4, now: Self.instant(0))
        for _ in 0..<4 { #expect(limiter.reserve(now: Self.instant(0)) == .zero) }
        #expect(limiter.reserve(now: Self.instant(0)) == .milliseconds(250))
        // Half a second later, two tokens came back but one was already promised.
        #expect(limiter.reserve(now: Self.instant(500)) == .zero)
        #expect(limiter.reserve(now: Self.instant(500)) == .milliseconds(250))
        // A long pause refills to the burst (4), never more.
        for _ in 0..<4 { #expect(limiter.reserve(now: Self.instant(60_000)) == .zero) }
        #expect(limiter.reserve(now: Self.instant(60_000)) > .zero)
    }

    @Test("over any window the limiter never starts more than rate × seconds + one burst")
    func rateLimiterBound() {
        var limiter = InvocationRateLimiter(ratePerSecond: 3, now: Self.instant(0))
        // 40 calls arriving every 50 ms: their start times must respect the rate.
        var starts: [Int64] = []
        for index in 0..<40 {
            let arrival = Int64(index) * 50
            let wait = limiter.reserve(now: Self.instant(arrival))
            starts.append(arrival + wait.clampedNanoseconds / 1_000_000)
        }
        #expect(starts == starts.sorted())
        for first in starts.indices {
            let windowEnd = starts[first] + 2000
            let inWindow = starts[first...].prefix { $0 < windowEnd }.count
            #expect(inWindow <= 3 * 2 + 3)
        }
        #expect(starts.last! >= (40 - 3) * 1000 / 3 - 1)
    }

    // MARK: Endpoints and path parameters

    @Test("path wildcards take the target's values in order, percent-encoded; the query is appended")
    func pathParameters() throws {
        let url = try ApiDestinationEndpoint.url("https://api.example.com/orders/*/items/*?v=1",
                                                 pathValues: ["o 1", "a/b"], query: [("k", "x y"), ("z", "&")])
        #expect(url == "https://api.example.com/orders/o%201/items/a%2Fb?v=1&k=x%20y&z=%26")
        #expect(try ApiDestinationEndpoint.url("http://127.0.0.1:8080/hook", pathValues: [], query: []) == "http://127.0.0.1:8080/hook")
        #expect(throws: ApiDestinationEndpoint.AddressError.self) {
            try ApiDestinationEndpoint.url("https://api.example.com/*/*", pathValues: ["one"], query: [])
        }
        #expect(throws: ApiDestinationEndpoint.AddressError.self) {
            try ApiDestinationEndpoint.url("https://api.example.com/x", pathValues: ["extra"], query: [])
        }
    }

    @Test("endpoints: AWS's pattern and length, and an HTTP(S) URL with a host")
    func endpointChecks() {
        func message(_ endpoint: String) -> String? {
            do throws(AWSError) {
                try ApiDestinationEndpoint.check(endpoint, member: "invocationEndpoint")
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message("https://api.example.com/orders/*") == nil)
        #expect(message("http://127.0.0.1:9000/hook?x=1") == nil)
        #expect(message("https://has space.example.com")?.contains("Member must satisfy regular expression pattern") == true)
        #expect(message("")?.contains("Member must have length between 1 and 2048") == true)
        #expect(message("ftp://files.example.com/x")?.contains("is not an HTTPS") == true)
        #expect(message("not-a-url")?.contains("is not an HTTPS") == true)
    }

    // MARK: Connections

    static func auth(_ json: String, _ type: ConnectionAuth.AuthorizationType) throws -> ConnectionAuth {
        try ConnectionAuth(try JSONValue(parsing: json), type: type)
    }

    static func error(_ json: String, _ type: ConnectionAuth.AuthorizationType) -> AWSError? {
        do throws(AWSError) {
            _ = try ConnectionAuth(try! JSONValue(parsing: json), type: type)
            return nil
        } catch {
            return error
        }
    }

    @Test("each authorization type needs its own parameters, complete, and no other type's")
    func authorizationParameters() {
        #expect(Self.error(#"{"BasicAuthParameters":{"Username":"u","Password":"p"}}"#, .apiKey)?.message
                == "AuthParameters must contain only ApiKeyAuthParameters for AuthorizationType API_KEY.")
        #expect(Self.error(#"{}"#, .basic)?.message == "AuthParameters must contain BasicAuthParameters for AuthorizationType BASIC.")
        #expect(Self.error(#"{"ApiKeyAuthParameters":{"ApiKeyName":"x-api-key"}}"#, .apiKey)?.message
                == "1 validation error detected: Value 'null' at 'authParameters.apiKeyAuthParameters.apiKeyValue' failed to satisfy constraint: Member must not be null")
        #expect(Self.error(#"{"OAuthParameters":{"ClientParameters":{"ClientID":"c","ClientSecret":"s"},"AuthorizationEndpoint":"https://a.example.com/token","HttpMethod":"PATCH"}}"#, .oauth)?.message
                == "1 validation error detected: Value 'PATCH' at 'authParameters.oAuthParameters.httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [GET, POST, PUT]")
    }

    @Test("a secret that breaks a constraint is not echoed in the error")
    func secretsNotEchoed() throws {
        let secret = "top:secret"
        let error = try #require(Self.error(#"{"BasicAuthParameters":{"Username":"u","Password":"\#(secret)"}}"#, .basic))
        #expect(error.code == "ValidationException")
        #expect(!error.message.contains(secret))
        #expect(error.message.contains("authParameters.basicAuthParameters.password"))
    }

    @Test("DescribeConnection's AuthParameters carry names and settings, never a secret value")
    func describedWithoutSecrets() throws {
        let oauth = try Self.auth("""
            {"OAuthParameters":{"ClientParameters":{"ClientID":"client","ClientSecret":"s3cret"},
             "AuthorizationEndpoint":"https://auth.example.com/token","HttpMethod":"POST",
             "OAuthHttpParameters":{"BodyParameters":[{"Key":"grant_type","Value":"client_credentials","IsValueSecret":false}]}},
             "InvocationHttpParameters":{"HeaderParameters":[{"Key":"x-team","Value":"payments"},
                                                            {"Key":"x-signing","Value":"hush","IsValueSecret":true}]}}
            """, .oauth)
        let text = oauth.described.serialized
        #expect(!text.contains("s3cret"))
        #expect(!text.contains("hush"))
        #expect(oauth.described["OAuthParameters"]?["ClientParameters"]?["ClientID"]?.stringValue == "client")
        #expect(oauth.described["InvocationHttpParameters"]?["HeaderParameters"]?[1]?["IsValueSecret"]?.boolValue == true)
        #expect(oauth.described["InvocationHttpParameters"]?["HeaderParameters"]?[0]?["Value"]?.stringValue == "payments")
        let key = try Self.auth(#"{"ApiKeyAuthParameters":{"ApiKeyName":"x-api-key","ApiKeyValue":"k-123"}}"#, .apiKey)
        #expect(key.described.serialized == #"{"ApiKeyAuthParameters":{"ApiKeyName":"x-api-key"}}"#)
    }

    @Test("UpdateConnection replaces the members given and keeps the stored secrets")
    func updateMerges() throws {
        let stored = try JSONValue(parsing: #"{"BasicAuthParameters":{"Username":"u","Password":"p"}}"#)
        let (auth, merged) = try ConnectionAuth.updating(stored: stored, with: try JSONValue(parsing: #"{"BasicAuthParameters":{"Username":"v"}}"#),
                                                         type: .basic)
        #expect(auth.credentials == .basic(username: "v", password: "p"))
        #expect(merged["BasicAuthParameters"]?["Password"]?.stringValue == "p")
    }

    // MARK: Requests

    static let payload = #"{"detail":{"order":"o-1"}}"#

    @Test("an API key goes in its header; connection headers win over the target's")
    func apiKeyRequest() throws {
        let auth = try Self.auth("""
            {"ApiKeyAuthParameters":{"ApiKeyName":"x-api-key","ApiKeyValue":"k-123"},
             "InvocationHttpParameters":{"HeaderParameters":[{"Key":"x-team","Value":"connection"}],
                                         "QueryStringParameters":[{"Key":"source","Value":"eb"}]}}
            """, .apiKey)
        var target = TargetHttpParameters()
        target.pathValues = ["o-1"]
        target.headers = [.init(key: "X-Team", value: "target"), .init(key: "x-trace", value: "t")]
        target.query = [.init(key: "source", value: "target"), .init(key: "page", value: "2")]
        let request = try ApiDestinationRequest.make(endpoint: "http://127.0.0.1:9/orders/*", method: "POST", auth: auth,
                                                     bearerToken: nil, target: target, payload: Self.payload)
        #expect(request.url == "http://127.0.0.1:9/orders/o-1?page=2&source=eb")
        let headers = Dictionary(request.headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        #expect(headers["x-api-key"] == "k-123")
        #expect(headers["x-team"] == "connection")
        #expect(headers["x-trace"] == "t")
        #expect(headers["content-type"] == "application/json; charset=utf-8")
        #expect(headers["user-agent"] == "Amazon/EventBridge/ApiDestinations")
        #expect(request.headers.filter { $0.key.lowercased() == "x-team" }.count == 1)
        #expect(request.body == Self.payload)
    }

    @Test("basic credentials and OAuth tokens go in Authorization; GET and HEAD carry no body")
    func authorizationHeaders() throws {
        let basic = try Self.auth(#"{"BasicAuthParameters":{"Username":"user","Password":"pa ss"}}"#, .basic)
        let request = try ApiDestinationRequest.make(endpoint: "https://h.example.com/x", method: "GET", auth: basic, bearerToken: nil,
                                                     target: TargetHttpParameters(), payload: Self.payload)
        #expect(request.headers.contains(.init(key: "Authorization", value: "Basic " + Data("user:pa ss".utf8).base64EncodedString())))
        #expect(request.body == nil)
        let oauth = try Self.auth("""
            {"OAuthParameters":{"ClientParameters":{"ClientID":"c","ClientSecret":"s"},
             "AuthorizationEndpoint":"https://auth.example.com/token","HttpMethod":"POST"},
             "InvocationHttpParameters":{"BodyParameters":[{"Key":"tenant","Value":"t-9"}]}}
            """, .oauth)
        let bearer = try ApiDestinationRequest.make(endpoint: "https://h.example.com/x", method: "PUT", auth: oauth, bearerToken: "tok-1",
                                                    target: TargetHttpParameters(), payload: Self.payload)
        #expect(bearer.headers.contains(.init(key: "Authorization", value: "Bearer tok-1")))
        // The connection's body parameters join a JSON object payload.
        #expect(bearer.body.flatMap { try? JSONValue(parsing: $0) }?["tenant"]?.stringValue == "t-9")
    }

    @Test("the OAuth token request: client credentials as Basic, body parameters form-encoded, query appended")
    func tokenRequest() throws {
        let auth = try Self.auth("""
            {"OAuthParameters":{"ClientParameters":{"ClientID":"client","ClientSecret":"secret"},
             "AuthorizationEndpoint":"https://auth.example.com/oauth/token","HttpMethod":"POST",
             "OAuthHttpParameters":{"BodyParameters":[{"Key":"grant_type","Value":"client_credentials"},{"Key":"scope","Value":"a b"}],
                                    "QueryStringParameters":[{"Key":"audience","Value":"orders"}]}}}
            """, .oauth)
        guard case .oauth(let oauth) = auth.credentials else { Issue.record("not OAuth"); return }
        let request = try ApiDestinationRequest.tokenRequest(oauth)
        #expect(request.method == "POST")
        #expect(request.url == "https://auth.example.com/oauth/token?audience=orders")
        #expect(request.body == "grant_type=client_credentials&scope=a%20b")
        #expect(request.headers.contains(.init(key: "Authorization", value: "Basic " + Data("client:secret".utf8).base64EncodedString())))
        #expect(request.headers.contains(.init(key: "Content-Type", value: "application/x-www-form-urlencoded")))
        let parsed = ApiDestinationRequest.token(fromResponse: #"{"access_token":"abc","token_type":"bearer","expires_in":3600}"#)
        #expect(parsed?.token == "abc")
        #expect(parsed?.lifetime == .seconds(3600))
        #expect(ApiDestinationRequest.token(fromResponse: #"{"error":"invalid_client"}"#) == nil)
    }

    @Test("API destination and connection ARNs name resources of this account and region only")
    func arns() {
        let naming = BusNaming(accountId: "000000000000", region: "us-east-1")
        let arn = naming.apiDestinationArn("hook", id: "5f0c")
        #expect(arn == "arn:aws:events:us-east-1:000000000000:api-destination/hook/5f0c")
        #expect(BusTarget.kind(arn: arn, naming: naming) == .apiDestination(arn: arn))
        #expect(naming.apiDestinationName(fromArn: "arn:aws:events:eu-west-1:000000000000:api-destination/hook/5f0c") == nil)
        #expect(naming.connectionName(fromArn: naming.connectionArn("c1", id: "ab-12")) == "c1")
        #expect(naming.connectionName(fromArn: "arn:aws:events:us-east-1:000000000000:connection/c1") == nil)
        #expect(naming.connectionSecretArn("c1", id: "ab", suffix: "x1y2z3")
                == "arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection/c1/ab-x1y2z3")
    }
}

@Suite("EventBridge API destinations: the outbox")
struct ApiDestinationOutboxTests {
    @Test("PutEvents writes an API-destination call to the outbox in its own transaction; no call is made in it")
    func callWrittenWithTheEvent() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        let connection = try await stack.events("CreateConnection", [
            "Name": "hooks", "AuthorizationType": "API_KEY",
            "AuthParameters": ["ApiKeyAuthParameters": ["ApiKeyName": "x-api-key", "ApiKeyValue": "k-1"]],
        ])
        #expect(connection["ConnectionState"]?.stringValue == "AUTHORIZED")
        let described = try await stack.events("DescribeConnection", ["Name": "hooks"])
        #expect(!described.serialized.contains("k-1"))
        let connectionArn = try #require(connection["ConnectionArn"])
        let destination = try await stack.events("CreateApiDestination", [
            "Name": "orders", "ConnectionArn": connectionArn,
            "InvocationEndpoint": "http://127.0.0.1:1/orders/*", "HttpMethod": "POST",
        ])
        let arn = try #require(destination["ApiDestinationArn"]?.stringValue)
        try await stack.events("PutRule", ["Name": "to-hook", "EventPattern": #"{"source":["shop"]}"#])
        let put = try await stack.events("PutTargets", ["Rule": "to-hook", "Targets": [
            ["Id": "hook", "Arn": .string(arn), "HttpParameters": ["PathParameterValues": ["o-1"]]],
        ]])
        #expect(put["FailedEntryCount"] == 0)
        try await stack.events("PutEvents", ["Entries": [["Source": "shop", "DetailType": "order", "Detail": "{}"]]])
        // The background dispatcher is not running here: the call waits in the outbox, untried.
        let outbox = try await stack.bus.outbox()
        #expect(outbox.count == 1)
        #expect(outbox.first?.targetId == "hook")
        #expect(outbox.first?.state == "pending")
        #expect(outbox.first?.errorCode == nil)
    }

    @Test("a target's HttpParameters are checked by PutTargets")
    func targetParametersChecked() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        try await stack.events("PutRule", ["Name": "r", "EventPattern": #"{"source":["shop"]}"#])
        let arn = "arn:aws:events:us-east-1:000000000000:api-destination/d/1234"
        let code = await stack.eventsError("PutTargets", ["Rule": "r", "Targets": [
            ["Id": "t", "Arn": .string(arn), "HttpParameters": ["HeaderParameters": ["bad header": "x"]]],
        ]])
        #expect(code == "ValidationException")
    }
}
