import AsyncHTTPClient
import JSON
import NIOCore
import NIOHTTP1
import Wire

/// Calls the stack's own REST extensions under `/_signalbox/` (breaker board, chaos, health):
/// plain JSON over HTTP, errors in the same `{"__type","message"}` shape as the AWS APIs.
/// Against an endpoint without the extensions (AWS), every call fails with `.invalidEndpoint`.
public struct ExtensionClient: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", put = "PUT", post = "POST", delete = "DELETE"
    }

    public let endpoint: StackEndpoint
    public var timeout: Duration
    private let http: HTTPClient

    public init(endpoint: StackEndpoint, timeout: Duration = .seconds(10), httpClient: HTTPClient = .shared) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.http = httpClient
    }

    /// Sends `body` (if any) to `path` (starting with `/_signalbox/`, query included) and
    /// returns the JSON answer (`{}` when the body is empty).
    public func request(_ method: Method, _ path: String, body: JSONValue? = nil) async throws(StackClientError) -> JSONValue {
        guard let base = endpoint.extensionBaseURL(for: path) else {
            throw .invalidEndpoint("\(path) is a Signalbox extension; this endpoint is AWS itself")
        }
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method.rawValue)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.utf8Bytes))
        }
        let (status, headers, bytes) = try await HTTPExchange.send(request, on: http, timeout: timeout)
        guard (200..<300).contains(status) else {
            throw .service(AWSError(status: status, headers: headers, body: bytes))
        }
        if bytes.isEmpty { return [:] }
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw .badResponse("\(method.rawValue) \(path) answered with a body that is not JSON")
        }
    }
}
