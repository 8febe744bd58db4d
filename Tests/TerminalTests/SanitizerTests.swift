import Testing
@testable import Terminal

@Suite struct SanitizerTests {
    @Test func plainTextPassesUnchanged() {
        #expect(Sanitizer.sanitize("orders-queue") == "orders-queue")
        #expect(Sanitizer.sanitize("注文サービス ✅") == "注文サービス ✅")
    }

    @Test func clearScreenSequenceBecomesVisible() {
        let out = Sanitizer.sanitize("a\u{1B}[2Jb")
        #expect(out == "a\\x1b[2Jb")
        #expect(!out.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test func osc52ClipboardWriteIsDefused() {
        let hostile = "\u{1B}]52;c;ZWNobyBwd25lZA==\u{07}"
        let out = Sanitizer.sanitize(hostile)
        #expect(out == "\\x1b]52;c;ZWNobyBwd25lZA==\\x07")
        #expect(!out.unicodeScalars.contains { Sanitizer.isUnsafe($0) })
    }

    @Test func c1ControlsAndDelBecomeVisible() {
        #expect(Sanitizer.sanitize("x\u{9B}31m\u{7F}") == "x\\x9b31m\\x7f")
        #expect(Sanitizer.sanitize("\u{85}") == "\\x85")
    }

    @Test func bidiOverridesBecomeVisible() {
        // "txt.exe" disguised as "exe.txt" with RIGHT-TO-LEFT OVERRIDE.
        let out = Sanitizer.sanitize("invoice\u{202E}txt.exe")
        #expect(out == "invoice\\u202etxt.exe")
        #expect(Sanitizer.sanitize("\u{2066}a\u{2069}") == "\\u2066a\\u2069")
    }

    @Test func nulAndNewlinesAreVisible() {
        #expect(Sanitizer.sanitize("a\u{0}b\nc\td\r") == "a\\x00b\\x0ac\\x09d\\x0d")
    }

    @Test func hundredKilobyteLineIsCut() {
        let long = String(repeating: "A", count: 100_000)
        let out = Sanitizer.sanitize(long)
        #expect(out.unicodeScalars.count == Sanitizer.defaultLimit + 1)
        #expect(out.hasSuffix("…"))
        let hostileLong = String(repeating: "\u{1B}[2J", count: 25_000)
        let cut = Sanitizer.sanitize(hostileLong)
        #expect(!cut.unicodeScalars.contains { $0.value == 0x1B })
        #expect(cut.unicodeScalars.count < 4 * Sanitizer.defaultLimit)
    }

    @Test func combiningMarksAndEmojiAreKept() {
        let text = "e\u{301} 👩‍💻 🇯🇵"
        #expect(Sanitizer.sanitize(text) == text)
    }
}
