import AsyncHTTPClient
import Foundation
import JSON
import NIOCore
import NIOHTTP1
import Timekeeping
import Wire

/// Calls AWS JSON services (SQS, EventBridge, Step Functions, Cloud Map) the way the SDKs do:
/// POST / with `X-Amz-Target`, a SigV4 signature, and AWS's error shape decoded into
/// `StackClientError.service`. The console's providers and the demo share it, so both reach the
/// stack through its public wire protocol and nothing else.
public struct AWSClient: Sendable {
    public let endpoint: StackEndpoint
    /// How long a call may take unless the caller says otherwise; long polls pass their own.
    public var timeout: Duration
    private let http: HTTPClient
    /// Signatures are dated by its wall clock.
    private let clock: any TimeSource
    /// Counts every request sent, when given.
    private let tally: RequestTally?

    /// Uses the process-wide shared HTTP client, which needs no shutdown.
    public init(endpoint: StackEndpoint, timeout: Duration = .seconds(30), httpClient: HTTPClient = .shared,
                clock: any TimeSource = SystemClock(), tally: RequestTally? = nil) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.http = httpClient
        self.clock = clock
        self.tally = tally
    }

    /// Calls `operation` on `service` and returns the response body (`{}` when empty).
    public func call(_ service: AWSService, _ operation: String, _ input: JSONValue = [:],
                     timeout: Duration? = nil) async throws(StackClientError) -> JSONValue {
        let base = endpoint.baseURL(for: service)
        let body = input.utf8Bytes
        var headers: [(name: String, value: String)] = [
            (name: "Host", value: StackEndpoint.hostHeader(of: base)),
            (name: "Content-Type", value: service.version.contentType),
            (name: "X-Amz-Target", value: "\(service.targetPrefix).\(operation)"),
        ]
        let credentials = try await endpoint.currentCredentials()
        let signer = SigV4Signer(credentials: credentials, region: endpoint.region, service: service.signingName)
        let signed = signer.sign(SigV4Request(method: "POST", path: "/", headers: headers, body: body),
                                 unixSeconds: clock.wallClockNow.wholeSeconds)
        headers = signed.headers
        var request = HTTPClientRequest(url: base + "/")
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        tally?.add()
        let (status, responseHeaders, bytes) = try await HTTPExchange.send(request, on: http,
                                                                           timeout: timeout ?? self.timeout)
        guard (200..<300).contains(status) else {
            throw .service(AWSError(status: status, headers: responseHeaders, body: bytes))
        }
        do {
            return try AWSJSONCodec.decodeBody(bytes)
        } catch {
            throw .badResponse("\(service.targetPrefix).\(operation) answered with a body that is not a JSON object")
        }
    }
}

/// One request/response round trip with the body collected, errors mapped to
/// `StackClientError.transport`. Public for the credential chain's STS and SSO calls.
public enum HTTPExchange {
    /// Largest response body a client collects (a ListExecutions page with includeExecutionData
    /// can be several MiB).
    static let maxResponseBytes = 64 << 20

    public static func send(_ request: HTTPClientRequest, on http: HTTPClient,
                     timeout: Duration) async throws(StackClientError) -> (Int, [String: String], [UInt8]) {
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            var headers: [String: String] = [:]
            for (name, value) in response.headers { headers[name.lowercased()] = value }
            let buffer = try await response.body.collect(upTo: maxResponseBytes)
            return (Int(response.status.code), headers, Array(buffer.readableBytesView))
        } catch let error as HTTPClientError {
            throw .transport(describe(error))
        } catch {
            throw .transport("\(error)")
        }
    }

    private static func describe(_ error: HTTPClientError) -> String {
        switch error {
        case .deadlineExceeded, .readTimeout: "timed out"
        case .connectTimeout: "connection timed out"
        case .remoteConnectionClosed: "the server closed the connection"
        default: "\(error)"
        }
    }
}

extension Duration {
    /// Whole nanoseconds (NIO's `TimeAmount` unit).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
