import StackProtocol

/// The board's rules for untrusted text: names that appear in URLs and on operators'
/// terminals, and the free text (reason, actor) stored in the audit trail.
enum BreakerBoardText {
    static let maximumNameLength = 128
    static let maximumReasonLength = 512
    static let maximumActorLength = 128
    static let defaultActor = "operator"

    /// A service or dependency name: 1–128 characters of `[A-Za-z0-9._-]`.
    static func validateName(_ name: String, field: String) throws(BreakerBoardError) {
        if name.isEmpty { throw .validation("\(field) must not be empty") }
        let count = name.unicodeScalars.count
        if count > maximumNameLength {
            throw .validation("\(field) must be at most \(maximumNameLength) characters, got \(count)")
        }
        if let bad = name.unicodeScalars.first(where: { !isNameScalar($0) }) {
            throw .validation("\(field) may only contain A-Z a-z 0-9 . _ -; found \(describe(bad)) in '\(excerpt(name))'")
        }
    }

    /// Free text: length-limited and free of control characters (C0, DEL, C1, line/paragraph
    /// separators), so an audit entry reads the same on every terminal.
    static func validateText(_ text: String, field: String, maximum: Int) throws(BreakerBoardError) {
        let count = text.unicodeScalars.count
        if count > maximum { throw .validation("\(field) must be at most \(maximum) characters, got \(count)") }
        if let bad = text.unicodeScalars.first(where: isControl) {
            throw .validation("\(field) must not contain control character \(describe(bad))")
        }
    }

    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool { UntrustedText.isControl(scalar) }

    /// `'x'` for printable characters, `U+001B` for the others.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        if isControl(scalar) || scalar == " " {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "'\(scalar)'"
    }

    /// The start of an offending value for an error message, with controls shown as `?`.
    static func excerpt(_ text: String) -> String { UntrustedText.excerpt(text) }
}
