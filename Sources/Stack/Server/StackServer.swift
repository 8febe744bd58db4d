import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import StackProtocol
import Synchronization
import NIOCore
import Timekeeping
import Wire

/// The stack's HTTP server: one loopback port for every service and extension.
///
/// `POST` to any path goes to the `FrontDoor` (AWS JSON). `GET /_signalbox/health` and
/// `GET /metrics` are built in; extensions add their own routes (and WebSocket upgrades).
public struct StackServer: Sendable {
    public let configuration: StackConfiguration
    public let frontDoor: FrontDoor
    public let services: [any StackService]
    public let extensions: [any StackRouteExtension]
    let logger: Logger

    /// `metrics` is the one the services count on (`StackAssembly` builds both from one).
    /// These fixed services answer every request, in the configured account and region.
    public init(configuration: StackConfiguration, services: [any StackService],
                extensions: [any StackRouteExtension] = [], metrics: StackMetrics = StackMetrics(),
                logger: Logger = Logger(label: "signalbox.stack")) {
        self.configuration = configuration
        self.services = services
        self.extensions = extensions
        self.logger = logger
        self.frontDoor = FrontDoor(
            services: services, accountId: configuration.accountId, region: configuration.region,
            credentials: configuration.credentials, sessionTokens: configuration.sessionTokens, metrics: metrics,
            endpoint: "http://\(configuration.host):\(configuration.port)", logger: logger,
            clock: configuration.clock)
    }

    /// A server whose requests act in their own partition (account and region).
    public init(configuration: StackConfiguration, partitions: StackPartitions,
                extensions: [any StackRouteExtension] = [], metrics: StackMetrics = StackMetrics(),
                logger: Logger = Logger(label: "signalbox.stack")) {
        self.configuration = configuration
        self.services = partitions.defaultServices.services
        self.extensions = extensions
        self.logger = logger
        self.frontDoor = FrontDoor(
            partitions: partitions, credentials: configuration.credentials, sessionTokens: configuration.sessionTokens,
            accounts: configuration.accounts, metrics: metrics,
            endpoint: "http://\(configuration.host):\(configuration.port)", logger: logger,
            clock: configuration.clock)
    }

    /// Serves until cancelled or, with `handleSignals`, until SIGTERM or SIGINT arrives (graceful
    /// shutdown: in-flight requests finish). `onListening` receives the bound port (useful with
    /// port 0) after the endpoint is set, before the first request is accepted.
    /// How long a new connection may stay silent before its first request; the graceful
    /// shutdown closes such connections at once.
    static let firstRequestTimeout: TimeAmount = .seconds(60)

    public func run(handleSignals: Bool = false,
                    onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: StackRequestContext.self)
        for routeExtension in extensions { routeExtension.addRoutes(to: router) }
        let responder = StackResponder(
            frontDoor: frontDoor, maximumBodyBytes: configuration.maximumBodyBytes,
            fallback: router.buildResponder())
        let frontDoor = self.frontDoor
        let host = configuration.host
        let webSocketResponder = router.buildResponder()
        let silent = SilentConnections()
        let app = Application(
            responder: responder,
            // HTTP/1 with the stream's WebSocket upgrade, behind a guard that closes connections
            // which never send a request (they held the graceful shutdown open for ever).
            server: HTTPServerBuilder { responder in
                SilentConnectionGuard(inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                                          configuration: .init()),
                                      firstRequestTimeout: StackServer.firstRequestTimeout, silent: silent)
            },
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shownHost = host.contains(":") ? "[\(host)]" : host
                frontDoor.endpoint = "http://\(shownHost):\(port)"
                await onListening(port)
            },
            logger: logger)
        // Observe the shutdown signals beside Hummingbird's own handling (dispatch delivers a
        // signal to every source), to release long polls as soon as shutdown begins. A second
        // signal while the graceful shutdown is still waiting on busy clients exits at once:
        // everything acknowledged is already committed, so this is as safe as a crash.
        let signalsSeen = SignalTally()
        let signalSources: [any DispatchSourceSignal] = handleSignals ? [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN) // the sources below (and Hummingbird's) handle it
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { [frontDoor] in
                if signalsSeen.next() > 1 {
                    FileHandle.standardError.write(Data(
                        "signalbox serve: second signal during shutdown; exiting now (acknowledged data is committed)\n".utf8))
                    _exit(128 + number)
                }
                silent.beginClosing()
                Task { await frontDoor.beginShutdown() }
            }
            source.resume()
            return source
        } : []
        defer { signalSources.forEach { $0.cancel() } }
        // Cancelled (an embedding task, a test's server stopping): the graceful shutdown begins.
        try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Background work may also finish early (a service with none returns at once):
                // only the server finishing (signal or error) ends the stack, and then it ends
                // the background work too.
                let frontDoor = self.frontDoor
                group.addTask { await frontDoor.runBackground() }
                defer { group.cancelAll() }
                if handleSignals { try await app.runService() } else { try await app.run() }
            }
        } onCancel: {
            silent.beginClosing()
        }
    }
}

/// Answers every request: the AWS front door for `POST`, health and metrics, else the router.
struct StackResponder<Fallback: HTTPResponder>: HTTPResponder where Fallback.Context == StackRequestContext {
    typealias Context = StackRequestContext
    let frontDoor: FrontDoor
    let maximumBodyBytes: Int
    let fallback: Fallback

    func respond(to request: Request, context: StackRequestContext) async throws -> Response {
        let path = request.uri.path
        if request.method == .post, !path.hasPrefix("/_signalbox/") {
            return await awsRequest(request)
        }
        if request.method == .get, path == ExtensionPaths.health {
            return Self.text(200, HealthAnswer(services: frontDoor.services.keys.sorted()).json.serialized,
                             contentType: "application/json")
        }
        if request.method == .get, path == "/metrics" {
            frontDoor.metrics.update(gauges: await frontDoor.gaugeReadings())
            return Self.text(200, frontDoor.metrics.exposition(), contentType: "text/plain; version=0.0.4")
        }
        return try await fallback.respond(to: request, context: context)
    }

    private func awsRequest(_ request: Request) async -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maximumBodyBytes)
        } catch let error where Self.isTooLarge(error) {
            let aws = AWSError.requestTooLarge(limit: maximumBodyBytes)
            return FrontDoorResponse(
                status: aws.status, headers: [("Content-Type", "application/x-amz-json-1.0")],
                body: AWSJSONCodec.encodeBody(aws.body)).httpResponse
        } catch {
            // The peer went away mid-body: nothing was handled, nothing changed.
            return Self.text(400, "incomplete request body", contentType: "text/plain")
        }
        return await frontDoor.respond(to: FrontDoorRequest(request, body: Array(buffer: body))).httpResponse
    }

    static func isTooLarge(_ error: any Error) -> Bool {
        if error is NIOTooManyBytesError { return true }
        if let error = error as? HTTPError { return error.status == .contentTooLarge }
        return false
    }

    static func text(_ status: Int, _ text: String, contentType: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: contentType],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension FrontDoorResponse {
    /// As Hummingbird sends it.
    var httpResponse: Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            // HTTPTypes' field type, reached through HTTPFields (Hummingbird re-exports only that).
            if let field = HTTPFields.Element.Name(name) { fields.append(HTTPFields.Element(name: field, value: value)) }
        }
        return Response(status: .init(code: status), headers: fields,
                         body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension FrontDoorRequest {
    /// A Hummingbird request as the front door (and the signature check) reads it.
    init(_ request: Request, body: [UInt8]) {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count + 1)
        // HTTPTypes keeps Host as the request's authority, not among the fields; SigV4 signs it.
        if let authority = request.head.authority { headers.append(("host", authority)) }
        for field in request.headers { headers.append((field.name.canonicalName, field.value)) }
        self.init(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                  headers: headers, body: body)
    }
}

/// An AWS error answered by a route outside the front door (the stream's upgrade), in the same
/// shape: JSON `__type` and `message`, AWS's status, a request id.
struct AWSErrorResponse: HTTPResponseError {
    let error: AWSError

    init(_ error: AWSError) { self.error = error }

    var status: HTTPResponse.Status { .init(code: error.status) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        FrontDoorResponse(
            status: error.status,
            headers: [("Content-Type", AWSJSONVersion.v1_1.contentType), ("x-amzn-RequestId", RandomIdentifier.uuid())],
            body: AWSJSONCodec.encodeBody(error.body)).httpResponse
    }
}

/// Counts the shutdown signals a server received: the second one forces the exit.
final class SignalTally: Sendable {
    private let count = Mutex(0)

    /// Records one more signal and returns how many there have been.
    func next() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}
