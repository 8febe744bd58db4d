import Foundation
import JSON

/// Reads the `--auth FILE` credential list: access key id → secret access key, and for
/// temporary keys the session token their requests must carry.
///
/// Two forms are accepted: a JSON object (`{"AKID": "secret"}`, or
/// `{"ASIA…": {"secret": "…", "sessionToken": "…"}}`), or lines of
/// `ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN]` (blank lines and `#` comments ignored).
public enum AuthFile {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// What the file grants: secrets by access key id, and session tokens for temporary keys.
    public struct Keys: Sendable, Hashable {
        public var secrets: [String: String]
        public var sessionTokens: [String: String]

        public init(secrets: [String: String] = [:], sessionTokens: [String: String] = [:]) {
            self.secrets = secrets
            self.sessionTokens = sessionTokens
        }
    }

    public static func load(path: String) throws -> Keys {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(description: "cannot read auth file \(path)")
        }
        return try parseKeys(String(decoding: data, as: UTF8.self), source: path)
    }

    /// The secrets alone.
    public static func parse(_ text: String, source: String = "auth file") throws -> [String: String] {
        try parseKeys(text, source: source).secrets
    }

    public static func parseKeys(_ text: String, source: String = "auth file") throws -> Keys {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var secrets: [String: String] = [:]
        var sessionTokens: [String: String] = [:]
        if trimmed.hasPrefix("{") {
            let value: JSONValue
            do { value = try JSONValue(parsing: trimmed) } catch {
                throw Error(description: "\(source): not valid JSON: \(error)")
            }
            for (key, entry) in value.objectValue ?? [:] {
                if let fields = entry.objectValue {
                    guard let secret = fields["secret"]?.stringValue, !key.isEmpty, !secret.isEmpty,
                          let token = fields["sessionToken"]?.stringValue, !token.isEmpty,
                          fields.keys.allSatisfy({ ["secret", "sessionToken"].contains($0) }) else {
                        throw Error(description: "\(source): '\(key)' must be a secret string or {\"secret\": …, \"sessionToken\": …}")
                    }
                    secrets[key] = secret
                    sessionTokens[key] = token
                    continue
                }
                guard let secret = entry.stringValue, !key.isEmpty, !secret.isEmpty else {
                    throw Error(description: "\(source): the secret for '\(key)' must be a non-empty string")
                }
                secrets[key] = secret
            }
        } else {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let content = line.trimmingCharacters(in: .whitespaces)
                if content.isEmpty || content.hasPrefix("#") { continue }
                let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count == 2 || fields.count == 3 else {
                    throw Error(description: "\(source):\(number + 1): expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN]'")
                }
                secrets[String(fields[0])] = String(fields[1])
                if fields.count == 3 { sessionTokens[String(fields[0])] = String(fields[2]) }
            }
        }
        guard !secrets.isEmpty else { throw Error(description: "\(source): no credentials found") }
        return Keys(secrets: secrets, sessionTokens: sessionTokens)
    }
}
