import Testing
import Timekeeping
@testable import Terminal

@Suite struct KeyDecoderTests {
    typealias C = KeyDecoder.Code

    @Test func ncursesKeyCodes() {
        #expect(KeyDecoder.decode(C.up, isKeyCode: true) == .up)
        #expect(KeyDecoder.decode(C.down, isKeyCode: true) == .down)
        #expect(KeyDecoder.decode(C.left, isKeyCode: true) == .left)
        #expect(KeyDecoder.decode(C.right, isKeyCode: true) == .right)
        #expect(KeyDecoder.decode(C.home, isKeyCode: true) == .home)
        #expect(KeyDecoder.decode(C.end, isKeyCode: true) == .end)
        #expect(KeyDecoder.decode(C.pageUp, isKeyCode: true) == .pageUp)
        #expect(KeyDecoder.decode(C.pageDown, isKeyCode: true) == .pageDown)
        #expect(KeyDecoder.decode(C.backTab, isKeyCode: true) == .backTab)
        #expect(KeyDecoder.decode(C.backspace, isKeyCode: true) == .backspace)
        #expect(KeyDecoder.decode(C.resize, isKeyCode: true) == .resize)
        #expect(KeyDecoder.decode(C.f0 + 1, isKeyCode: true) == .function(1))
        #expect(KeyDecoder.decode(C.f0 + 12, isKeyCode: true) == .function(12))
        #expect(KeyDecoder.decode(0o777, isKeyCode: true) == nil)
    }

    @Test func plainCharactersAndControls() {
        #expect(KeyDecoder.decode(0x1B, isKeyCode: false) == .escape)
        #expect(KeyDecoder.decode(0x09, isKeyCode: false) == .tab)
        #expect(KeyDecoder.decode(0x0D, isKeyCode: false) == .enter)
        #expect(KeyDecoder.decode(0x0A, isKeyCode: false) == .enter)
        #expect(KeyDecoder.decode(0x7F, isKeyCode: false) == .backspace)
        #expect(KeyDecoder.decode(0x03, isKeyCode: false) == .ctrl("c"))
        #expect(KeyDecoder.decode(0x12, isKeyCode: false) == .ctrl("r"))
        #expect(KeyDecoder.decode(0x71, isKeyCode: false) == .character("q"))
        #expect(KeyDecoder.decode(0x6CE8, isKeyCode: false) == .character("注"))
        #expect(KeyDecoder.decode(0x1C, isKeyCode: false) == nil)
    }

    @Test func keySpellingsRoundTrip() {
        for key: Key in [.ctrl("c"), .function(5), .pageDown, .backTab, .enter, .character("q"), .escape, .home] {
            #expect(Key(spec: key.description) == key, "\(key)")
        }
        #expect(Key(spec: "Space") == .character(" "))
        #expect(Key(spec: "ctrl-") == nil)
        #expect(Key(spec: "F13") == nil)
        #expect(Key(spec: "\u{1B}") == nil)
    }
}

@Suite struct ResizeDebouncerTests {
    @Test func burstOfResizesAppliesOnceAfterQuiet() {
        var debouncer = ResizeDebouncer(quietPeriod: .milliseconds(60))
        let start = MonotonicInstant(nanosecondsSinceOrigin: 0)
        var applied: [Int] = []
        func ask(_ ms: Int) -> Bool {
            let due = debouncer.shouldApply(at: start + .milliseconds(ms))
            if due { applied.append(ms) }
            return due
        }
        _ = ask(0)
        for step in 0..<20 {
            debouncer.noteResize(at: start + .milliseconds(step * 10))
            _ = ask(step * 10 + 5)
        }
        #expect(applied.isEmpty, "no redraw while the window is dragged")
        #expect(debouncer.timeUntilDue(at: start + .milliseconds(190)) == .milliseconds(60))
        _ = ask(249)
        #expect(applied.isEmpty)
        _ = ask(250)
        _ = ask(400)
        #expect(applied == [250], "exactly one re-layout, once the size settled")
        #expect(!debouncer.isPending)
    }
}

@Suite struct ColorTests {
    @Test func loweringFollowsCapability() {
        let orange = Color.rgb(255, 135, 0)
        #expect(orange.lowered(to: .truecolor) == orange)
        #expect(orange.lowered(to: .indexed256) == .indexed(208))
        #expect(Color.rgb(250, 10, 10).lowered(to: .ansi16) == .ansi(9))
        #expect(Color.indexed(196).lowered(to: .ansi16) == .ansi(9))
        #expect(orange.lowered(to: .none) == nil)
        #expect(Color.terminalDefault.lowered(to: .ansi16) == .terminalDefault)
    }

    @Test func depthDetection() {
        #expect(ColorDepth.detect(colors: 256, hasColors: true, noColor: false) == .indexed256)
        #expect(ColorDepth.detect(colors: 16_777_216, hasColors: true, noColor: false) == .truecolor)
        #expect(ColorDepth.detect(colors: 8, hasColors: true, noColor: false) == .ansi16)
        #expect(ColorDepth.detect(colors: 256, hasColors: true, noColor: true) == ColorDepth.none)
        #expect(ColorDepth.detect(colors: 0, hasColors: false, noColor: false) == ColorDepth.none)
    }
}
