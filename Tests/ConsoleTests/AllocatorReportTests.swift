import Foundation
import Testing
@testable import Console

@Suite struct AllocatorReportTests {
    /// The figures as the report file holds them.
    func figures(in path: String) throws -> [String: Int] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var values: [String: Int] = [:]
        for pair in text.split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            values[String(parts[0])] = parts.count == 2 ? Int(parts[1]) : nil
        }
        return values
    }

    @Test func withoutTheVariableThereIsNoReport() {
        #expect(AllocatorReport(environment: [:]).reportPath == nil)
        #expect(AllocatorReport(environment: [AllocatorReport.reportVariable: ""]).reportPath == nil)
    }

    @Test func reportsWhatTheAllocatorHoldsOncePerSecond() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-malloc-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var report = AllocatorReport(environment: [AllocatorReport.reportVariable: path])

        report.writeIfDue(second: 100)
        let before = try figures(in: path)
        let inUseBefore = try #require(before["in_use"])
        #expect(before["free_held"] != nil && before["mmapped"] != nil, "\(before)")

        // 64 MiB held across the next report: the figure in use must show it.
        let held = [UInt8](repeating: 1, count: 64 << 20)
        try FileManager.default.removeItem(atPath: path)
        report.writeIfDue(second: 100)
        #expect(!FileManager.default.fileExists(atPath: path), "the same second is not reported twice")
        report.writeIfDue(second: 101)
        let after = try #require(try figures(in: path)["in_use"])
        #expect(after >= inUseBefore + (48 << 20), "in use \(inUseBefore) → \(after) with 64 MiB held")
        #expect(held[held.count - 1] == 1)
    }
}
