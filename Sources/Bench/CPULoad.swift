import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The "cpu-load" area: not a figure, the viewers area's yardstick. It keeps
/// `SIGNALBOX_BENCH_LOAD` (a share of one core, default 0.25) busy until it is killed: in each
/// 10 ms period it spins until its own thread has used its share of the period in CPU time, then
/// sleeps out the rest. Counting CPU time, not wall time, keeps the share it takes close to the
/// share asked for while the two cores are contended, as a console's work per event would be.
enum CPULoad {
    static func run() async throws {
        let share = ViewersBench.loadShare
        let period: Int64 = 10_000_000   // ns
        let busy = Int64(Double(period) * share)
        FileHandle.standardOutput.write(Data(String(format: "keeping %.0f%% of one core busy until killed\n", 100 * share).utf8))
        var sink: UInt64 = 0
        while true {
            let start = nanoseconds(CLOCK_MONOTONIC)
            let cpuStart = nanoseconds(CLOCK_THREAD_CPUTIME_ID)
            while nanoseconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart < busy {
                for step in 0..<1_000 { sink &+= UInt64(step) &* 2_654_435_761 }
            }
            let rest = period - (nanoseconds(CLOCK_MONOTONIC) - start)
            if rest > 0 { usleep(UInt32(rest / 1_000)) }
            if sink == 1 { print("") }   // keeps the spin from being optimised away
        }
    }

    private static func nanoseconds(_ clock: clockid_t) -> Int64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
