import Foundation
import StackClient

/// The AWS CLI's two shared files, read into profiles the way botocore merges them:
/// `~/.aws/config` (`[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`) and
/// `~/.aws/credentials` (`[NAME]`), whose settings win over the config file's for a profile.
public struct AWSSharedConfig: Sendable, Hashable {
    /// Profiles from the config file, by name (`[profile dev]` → `dev`).
    public var configProfiles: [String: [String: INIFile.Value]] = [:]
    /// Profiles from the credentials file, by name.
    public var credentialProfiles: [String: [String: INIFile.Value]] = [:]
    public var ssoSessions: [String: [String: INIFile.Value]] = [:]
    public var servicesSections: [String: [String: INIFile.Value]] = [:]
    public var configPath: String
    public var credentialsPath: String

    public init(configPath: String = "~/.aws/config", credentialsPath: String = "~/.aws/credentials") {
        self.configPath = configPath
        self.credentialsPath = credentialsPath
    }

    /// Builds from the files' texts (nil: the file does not exist). Pure.
    public init(configText: String?, credentialsText: String?, configPath: String,
                credentialsPath: String) throws(StackClientError) {
        self.init(configPath: configPath, credentialsPath: credentialsPath)
        if let configText {
            for (section, keys) in try Self.parse(configText, path: configPath).sections {
                if section == "default" {
                    configProfiles["default", default: [:]].merge(keys) { _, new in new }
                } else if let name = Self.named(section, prefix: "profile") {
                    // `[profile default]` and `[default]` are one profile; the prefixed one wins.
                    configProfiles[name, default: [:]].merge(keys) { _, new in new }
                } else if let name = Self.named(section, prefix: "sso-session") {
                    ssoSessions[name] = keys
                } else if let name = Self.named(section, prefix: "services") {
                    servicesSections[name] = keys
                }
                // Other sections are ignored, as botocore ignores them.
            }
        }
        if let credentialsText {
            credentialProfiles = try Self.parse(credentialsText, path: credentialsPath).sections
        }
    }

    /// Reads the files where the environment says they are (`AWS_CONFIG_FILE`,
    /// `AWS_SHARED_CREDENTIALS_FILE`, else under `$HOME/.aws`). A missing file is no error.
    public static func load(environment: [String: String]) throws(StackClientError) -> AWSSharedConfig {
        let configPath = expand(environment["AWS_CONFIG_FILE"].nonEmpty ?? "~/.aws/config", environment)
        let credentialsPath = expand(environment["AWS_SHARED_CREDENTIALS_FILE"].nonEmpty ?? "~/.aws/credentials",
                                     environment)
        return try AWSSharedConfig(configText: read(configPath), credentialsText: read(credentialsPath),
                                   configPath: configPath, credentialsPath: credentialsPath)
    }

    /// Whether either file names the profile.
    public func hasProfile(_ name: String) -> Bool {
        configProfiles[name] != nil || credentialProfiles[name] != nil
    }

    /// A profile's plain settings, the credentials file's winning over the config file's.
    public func profile(_ name: String) -> [String: String] {
        var merged: [String: String] = [:]
        for (key, value) in configProfiles[name] ?? [:] { if let text = value.text { merged[key] = text } }
        for (key, value) in credentialProfiles[name] ?? [:] { if let text = value.text { merged[key] = text } }
        return merged
    }

    /// `[sso-session NAME]`'s plain settings, if the section exists.
    public func ssoSession(_ name: String) -> [String: String]? {
        ssoSessions[name].map { $0.compactMapValues(\.text) }
    }

    private static func named(_ section: String, prefix: String) -> String? {
        guard section.hasPrefix(prefix + " ") else { return nil }
        let name = section.dropFirst(prefix.count + 1).trimmingSpaces
        return name.isEmpty ? nil : name
    }

    private static func parse(_ text: String, path: String) throws(StackClientError) -> INIFile {
        do {
            return try INIFile(parsing: text)
        } catch {
            throw .credentials("\(path): \(error)")
        }
    }

    private static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `~/…` against `$HOME`, as the CLI expands these paths.
    static func expand(_ path: String, _ environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"].nonEmpty else { return path }
        return home + path.dropFirst()
    }
}

extension Optional<String> {
    /// The value unless it is missing or empty (an empty variable counts as unset, as in the SDKs).
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
