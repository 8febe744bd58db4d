import Foundation
import Timekeeping

/// One instant as the provider's state machines see it. The values never read a clock: the
/// actor reads its `TimeSource` once per input and hands the moment in, so tests drive them
/// through any sequence of times without sleeping.
struct Moment: Sendable, Hashable {
    /// On the monotonic timeline, for gaps and deadlines (it never jumps).
    var instant: MonotonicInstant
    /// Wall-clock time, only for what people read (connected since, last seen, taken at).
    var date: Date

    init(instant: MonotonicInstant, date: Date) {
        self.instant = instant
        self.date = date
    }

    /// The clock's time now.
    init(_ clock: any TimeSource) {
        self.init(instant: clock.now, date: clock.wallClockNow.date)
    }
}
