import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A loopback HTTP proxy in front of an AWS-shaped endpoint (the stack, moto_server) that counts
/// every request by API (`X-Amz-Target`, e.g. `AmazonSQS.GetQueueAttributes`; `GET /path` for
/// anything else) and can answer some of them itself instead of forwarding them, as a throttled
/// AWS would. What it counts is what reached the wire, whoever sent it: the honest measure of a
/// client's cost. Runs for the length of `body`, stopped and awaited before this returns.
///
/// A proxy rather than the server's own counters: moto has none, and a throttling answer must
/// come from somewhere the client cannot tell from AWS.
public final class AWSProxy: Sendable {
    /// What to do with one request: forward it, or answer with this status and JSON body.
    public enum Decision: Sendable {
        case forward
        case answer(status: Int, body: String)
    }

    /// AWS JSON's throttling answer for `code` (`ThrottlingException`, SQS's `RequestThrottled`…).
    public static func throttled(_ code: String = "ThrottlingException") -> Decision {
        .answer(status: 400, body: #"{"__type":"\#(code)","message":"Rate exceeded"}"#)
    }

    public let target: String
    private let counts = Mutex<[String: Int]>([:])
    private let answered = Mutex<[String: Int]>([:])
    private let decide: @Sendable (String) -> Decision

    /// Forwards to `target` (`http://127.0.0.1:PORT`); `decide` sees each request's API first.
    public init(target: String, decide: @escaping @Sendable (String) -> Decision = { _ in .forward }) {
        self.target = target
        self.decide = decide
    }

    /// Requests seen so far by API, forwarded or answered here.
    public var calls: [String: Int] { counts.withLock { $0 } }
    /// Requests answered here (not forwarded) so far, by API.
    public var answeredHere: [String: Int] { answered.withLock { $0 } }
    public var total: Int { calls.values.reduce(0, +) }

    /// Serves on a free loopback port for the length of `body`, which gets the proxy's URL.
    public func serve<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let app = Application(responder: Responder(proxy: self),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                              onServerRunning: { [portSink] channel in portSink.yield(channel.localAddress?.port ?? 0) },
                              logger: Self.quiet)
        let serving = Task { try await app.run() }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let result: Result<T, any Error>
        do { result = .success(try await body("http://127.0.0.1:\(port)")) } catch { result = .failure(error) }
        serving.cancel()
        _ = await serving.result
        return try result.get()
    }

    /// The server's own log stays out of a test's or bench's output (it reports its stop as an error).
    private static let quiet: Logger = {
        var logger = Logger(label: "signalbox.test.proxy")
        logger.logLevel = .critical
        return logger
    }()

    private let (ports, portSink) = AsyncStream.makeStream(of: Int.self)

    private struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let proxy: AWSProxy

        func respond(to request: Request, context: Context) async throws -> Response {
            let api = request.headers[.init("X-Amz-Target")!] ?? "\(request.method) \(request.uri.path)"
            proxy.counts.withLock { $0[api, default: 0] += 1 }
            if case .answer(let status, let body) = proxy.decide(api) {
                proxy.answered.withLock { $0[api, default: 0] += 1 }
                return Response(status: .init(code: status), headers: [.contentType: "application/x-amz-json-1.0"],
                                body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            let body = try await request.body.collect(upTo: 64 << 20)
            var forwarded = HTTPClientRequest(url: proxy.target + request.uri.description)
            forwarded.method = .init(rawValue: request.method.rawValue)
            for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
                forwarded.headers.add(name: field.name.rawName, value: field.value)
            }
            forwarded.body = .bytes(body)
            let answer = try await HTTPClient.shared.execute(forwarded, timeout: .seconds(60))
            var headers = HTTPFields()
            for (name, value) in answer.headers where !Self.hopByHop.contains(name.lowercased()) {
                if let key = HTTPFields.Element.Name(name) { headers.append(HTTPFields.Element(name: key, value: value)) }
            }
            let bytes = try await answer.body.collect(upTo: 64 << 20)
            return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: bytes))
        }

        static let hopByHop: Set<String> = ["content-length", "connection", "transfer-encoding", "keep-alive", "upgrade"]
    }
}
