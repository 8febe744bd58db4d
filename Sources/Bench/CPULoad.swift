import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The "cpu-load" area: not a figure, the viewers area's yardstick. It keeps
/// `SIGNALBOX_BENCH_LOAD` (a share of one core, default 0.25) busy until it is killed: in each
/// 10 ms period it spins until its own thread has used its share of the period in CPU time, then
/// sleeps out the rest. Counting CPU time, not wall time, keeps the share it takes close to the
/// share asked for while the two cores are contended, as a console's work per event would be.
/// With `SIGNALBOX_BENCH_LOAD_MB` (default 0) the spin writes through a buffer of that many
/// megabytes, a cache line at a time, instead of staying in registers: a load that also
/// competes for the caches and memory bandwidth the stack uses, as a program that parses and
/// allocates does.
enum CPULoad {
    static func run() async throws {
        let share = ViewersBench.loadShare
        let megabytes = ViewersBench.loadMegabytes
        var buffer = [UInt64](repeating: 0, count: max(8, megabytes * 131_072))
        var cursor = 0
        let period: Int64 = 10_000_000   // ns
        let busy = Int64(Double(period) * share)
        FileHandle.standardOutput.write(Data(String(format: "keeping %.0f%% of one core busy (through %d MB) until killed\n",
                                                    100 * share, megabytes).utf8))
        var sink: UInt64 = 0
        while true {
            let start = nanoseconds(CLOCK_MONOTONIC)
            let cpuStart = nanoseconds(CLOCK_THREAD_CPUTIME_ID)
            while nanoseconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart < busy {
                if megabytes > 0 {
                    buffer.withUnsafeMutableBufferPointer { words in
                        for _ in 0..<1_000 {
                            words[cursor] &+= 1
                            cursor = (cursor + 8) % words.count   // the next 64-byte line
                        }
                    }
                } else {
                    for step in 0..<1_000 { sink &+= UInt64(step) &* 2_654_435_761 }
                }
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
