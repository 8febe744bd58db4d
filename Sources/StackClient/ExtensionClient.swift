import AsyncHTTPClient
import CircuitBreaker
import JSON
import NIOCore
import NIOHTTP1
import StackProtocol
import Wire

/// Calls the stack's own REST extensions under `/_signalbox/` (breaker board, chaos, health)
/// with StackProtocol's requests and answers: plain JSON over HTTP, errors in the same
/// `{"__type","message"}` shape as the AWS APIs. Against an endpoint without the extension
/// (AWS, moto, an older stack) a call fails with `.noExtension`, apart from every other failure.
public struct ExtensionClient: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", put = "PUT", post = "POST", delete = "DELETE"
    }

    public let endpoint: StackEndpoint
    public var timeout: Duration
    private let http: HTTPClient
    /// Counts every request sent, when given.
    private let tally: RequestTally?

    public init(endpoint: StackEndpoint, timeout: Duration = .seconds(10), httpClient: HTTPClient = .shared,
                tally: RequestTally? = nil) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.http = httpClient
        self.tally = tally
    }

    // MARK: health

    /// `GET /_signalbox/health`: answers when the endpoint is a Signalbox stack.
    public func health() async throws(StackClientError) -> HealthAnswer {
        try await call(.get, ExtensionPaths.health, decode: HealthAnswer.init(json:))
    }

    // MARK: breaker board

    /// Every breaker on the board (or one service's); unreadable entries are listed apart.
    public func breakerBoard(service: String? = nil) async throws(StackClientError) -> BreakerBoardListing {
        try await call(.get, ExtensionPaths.breakerListing(service: service), decode: BreakerBoardListing.init(json:))
    }

    /// A service's report of its breaker; the answer holds the override it must apply.
    public func report(_ snapshot: BreakerSnapshot) async throws(StackClientError) -> BreakerReportAnswer {
        try await call(.put, ExtensionPaths.breaker(service: snapshot.service, dependency: snapshot.dependency),
                       body: snapshot.json, decode: BreakerReportAnswer.init(json:))
    }

    /// An operator's override of one breaker; the answer is the committed entry and audit entry.
    public func override(service: String, dependency: String,
                         _ request: BreakerOverrideRequest) async throws(StackClientError) -> BreakerOverrideResult {
        try await call(.post, ExtensionPaths.breakerOverride(service: service, dependency: dependency),
                       body: request.json) { json throws(StackProtocolError) in try BreakerOverrideResult(json: json) }
    }

    /// The audit trail of overrides, newest first.
    public func breakerAudit(limit: Int? = nil, service: String? = nil,
                             dependency: String? = nil) async throws(StackClientError) -> BreakerAuditListing {
        try await call(.get, ExtensionPaths.breakerAudit(limit: limit, service: service, dependency: dependency),
                       decode: BreakerAuditListing.init(json:))
    }

    // MARK: chaos

    /// The fault spec in force.
    public func chaos() async throws(StackClientError) -> ChaosAnswer {
        try await call(.get, ExtensionPaths.chaos, decode: ChaosAnswer.init(json:))
    }

    /// Puts a fault spec in force for every demo attached; answers what is now in force.
    public func setChaos(_ request: ChaosRequest) async throws(StackClientError) -> ChaosAnswer {
        try await call(.put, ExtensionPaths.chaos, body: request.json, decode: ChaosAnswer.init(json:))
    }

    // MARK: any extension path

    /// Sends `body` (if any) to `path` (starting with `/_signalbox/`, query included) and
    /// returns the JSON answer (`{}` when the body is empty).
    public func request(_ method: Method, _ path: String, body: JSONValue? = nil) async throws(StackClientError) -> JSONValue {
        guard let base = endpoint.extensionBaseURL(for: path) else {
            throw .noExtension(NoExtension(path: path, reason: "this endpoint is AWS itself, which has no Signalbox extensions"))
        }
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method.rawValue)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.utf8Bytes))
        }
        tally?.add()
        let (status, headers, bytes) = try await HTTPExchange.send(request, on: http, timeout: timeout)
        guard (200..<300).contains(status) else {
            let error = AWSError(status: status, headers: headers, body: bytes)
            if NoExtension.isAbsence(status: status, code: error.code) {
                throw .noExtension(NoExtension(path: path, reason: "\(method.rawValue) answered \(status) \(error.code)"))
            }
            throw .service(error)
        }
        if bytes.isEmpty { return [:] }
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            // Something answered 2xx with a body that is not JSON: not the extension.
            throw .noExtension(NoExtension(path: path, reason: "\(method.rawValue) answered \(status) with a body that is not JSON"))
        }
    }

    private func call<Answer>(_ method: Method, _ path: String, body: JSONValue? = nil,
                              decode: (JSONValue) throws(StackProtocolError) -> Answer) async throws(StackClientError) -> Answer {
        let json = try await request(method, path, body: body)
        do throws(StackProtocolError) {
            return try decode(json)
        } catch {
            throw .badResponse("\(method.rawValue) \(path): \(error.message)")
        }
    }
}
