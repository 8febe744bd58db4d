import Hummingbird
import JSON
import NIOCore

/// Mounts the breaker board (`/_signalbox/breakers…`) on the stack's HTTP server.
public struct BreakerBoardRoute: StackRouteExtension {
    public let api: BreakerBoardAPI
    /// Snapshots are about 1.5 KB; anything much larger is not a report.
    static let maximumBodyBytes = 64 * 1024

    public init(board: BreakerBoard) { self.api = BreakerBoardAPI(board: board) }

    public func addRoutes(to router: Router<StackRequestContext>) {
        let api = self.api
        let handler: @Sendable (Request, StackRequestContext) async throws -> Response = { request, _ in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maximumBodyBytes)
            } catch {
                let failure = BreakerBoardError(
                    status: 413, type: "ValidationException",
                    message: "The request body is over \(Self.maximumBodyBytes) bytes, or ended early")
                return Self.response(failure.status, failure.json)
            }
            let answer = await api.respond(method: request.method.rawValue, path: request.uri.path,
                                           query: request.uri.query ?? "", body: Array(buffer: body))
            return Self.response(answer.status, answer.body)
        }
        for path in [BreakerBoardAPI.basePath, BreakerBoardAPI.basePath + "/**"] {
            for method in [HTTPRequest.Method.get, .put, .post, .delete, .patch] {
                router.on(RouterPath(stringLiteral: path), method: method, use: handler)
            }
        }
    }

    static func response(_ status: Int, _ body: JSONValue) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: body.utf8Bytes)))
    }
}
