import Testing
@testable import Terminal

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("a", 1), ("注", 2), ("ｱ", 1), ("Ａ", 2), ("한", 2), ("e\u{301}", 1), ("👍", 2), ("👩‍💻", 2),
        ("🇯🇵", 2), ("❤️", 2), ("✓", 1), ("─", 1), ("\u{200B}", 0), ("\u{301}", 0),
    ])
    func graphemeWidths(text: String, width: Int) {
        #expect(DisplayWidth.of(text) == width, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func japaneseServiceNameWidth() {
        #expect(DisplayWidth.of("在庫サービス") == 12)
        #expect(DisplayWidth.of("order-注文") == 10)
    }
}

@Suite struct CellBufferTests {
    func text(_ buffer: CellBuffer) -> [String] { buffer.textLines() }

    @Test func wideCharactersTakeTwoCellsAndAlign() {
        var buffer = CellBuffer(size: Size(columns: 12, rows: 2))
        buffer.put("在庫|", x: 0, y: 0, role: .text)
        buffer.put("ab|", x: 2, y: 1, role: .text)
        #expect(buffer[0, 0].text == "在")
        #expect(buffer[1, 0].isContinuation)
        #expect(buffer[4, 0].text == "|")
        #expect(text(buffer) == ["在庫|", "  ab|"])
    }

    @Test func truncationUsesEllipsisAndNeverSplitsAWideCharacter() {
        var buffer = CellBuffer(size: Size(columns: 10, rows: 3))
        let written = buffer.put("inventory-service", x: 0, y: 0, role: .text, maxWidth: 8)
        #expect(written == 8)
        #expect(text(buffer)[0] == "invento…")
        buffer.put("在庫サービス", x: 0, y: 1, role: .text, maxWidth: 6)
        #expect(text(buffer)[1] == "在庫…")
        buffer.put("ab在庫", x: 0, y: 2, role: .text, maxWidth: 3, ellipsis: false)
        #expect(text(buffer)[2] == "ab")
    }

    @Test func combiningMarksStayWithTheirBase() {
        var buffer = CellBuffer(size: Size(columns: 6, rows: 1))
        buffer.put("cafe\u{301}!", x: 0, y: 0, role: .text)
        #expect(buffer[3, 0].text == "e\u{301}")
        #expect(buffer[4, 0].text == "!")
    }

    @Test func emojiSequencesAreOneCellPair() {
        var buffer = CellBuffer(size: Size(columns: 8, rows: 1))
        buffer.put("👩‍💻x", x: 0, y: 0, role: .text)
        #expect(buffer[0, 0].text == "👩‍💻")
        #expect(buffer[1, 0].isContinuation)
        #expect(buffer[2, 0].text == "x")
    }

    @Test func writesAreClipped() {
        var buffer = CellBuffer(size: Size(columns: 10, rows: 3))
        buffer.clipped(to: Rect(x: 2, y: 1, width: 4, height: 1)) { b in
            b.put("abcdefgh", x: 0, y: 1, role: .text, ellipsis: false)
            b.put("zzz", x: 0, y: 0, role: .text)
        }
        #expect(text(buffer) == ["", "  cdef", ""])
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var buffer = CellBuffer(size: Size(columns: 6, rows: 1))
        buffer.put("在庫", x: 0, y: 0, role: .text)
        buffer.put("x", x: 1, y: 0, role: .text)
        #expect(text(buffer) == [" x庫"])
        buffer.put("y", x: 2, y: 0, role: .text)
        #expect(text(buffer) == [" xy"])
    }

    @Test func everyWriteIsSanitised() {
        var buffer = CellBuffer(size: Size(columns: 20, rows: 1))
        buffer.put("\u{1B}[2Jboom", x: 0, y: 0, role: .text)
        #expect(text(buffer) == ["\\x1b[2Jboom"])
        #expect(!buffer.cells.contains { $0.text.unicodeScalars.contains { Sanitizer.isUnsafe($0) } })
    }

    @Test func boxDrawsBordersAndTitle() {
        var buffer = CellBuffer(size: Size(columns: 12, rows: 3))
        buffer.box(buffer.bounds, role: .border, title: "Sagas")
        #expect(text(buffer) == ["┌─ Sagas ──┐", "│          │", "└──────────┘"])
        buffer.box(buffer.bounds, role: .borderFocus, title: "Sagas", heavy: true)
        #expect(text(buffer)[0] == "┏━ Sagas ━━┓")
    }

    @Test func unchangedFrameHasNoChanges() {
        var a = CellBuffer(size: Size(columns: 20, rows: 4))
        a.put("hello", x: 1, y: 1, role: .text)
        #expect(a.changes(since: a).isEmpty)
        var b = a
        b.put("j", x: 1, y: 1, role: .text)
        #expect(b.changes(since: a) == [CellBuffer.Run(y: 1, x: 1, count: 1)])
        #expect(b.changes(since: nil).count == 4)
    }

    @Test func changedWideCharacterRunIncludesBothHalves() {
        var a = CellBuffer(size: Size(columns: 6, rows: 1))
        a.put("ab", x: 0, y: 0, role: .text)
        var b = a
        b.put("在", x: 0, y: 0, role: .text)
        let runs = b.changes(since: a)
        #expect(runs == [CellBuffer.Run(y: 0, x: 0, count: 2)])
    }
}
