import Foundation
import JSON

/// Reads the `--auth FILE` credential list: access key id → secret access key, for temporary
/// keys the session token their requests must carry, and for keys that name one the account
/// their requests act in (others act in `--account-id`).
///
/// Two forms are accepted: a JSON object (`{"AKID": "secret"}`, or
/// `{"ASIA…": {"secret": "…", "sessionToken": "…", "account": "111122223333"}}`, with either
/// or both of the last two), or lines of `ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN] [ACCOUNT_ID]` (blank
/// lines and `#` comments ignored). A line's third field is the account when it is twelve
/// digits and nothing follows it, else the session token: a session token is never twelve
/// digits (STS issues hundreds of base64 characters), so the two cannot be mistaken.
public enum AuthFile {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// What the file grants: secrets by access key id, and session tokens for temporary keys.
    public struct Keys: Sendable, Hashable {
        public var secrets: [String: String]
        public var sessionTokens: [String: String]
        /// Access key id → account id, for keys that name one.
        public var accounts: [String: String]

        public init(secrets: [String: String] = [:], sessionTokens: [String: String] = [:],
                    accounts: [String: String] = [:]) {
            self.secrets = secrets
            self.sessionTokens = sessionTokens
            self.accounts = accounts
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
        var accounts: [String: String] = [:]
        if trimmed.hasPrefix("{") {
            let value: JSONValue
            do { value = try JSONValue(parsing: trimmed) } catch {
                throw Error(description: "\(source): not valid JSON: \(error)")
            }
            for (key, entry) in value.objectValue ?? [:] {
                if let fields = entry.objectValue {
                    let token = fields["sessionToken"], account = fields["account"]
                    // A plain key is a string: an object says more (a token, an account, or both).
                    guard let secret = fields["secret"]?.stringValue, !key.isEmpty, !secret.isEmpty,
                          token != nil || account != nil, token.map({ $0.stringValue.map { !$0.isEmpty } ?? false }) ?? true,
                          fields.keys.allSatisfy({ ["secret", "sessionToken", "account"].contains($0) }) else {
                        throw Error(description: "\(source): '\(key)' must be a secret string or {\"secret\": …, \"sessionToken\": …, \"account\": …} (one of the last two, or both)")
                    }
                    if let account {
                        guard let id = account.stringValue, StackPartition.isValidAccountId(id) else {
                            throw Error(description: "\(source): the account of '\(key)' must be a 12-digit account id string, got \(account.serialized)")
                        }
                        accounts[key] = id
                    }
                    secrets[key] = secret
                    sessionTokens[key] = token?.stringValue
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
                let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                let shape = "expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN] [ACCOUNT_ID]'"
                guard (2...4).contains(fields.count) else { throw Error(description: "\(source):\(number + 1): \(shape)") }
                let key = fields[0]
                secrets[key] = fields[1]
                var optional = fields.dropFirst(2)
                if let last = optional.last, StackPartition.isValidAccountId(last) {
                    accounts[key] = last
                    optional = optional.dropLast()
                } else if fields.count == 4 {
                    throw Error(description: "\(source):\(number + 1): the fourth field must be a 12-digit account id, got '\(fields[3])'")
                }
                if let token = optional.first { sessionTokens[key] = token }
            }
        }
        guard !secrets.isEmpty else { throw Error(description: "\(source): no credentials found") }
        return Keys(secrets: secrets, sessionTokens: sessionTokens, accounts: accounts)
    }
}
