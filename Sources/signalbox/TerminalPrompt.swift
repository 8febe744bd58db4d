import Foundation
import StackClient

/// Asks the operator on the controlling terminal before the console takes it over (an MFA
/// code for a role with `mfa_serial`). Reads `/dev/tty`, so it works with stdin redirected.
enum TerminalPrompt {
    static let mfaCode: @Sendable (String) async throws(StackClientError) -> String = { serial throws(StackClientError) in
        guard let tty = FileHandle(forUpdatingAtPath: "/dev/tty") else {
            throw .credentials("the role needs a code from MFA device \(serial), but there is no terminal to ask on")
        }
        defer { try? tty.close() }
        tty.write(Data("Enter MFA code for \(serial): ".utf8))
        var line = [UInt8]()
        while let byte = try? tty.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { line.append(byte) }
        let code = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard code.count == 6, code.allSatisfy(\.isNumber) else {
            throw .credentials("an MFA code is six digits; got '\(code.count > 12 ? String(code.prefix(12)) + "…" : code)'")
        }
        return code
    }

    /// Asks a yes/no question on the terminal; only `y` or `yes` is yes. No terminal: no.
    static func confirm(_ question: String) -> Bool {
        guard let tty = FileHandle(forUpdatingAtPath: "/dev/tty") else { return false }
        defer { try? tty.close() }
        tty.write(Data((question + " [y/N] ").utf8))
        var line = [UInt8]()
        while let byte = try? tty.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { line.append(byte) }
        let answer = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return answer == "y" || answer == "yes"
    }
}
