import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization
import Timekeeping

/// What the HTTP dispatcher keeps in memory, and the HTTP exchange itself. Everything durable
/// (the calls to make, their attempts, the connections) is in the store; this holds only what
/// may be lost at a restart: which outbox rows have a call under way (a restart makes them
/// again: at-least-once), each destination's rate limiter, and each connection's OAuth token
/// (fetched again when missing).
final class ApiDestinationCalls: Sendable {
    struct Token: Sendable {
        var value: String
        var expiresAt: MonotonicInstant?
    }

    private struct State {
        var inFlight: Set<Int64> = []
        var limiters: [String: InvocationRateLimiter] = [:]
        var tokens: [String: Token] = [:]
    }

    private let state = Mutex(State())
    /// Parks the dispatcher between rounds; PutEvents and the connection calls wake it.
    private let board: WakeBoard
    private static let wakeKey = "api-destinations"

    init(clock: any TimeSource) {
        board = WakeBoard(clock: clock)
    }

    // MARK: Waking

    /// Returns when woken or after `timeout`.
    func waitForWork(timeout: Duration) async { await board.wait(queue: Self.wakeKey, timeout: timeout) }

    func wake() async { await board.signal(Self.wakeKey) }

    /// From a caller that cannot wait: a connection to authorize.
    func requestAuthorization() {
        Task { [board] in await board.signal(Self.wakeKey) }
    }

    // MARK: Calls under way

    /// Claims the outbox rows no call is making yet; returns those claimed.
    func claim(_ seqs: [Int64]) -> Set<Int64> {
        state.withLock { state in
            let fresh = Set(seqs).subtracting(state.inFlight)
            state.inFlight.formUnion(fresh)
            return fresh
        }
    }

    func release(_ seq: Int64) { _ = state.withLock { $0.inFlight.remove(seq) } }

    var inFlightCount: Int { state.withLock { $0.inFlight.count } }

    // MARK: Rate limits

    /// Takes a call's token from the destination's bucket (made, or made again, at `rate`);
    /// returns how long the call must wait.
    func reserve(destination: String, rate: Int, now: MonotonicInstant) -> Duration {
        state.withLock { state in
            var limiter = state.limiters[destination].flatMap { $0.ratePerSecond == rate ? $0 : nil }
                ?? InvocationRateLimiter(ratePerSecond: rate, now: now)
            let wait = limiter.reserve(now: now)
            state.limiters[destination] = limiter
            return wait
        }
    }

    // MARK: OAuth tokens

    /// The connection's token unless it is missing or expired.
    func token(connection: String, now: MonotonicInstant) -> String? {
        state.withLock { state in
            guard let token = state.tokens[connection] else { return nil }
            if let expiry = token.expiresAt, expiry <= now { return nil }
            return token.value
        }
    }

    /// Keeps a token until a little before the end of its lifetime.
    func remember(token: String, lifetime: Duration?, connection: String, now: MonotonicInstant) {
        let expiry = lifetime.map { now + ($0 > .seconds(60) ? $0 - .seconds(30) : $0) }
        state.withLock { $0.tokens[connection] = Token(value: token, expiresAt: expiry) }
    }

    /// Drops a connection's token: it changed, went away, or the endpoint refused the token.
    func forgetToken(connection: String) { _ = state.withLock { $0.tokens.removeValue(forKey: connection) } }

    // MARK: HTTP

    /// The client every call goes through: a refused connection fails at once instead of being
    /// retried until the deadline, and redirects are answers (a 3xx is not followed).
    /// Process-wide and never shut down, like AsyncHTTPClient's shared client.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(configuration: configuration)
    }()

    enum Exchange: Sendable, Equatable {
        case answered(status: Int, body: String)
        case timedOut
        case unreachable(String)
    }

    /// Makes one request, waiting at most five seconds for the whole answer (AWS's limit for an
    /// API destination); the answer's body is read up to 1 MiB.
    static func send(_ request: ApiDestinationRequest) async -> Exchange {
        var http = HTTPClientRequest(url: request.url)
        http.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { http.headers.add(name: header.key, value: header.value) }
        if let body = request.body { http.body = .bytes(ByteBuffer(string: body)) }
        do {
            let response = try await client.execute(http, timeout: .seconds(5))
            let buffer = try await response.body.collect(upTo: 1 << 20)
            return .answered(status: Int(response.status.code), body: String(buffer: buffer))
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            return .timedOut
        } catch {
            return .unreachable("\(error)")
        }
    }
}
