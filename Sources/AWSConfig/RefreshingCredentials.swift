import Foundation
import StackClient
import Timekeeping
import Wire

/// Temporary credentials that fetch themselves again before they expire: any call made within
/// `refreshMargin` of the expiry first waits for new keys (one fetch however many callers ask).
/// If the fetch fails while the old keys still work, the old keys are used and the next call
/// tries again; once they have expired the failure is the caller's error.
public actor RefreshingCredentials: AWSCredentialProvider {
    /// botocore refreshes when 10 minutes or less remain (its "mandatory" window); credentials
    /// shorter-lived than twice that refresh at half their life.
    public static let defaultMargin: TimeInterval = 600

    private let fetch: @Sendable () async throws(StackClientError) -> TemporaryCredentials
    private let clock: any TimeSource
    private let refreshMargin: TimeInterval
    private var current: TemporaryCredentials
    private var issuedAt: Date
    private var refreshing: Task<Result<TemporaryCredentials, StackClientError>, Never>?
    /// How many times keys were fetched after the first (for tests and the status bar).
    public private(set) var refreshCount = 0

    public init(initial: TemporaryCredentials, refreshMargin: TimeInterval = RefreshingCredentials.defaultMargin,
                clock: any TimeSource = .system,
                fetch: @escaping @Sendable () async throws(StackClientError) -> TemporaryCredentials) {
        self.current = initial
        self.issuedAt = clock.wallClockNow.date
        self.refreshMargin = refreshMargin
        self.clock = clock
        self.fetch = fetch
    }

    public func credentials() async throws(StackClientError) -> AWSCredentials {
        let time = clock.wallClockNow.date
        guard let expiration = current.expiration, time >= refreshTime(expiration) else { return current.credentials }
        let task: Task<Result<TemporaryCredentials, StackClientError>, Never>
        if let running = refreshing {
            task = running
        } else {
            task = Task { [fetch] () -> Result<TemporaryCredentials, StackClientError> in
                do throws(StackClientError) { return .success(try await fetch()) } catch { return .failure(error) }
            }
            refreshing = task
        }
        let result = await task.value
        // The first caller to resume applies the result; the others read what it applied.
        if refreshing == task {
            refreshing = nil
            if case .success(let fresh) = result {
                current = fresh
                issuedAt = clock.wallClockNow.date
                refreshCount += 1
            }
        }
        if case .failure(let error) = result {
            guard let expiry = current.expiration, clock.wallClockNow.date < expiry else { throw error }
        }
        return current.credentials
    }

    /// When the current keys expire, if they do.
    public var expiration: Date? { current.expiration }

    private func refreshTime(_ expiration: Date) -> Date {
        let lifetime = expiration.timeIntervalSince(issuedAt)
        return expiration.addingTimeInterval(-min(refreshMargin, max(lifetime / 2, 0)))
    }
}
