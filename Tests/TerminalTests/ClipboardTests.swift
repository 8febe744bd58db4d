import Foundation
@testable import Terminal
import Testing

@Suite struct ClipboardTests {
    @Test("base64 as RFC 4648 writes it, padding included; the OSC 52 sequence wraps it")
    func base64() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar", "ünï\u{1B}"] {
            #expect(Clipboard.base64(Array(text.utf8)) == Data(text.utf8).base64EncodedString())
        }
        #expect(Clipboard.sequence(for: "{}") == "\u{1B}]52;c;e30=\u{07}")
    }
}
