import Foundation
import Testing
import Terminal

/// Golden text frames: a rendered frame must match `Golden/NAME.txt` exactly. To re-record on
/// purpose (after an intended change), run the tests with SIGNALBOX_RECORD_GOLDEN=1 and review
/// the diff of Tests/ConsoleTests/Golden before committing.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static var recording: Bool { ProcessInfo.processInfo.environment["SIGNALBOX_RECORD_GOLDEN"] == "1" }

    static func check(_ buffer: CellBuffer, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let actual = buffer.textLines().joined(separator: "\n") + "\n"
        let url = directory.appendingPathComponent(name + ".txt")
        if recording {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden \(name).txt — run with SIGNALBOX_RECORD_GOLDEN=1 to record it", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
            Issue.record("""
                frame differs from golden \(name).txt at line \(first + 1)
                expected: \(first < e.count ? String(e[first]) : "<end>")
                actual:   \(first < a.count ? String(a[first]) : "<end>")
                (SIGNALBOX_RECORD_GOLDEN=1 re-records after an intended change)
                """, sourceLocation: sourceLocation)
        }
    }
}
