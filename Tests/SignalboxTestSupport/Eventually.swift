import Timekeeping

/// A wait that ran out: what was awaited, and the last error the probe threw, if any.
public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var description: String { "timed out waiting for \(what)" }

    public init(what: String) { self.what = what }
}

/// Polls `probe` until it returns a value, for up to `limit` (generous: the machine is slow and
/// shared; the limit is a failure detector, not a speed assertion — no test asserts how long
/// anything took). A probe that throws (the resource is not there yet) counts as "not yet";
/// the last error is reported on timeout.
public func eventually<T: Sendable>(_ what: String, limit: Duration = .seconds(90),
                                    every interval: Duration = .milliseconds(300),
                                    isolation: isolated (any Actor)? = #isolation,
                                    _ probe: () async throws -> T?) async throws -> T {
    let clock = SystemClock()
    let deadline = clock.now + limit
    var lastError: (any Error)?
    while clock.now < deadline {
        do {
            if let value = try await probe() { return value }
        } catch {
            lastError = error
        }
        try await clock.sleep(for: interval)
    }
    throw TimedOut(what: what + (lastError.map { " (last error: \($0))" } ?? ""))
}
