import CAllocatorSupport
import Foundation

/// The C allocator's memory, looked at once a second from the terminal thread (issue #15,
/// "memory bounded by the ring").
///
/// Report: with `SIGNALBOX_MALLOC_STATS=PATH` the console rewrites PATH each second with what the
/// allocator holds, so a bench can tell memory the console uses from memory glibc keeps after it
/// was freed — a resident size lumps them together. One line of `name=value` pairs: `in_use`
/// (bytes allocated and not freed, mmapped blocks included), `free_held` (bytes freed and kept),
/// `mmapped`. Without glibc (or the variable) nothing is written.
struct AllocatorReport {
    static let reportVariable = "SIGNALBOX_MALLOC_STATS"

    /// Where the report goes; nil: no report.
    let reportPath: String?
    private var lastSecond: Int64 = .min

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        reportPath = environment[Self.reportVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Writes the report for `second` (a wall-clock second) when that second was not done yet.
    mutating func writeIfDue(second: Int64) {
        guard second != lastSecond else { return }
        lastSecond = second
        guard let reportPath else { return }
        var figures = sb_allocator_figures()
        guard sb_allocator_read(&figures) else { return }
        let line = "in_use=\(figures.in_use) free_held=\(figures.free_held) mmapped=\(figures.mmapped)\n"
        // Atomically: a reader never sees half a line.
        try? Data(line.utf8).write(to: URL(fileURLWithPath: reportPath), options: .atomic)
    }
}
