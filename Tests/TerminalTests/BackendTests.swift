import Foundation
import Testing
@testable import Terminal

/// The real ncurses backend, headless (newterm on files): what it draws can be read back, and
/// an unchanged frame writes nothing.
@Suite(.serialized) struct BackendTests {
    @Test func drawsCellsAndSkipsUnchangedFrames() throws {
        let out = tmpfile()!, input = fopen("/dev/null", "r")!
        defer { fclose(out); fclose(input) }
        let backend = try NcursesBackend(output: .headless(terminalType: "xterm-256color", size: Size(columns: 40, rows: 6),
                                                            output: out, input: input))
        defer { backend.stop() }
        backend.apply(styles: [.text: Style(foreground: .rgb(200, 200, 200))])
        #expect(backend.size == Size(columns: 40, rows: 6))
        #expect(backend.colorDepth == .indexed256)

        var frame = CellBuffer(size: backend.size)
        frame.put("在庫 ok \u{1B}[2J", x: 1, y: 2, role: .text)
        backend.present(frame)
        fflush(out)
        let afterFirst = ftell(out)
        #expect(backend.cellText(x: 1, y: 2) == "在")
        #expect(backend.cellText(x: 3, y: 2) == "庫")
        #expect(backend.cellText(x: 6, y: 2) == "o")
        #expect(backend.cellText(x: 9, y: 2) == "\\")

        backend.present(frame)
        fflush(out)
        if ftell(out) != afterFirst {
            fseek(out, afterFirst, SEEK_SET)
            var extra = [UInt8](repeating: 0, count: 64)
            let n = fread(&extra, 1, 64, out)
            Issue.record("an unchanged frame wrote \(Array(extra.prefix(n)))")
            fseek(out, 0, SEEK_END)
        }

        frame.put("X", x: 0, y: 0, role: .text)
        backend.present(frame)
        fflush(out)
        let delta = ftell(out) - afterFirst
        #expect(delta > 0 && delta < 40)

        // Nothing raw reached the terminal: the only ESC bytes are ncurses' own sequences,
        // never the payload's clear-screen.
        rewind(out)
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        let count = fread(&bytes, 1, bytes.count, out)
        let written = String(decoding: bytes.prefix(count), as: UTF8.self)
        #expect(written.contains("\\x1b[2J"))
    }
}
