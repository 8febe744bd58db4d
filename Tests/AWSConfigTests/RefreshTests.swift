@testable import AWSConfig
import Foundation
import StackClient
import Synchronization
import Testing
import Timekeeping
import Wire

/// A source that counts its fetches; its keys live `lifetime` seconds from the clock's now.
final class CountingSource: Sendable {
    private let state = Mutex((fetches: 0, failing: false))
    let clock: ManualClock
    let lifetime: TimeInterval

    init(clock: ManualClock, lifetime: TimeInterval) {
        self.clock = clock
        self.lifetime = lifetime
    }

    var fetches: Int { state.withLock { $0.fetches } }
    func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }

    func fetch() throws(StackClientError) -> TemporaryCredentials {
        let (count, failing) = state.withLock { state -> (Int, Bool) in
            if !state.failing { state.fetches += 1 }
            return (state.fetches, state.failing)
        }
        if failing { throw .credentials("STS is unreachable") }
        return TemporaryCredentials(AWSCredentials(accessKeyId: "ASIA\(count)", secretAccessKey: "s", sessionToken: "t\(count)"),
                                    expiration: clock.wallClockNow.date.addingTimeInterval(lifetime))
    }
}

@Suite("Temporary credentials refresh before they expire (injected clock)")
struct RefreshTests {
    @Test("one-hour keys are kept for 50 minutes, then fetched again before any call signs with them")
    func refreshesAheadOfExpiry() async throws {
        let clock = ManualClock()
        let source = CountingSource(clock: clock, lifetime: 3600)
        let keys = RefreshingCredentials(initial: try source.fetch(), clock: clock) { () throws(StackClientError) in
            try source.fetch()
        }
        #expect(try await keys.credentials().accessKeyId == "ASIA1")
        clock.advance(by: .seconds(49 * 60))
        #expect(try await keys.credentials().accessKeyId == "ASIA1")
        clock.advance(by: .seconds(61))
        #expect(try await keys.credentials().accessKeyId == "ASIA2")
        #expect(source.fetches == 2)
        #expect(await keys.refreshCount == 1)
    }

    @Test("a failed refresh keeps the still-valid keys and tries again; after expiry the failure is the caller's")
    func failedRefresh() async throws {
        let clock = ManualClock()
        let source = CountingSource(clock: clock, lifetime: 3600)
        let keys = RefreshingCredentials(initial: try source.fetch(), clock: clock) { () throws(StackClientError) in
            try source.fetch()
        }
        source.fail(true)
        clock.advance(by: .seconds(55 * 60))
        #expect(try await keys.credentials().accessKeyId == "ASIA1")
        clock.advance(by: .seconds(6 * 60))
        await #expect(throws: StackClientError.self) { try await keys.credentials() }
        source.fail(false)
        #expect(try await keys.credentials().accessKeyId == "ASIA2")
    }

    @Test("15-minute keys refresh at half their life, and many callers share one fetch")
    func shortLivedAndConcurrent() async throws {
        let clock = ManualClock()
        let source = CountingSource(clock: clock, lifetime: 900)
        let keys = RefreshingCredentials(initial: try source.fetch(), clock: clock) { () throws(StackClientError) in
            try source.fetch()
        }
        clock.advance(by: .seconds(449))
        #expect(try await keys.credentials().accessKeyId == "ASIA1")
        clock.advance(by: .seconds(2))
        let seen = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await keys.credentials().accessKeyId } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(seen == ["ASIA2"])
        #expect(source.fetches == 2)
    }
}
