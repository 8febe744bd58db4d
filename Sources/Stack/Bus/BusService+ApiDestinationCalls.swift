import GRDB
import JSON
import StackProtocol
import Timekeeping
import Wire

/// The HTTP dispatcher: makes the API-destination calls the outbox holds, and authorizes OAuth
/// connections. A call is never made inside a store transaction: PutEvents (and replays,
/// schedules, bus-to-bus hops) write the call to `eb_delivery` in their transaction, the
/// dispatcher makes it after the commit, and a second transaction records what came of it —
/// delivered (the row goes), retried per the target's RetryPolicy, or dead-lettered with AWS's
/// attributes — so an acknowledged event is never lost, and a crash mid-call makes the call
/// again at the next start (at-least-once, as AWS delivers).
///
/// Retried as AWS retries API destinations: timeouts (5 s), unreachable endpoints, and the
/// answers 401, 407, 409, 429 and 5xx; any other answer outside 2xx is final. A 401 or 407
/// from an OAuth connection's endpoint drops its token, so the retry fetches a new one.
/// Calls to one destination wait for its rate limiter (`InvocationRateLimitPerSecond`); none
/// is dropped for the limit.
extension BusService {
    /// One outbox row the dispatcher makes a call for. `tried`: a call was made before (the
    /// row has an error), so the next failure counts as a retry.
    struct PendingCall: Sendable {
        var delivery: PendingDelivery
        var tried: Bool
    }

    /// What one call came to.
    enum CallOutcome: Sendable {
        case delivered
        case failed(AWSError, retryable: Bool)
    }

    /// AWS's error code for an API destination that did not take the event.
    static let callErrorCode = "SDK_CLIENT_ERROR"

    static func callFailure(_ reason: String) -> AWSError {
        AWSError(code: callErrorCode, message: "Unable to invoke ApiDestination endpoint: \(reason)")
    }

    func runApiDestinationCalls() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                await authorizePendingConnections()
                let due = (try? await dueCalls()) ?? []
                for call in due { group.addTask { await self.make(call) } }
                if due.isEmpty { await httpCalls.waitForWork(timeout: retryInterval) }
            }
        }
    }

    /// The outbox rows due for a call that no call is making yet (claimed for the caller).
    func dueCalls(limit: Int = 200) async throws(AWSError) -> [PendingCall] {
        let now = clock.wallClockNow.milliseconds
        let skip = httpCalls.inFlightCount
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(PendingDelivery.columns), error_code FROM eb_delivery
                WHERE state = 'pending' AND next_at <= ? AND target_arn LIKE '%:api-destination/%'
                ORDER BY next_at, seq LIMIT ?
                """, arguments: [now, limit + skip]).compactMap { row -> PendingCall? in
                PendingDelivery(row).map { PendingCall(delivery: $0, tried: (row["error_code"] as String?) != nil) }
            }
        }
        let claimed = httpCalls.claim(rows.map(\.delivery.seq))
        return rows.filter { claimed.contains($0.delivery.seq) }
    }

    /// Makes one call and records its outcome. Cancelled (the stack stopping) before the call
    /// is made, the row stays as it was for the next start.
    func make(_ call: PendingCall) async {
        defer { httpCalls.release(call.delivery.seq) }
        guard let outcome = await invoke(call.delivery) else { return }
        try? await settle(call, outcome)
    }

    private func invoke(_ delivery: PendingDelivery) async -> CallOutcome? {
        let arn = delivery.target.arn
        guard let name = naming.apiDestinationName(fromArn: arn) else {
            return .failed(BusError.notFound("API destination \(arn) does not exist."), retryable: false)
        }
        let found = try? await store.read { db -> (StoredApiDestination, StoredConnection?)? in
            guard let destination = try StoredApiDestination.fetch(db, name: name) else { return nil }
            let connection = try self.naming.connectionName(fromArn: destination.connectionArn).flatMap {
                try StoredConnection.fetch(db, name: $0)
            }
            return (destination, connection)
        }
        guard let (destination, connection) = found ?? nil, apiDestinationArn(destination) == arn else {
            return .failed(BusError.notFound("API destination \(arn) does not exist."), retryable: true)
        }
        guard let connection, connectionArn(connection) == destination.connectionArn else {
            return .failed(Self.connectionNotFound(naming.connectionName(fromArn: destination.connectionArn) ?? destination.connectionArn),
                           retryable: true)
        }
        guard connection.state == "AUTHORIZED" || connection.state == "AUTHORIZING", let auth = connection.auth else {
            return .failed(Self.callFailure("Connection \(connection.name) is \(connection.state)."), retryable: true)
        }
        let wait = httpCalls.reserve(destination: arn, rate: destination.rateLimit, now: clock.now)
        if wait > .zero {
            do { try await clock.sleep(for: wait) } catch { return nil }
        }
        let connectionKey = connectionArn(connection)
        var token: String?
        if case .oauth(let oauth) = auth.credentials {
            token = httpCalls.token(connection: connectionKey, now: clock.now)
            if token == nil {
                switch await fetchToken(oauth, connection: connectionKey) {
                case .success(let fresh): token = fresh
                case .failure(let reason): return .failed(Self.callFailure(reason.message), retryable: true)
                }
            }
        }
        let request: ApiDestinationRequest
        do throws(ApiDestinationEndpoint.AddressError) {
            request = try ApiDestinationRequest.make(endpoint: destination.endpoint, method: destination.method, auth: auth,
                                                     bearerToken: token, target: delivery.target.httpParameters,
                                                     payload: delivery.payload)
        } catch {
            return .failed(AWSError(code: "INVALID_PARAMETER", message: "Unable to invoke ApiDestination endpoint: \(error.message)"),
                           retryable: false)
        }
        let exchange = await ApiDestinationCalls.send(request)
        // Stopping mid-call is not the endpoint's failure: the row stays for the next start.
        if Task.isCancelled { return nil }
        switch exchange {
        case .answered(let status, _) where (200..<300).contains(status):
            return .delivered
        case .answered(let status, _):
            if token != nil, status == 401 || status == 407 { httpCalls.forgetToken(connection: connectionKey) }
            let retryable = [401, 407, 409, 429].contains(status) || (500..<600).contains(status)
            return .failed(Self.callFailure("The endpoint answered HTTP \(status)."), retryable: retryable)
        case .timedOut:
            return .failed(Self.callFailure("Timeout calling endpoint for API Destination."), retryable: true)
        case .unreachable:
            return .failed(Self.callFailure("API destination endpoint cannot be reached."), retryable: true)
        }
    }

    /// Records a call's outcome in the outbox, then streams and counts it.
    private func settle(_ call: PendingCall, _ outcome: CallOutcome) async throws(AWSError) {
        let now = clock.wallClockNow.milliseconds
        let pending = call.delivery, event = call.delivery.event, deliverer = self.deliverer
        let result = try await store.write { db -> DeliveryOutcome? in
            guard try String.fetchOne(db, sql: "SELECT state FROM eb_delivery WHERE seq = ?", arguments: [pending.seq]) == "pending" else {
                return nil
            }
            switch outcome {
            case .delivered:
                try db.execute(sql: "DELETE FROM eb_delivery WHERE seq = ?", arguments: [pending.seq])
                return DeliveryOutcome(eventId: event.id, bus: event.bus, rule: pending.rule, targetId: pending.target.id,
                                       targetArn: pending.target.arn, status: .delivered)
            case .failed(let error, let retryable):
                let status = try deliverer.recordFailure(
                    db, event: event, rule: pending.rule, target: pending.target, payload: pending.payload,
                    attempts: call.tried ? pending.attempts + 1 : 0, firstAt: pending.firstAt, now: now, error: error,
                    existing: pending.seq, retryable: retryable)
                return DeliveryOutcome(eventId: event.id, bus: event.bus, rule: pending.rule, targetId: pending.target.id,
                                       targetArn: pending.target.arn, status: status, errorCode: error.code, errorMessage: error.message)
            }
        }
        guard let result else { return }
        if result.status == .deadLettered, let queues, let dlq = pending.target.deadLetterArn,
           case .queue(let name)? = BusTarget.kind(arn: dlq, naming: naming) {
            await queues.wakeReceivers([name])
        }
        counters.record(put: 0, failedEntries: 0, matched: 0, outcomes: [result])
        if let hub, hub.hasSubscribers(.events) { hub.publish(.delivery(result), subject: event.envelope) }
    }

    // MARK: OAuth

    struct TokenFailure: Error {
        var message: String
    }

    /// Asks the connection's authorization endpoint for a token and keeps it.
    func fetchToken(_ oauth: ConnectionAuth.OAuth, connection: String) async -> Result<String, TokenFailure> {
        let request: ApiDestinationRequest
        do throws(ApiDestinationEndpoint.AddressError) {
            request = try ApiDestinationRequest.tokenRequest(oauth)
        } catch {
            return .failure(TokenFailure(message: error.message))
        }
        switch await ApiDestinationCalls.send(request) {
        case .answered(let status, let body) where (200..<300).contains(status):
            guard let (token, lifetime) = ApiDestinationRequest.token(fromResponse: body) else {
                return .failure(TokenFailure(message: "The authorization endpoint's answer has no access_token."))
            }
            httpCalls.remember(token: token, lifetime: lifetime, connection: connection, now: clock.now)
            return .success(token)
        case .answered(let status, _):
            return .failure(TokenFailure(message: "The authorization endpoint answered HTTP \(status)."))
        case .timedOut:
            return .failure(TokenFailure(message: "Timeout calling the authorization endpoint."))
        case .unreachable:
            return .failure(TokenFailure(message: "The authorization endpoint cannot be reached."))
        }
    }

    /// Authorizes every connection left AUTHORIZING: AUTHORIZED with a token, DEAUTHORIZED
    /// with the reason otherwise. A connection changed meanwhile is left to its next pass.
    func authorizePendingConnections() async {
        let pending = (try? await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM eb_connection WHERE state = 'AUTHORIZING'").compactMap(StoredConnection.init)
        }) ?? []
        for connection in pending {
            let key = connectionArn(connection)
            var state = "DEAUTHORIZED", reason: String? = "The connection's OAuth parameters are incomplete."
            if case .oauth(let oauth)? = connection.auth?.credentials {
                switch await fetchToken(oauth, connection: key) {
                case .success: (state, reason) = ("AUTHORIZED", nil)
                case .failure(let failure): reason = failure.message
                }
            }
            let now = clock.wallClockNow.milliseconds
            let (newState, newReason) = (state, reason)
            _ = try? await store.write { db in
                try db.execute(sql: """
                    UPDATE eb_connection SET state = ?, state_reason = ?,
                      authorized_at = CASE WHEN ? = 'AUTHORIZED' THEN ? ELSE authorized_at END
                    WHERE name = ? AND state = 'AUTHORIZING' AND modified_at = ?
                    """, arguments: [newState, newReason, newState, now, connection.name, connection.modifiedAt])
            }
        }
    }
}
