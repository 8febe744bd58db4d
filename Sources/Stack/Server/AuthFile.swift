import Foundation
import JSON

/// Reads the `--auth FILE` credential list: access key id → secret access key.
///
/// Two forms are accepted: a JSON object (`{"AKID": "secret"}`), or lines of
/// `ACCESS_KEY_ID SECRET_ACCESS_KEY` (blank lines and `#` comments ignored).
public enum AuthFile {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(description: "cannot read auth file \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(_ text: String, source: String = "auth file") throws -> [String: String] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var secrets: [String: String] = [:]
        if trimmed.hasPrefix("{") {
            let value: JSONValue
            do { value = try JSONValue(parsing: trimmed) } catch {
                throw Error(description: "\(source): not valid JSON: \(error)")
            }
            for (key, secret) in value.objectValue ?? [:] {
                guard let secret = secret.stringValue, !key.isEmpty, !secret.isEmpty else {
                    throw Error(description: "\(source): the secret for '\(key)' must be a non-empty string")
                }
                secrets[key] = secret
            }
        } else {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let content = line.trimmingCharacters(in: .whitespaces)
                if content.isEmpty || content.hasPrefix("#") { continue }
                let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count == 2 else {
                    throw Error(description: "\(source):\(number + 1): expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY'")
                }
                secrets[String(fields[0])] = String(fields[1])
            }
        }
        guard !secrets.isEmpty else { throw Error(description: "\(source): no credentials found") }
        return secrets
    }
}
