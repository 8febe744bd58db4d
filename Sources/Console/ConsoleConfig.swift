import Foundation
import SagaTimeline
import Terminal
import TOMLKit

/// Where the console keeps its files, following the XDG base directory convention.
public enum ConsolePaths {
    /// `$XDG_CONFIG_HOME/signalbox`, else `~/.config/signalbox`.
    public static var configDirectory: String? {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/signalbox" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/signalbox" }
        return nil
    }

    public static var configFile: String? { configDirectory.map { $0 + "/config.toml" } }
}

/// A named endpoint from the configuration file.
public struct EndpointConfig: Sendable, Hashable {
    public var name: String
    /// nil: AWS itself (the profile's endpoint overrides, else AWS's own endpoints).
    public var url: String?
    public var region: String?
    public var profile: String?
    /// A `signalbox serve` whose breaker board the console shows while the rest is watched at
    /// `url` or on AWS.
    public var board: String?
}

/// The operator's settings from `config.toml`; command-line flags override them.
///
/// ```toml
/// theme = "default"
/// refresh_ms = 1000
/// endpoint = "local"
/// readonly = false
/// mouse = true
/// saga_key_paths = ["$.orderId", "$.detail.orderId", "$.order.orderId"]
/// saga_stuck_factor = 3          # stuck past 3 × the state's recent p99
/// saga_stuck_silence_s = 300     # stuck after 5 minutes without a history event
/// tail_buffer = 10000            # events the Flows tail keeps to scroll back through
///
/// [keys]
/// quit = "x"
/// help = ["?", "F1"]
///
/// [endpoints.staging]
/// url = "http://localhost:4566"
/// region = "eu-west-1"
///
/// [endpoints.prod]          # no url: AWS, with the profile's credentials
/// profile = "prod"
/// region = "eu-west-1"
/// ```
public struct ConsoleConfig: Sendable, Hashable {
    public var theme: String?
    public var refreshMilliseconds: Int = 1000
    public var endpoint: String?
    public var readOnly: Bool = false
    /// Clicks focus and select, the wheel scrolls; false leaves the mouse to the terminal
    /// (its own text selection).
    public var mouse: Bool = true
    /// Action name → the keys that trigger it (replacing the default keys).
    public var keyOverrides: [String: [Key]] = [:]
    public var endpoints: [String: EndpointConfig] = [:]
    /// `saga_key_paths`, `saga_stuck_factor`, `saga_stuck_silence_s`: the Sagas pane's
    /// business keys and stuck rules.
    public var sagas = SagaSettings()
    /// `tail_buffer`: how many events the provider keeps for the Flows tail (its scroll-back);
    /// older ones are evicted and counted.
    public var tailBuffer = ConsoleConfig.defaultTailBuffer
    public static let defaultTailBuffer = 10_000
    /// The bounds `tail_buffer` must be within: an event may be as large as 256 KB, so the
    /// ceiling keeps the worst case of the ring within reach of a laptop.
    public static let tailBufferRange = 100...100_000
    /// The file this came from, when there was one.
    public var source: String?

    public init() {}

    /// Reads `path`; a missing file at the default location is not an error (defaults apply),
    /// a missing file named explicitly is.
    public static func load(path: String?, explicit: Bool) throws(SettingsFileError) -> ConsoleConfig {
        guard let path else { return ConsoleConfig() }
        guard FileManager.default.fileExists(atPath: path) else {
            if explicit { throw SettingsFileError(file: path, line: nil, key: nil, message: "no such file") }
            return ConsoleConfig()
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SettingsFileError(file: path, line: nil, key: nil, message: "cannot read the file as UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// `actions` are the names `[keys]` accepts (the keymap's for the console's panes).
    public static func parse(_ text: String, file: String,
                             actions: [String] = Keymap(registry: .standard).actionNames) throws(SettingsFileError) -> ConsoleConfig {
        let table = try TOMLTable.settings(text, file: file)
        let lines = SourceLines(text)
        func fail(_ key: String, _ message: String) -> SettingsFileError {
            SettingsFileError(file: file, line: lines.line(ofKey: key.split(separator: ".").last.map(String.init) ?? key),
                        key: key, message: message)
        }
        var config = ConsoleConfig()
        config.source = file
        for key in table.keys {
            let value = table[key]!
            switch key {
            case "theme":
                guard let name = value.string, !name.isEmpty else { throw fail(key, "must be a theme name or path (a string)") }
                config.theme = name
            case "refresh_ms":
                guard let ms = value.int, (100...60_000).contains(ms) else {
                    throw fail(key, "must be a whole number of milliseconds between 100 and 60000")
                }
                config.refreshMilliseconds = ms
            case "endpoint":
                guard let name = value.string, !name.isEmpty else { throw fail(key, "must be an endpoint name or URL (a string)") }
                config.endpoint = name
            case "readonly":
                guard let flag = value.bool else { throw fail(key, "must be true or false") }
                config.readOnly = flag
            case "mouse":
                guard let flag = value.bool else { throw fail(key, "must be true or false") }
                config.mouse = flag
            case "saga_key_paths":
                guard let list = value.array, !list.isEmpty else {
                    throw fail(key, "must be a list of JSONPaths, e.g. [\"$.orderId\", \"$.detail.orderId\"]")
                }
                let texts = list.compactMap { $0.string }
                guard texts.count == list.count else { throw fail(key, "must be a list of JSONPath strings") }
                do {
                    config.sagas.keyPaths = try SagaSettings.keyPaths(texts)
                } catch {
                    throw fail(key, "\(error)")
                }
            case "saga_stuck_factor":
                guard let factor = value.double ?? value.int.map(Double.init), factor >= 1, factor <= 1000 else {
                    throw fail(key, "must be a number between 1 and 1000 (k in: stuck past k × the state's recent p99)")
                }
                config.sagas.stuckFactor = factor
            case "saga_stuck_silence_s":
                guard let seconds = value.int, (1...86_400).contains(seconds) else {
                    throw fail(key, "must be a whole number of seconds between 1 and 86400")
                }
                config.sagas.silence = TimeInterval(seconds)
            case "tail_buffer":
                guard let count = value.int, tailBufferRange.contains(count) else {
                    throw fail(key, "must be a whole number of events between \(tailBufferRange.lowerBound) and "
                                    + "\(tailBufferRange.upperBound) (the Flows tail's scroll-back)")
                }
                config.tailBuffer = count
            case "keys":
                guard let keys = value.table else { throw fail(key, "must be a table of action = key(s)") }
                for action in keys.keys {
                    guard actions.contains(action) else {
                        throw fail("keys.\(action)", "unknown action (known: \(actions.joined(separator: ", ")))")
                    }
                    let specs: [String]
                    if let one = keys[action]?.string {
                        specs = [one]
                    } else if let many = keys[action]?.array {
                        specs = many.compactMap { $0.string }
                        guard specs.count == many.count, !specs.isEmpty else {
                            throw fail("keys.\(action)", "must be a key or a list of keys, e.g. \"x\" or [\"?\", \"F1\"]")
                        }
                    } else {
                        throw fail("keys.\(action)", "must be a key or a list of keys, e.g. \"x\" or [\"?\", \"F1\"]")
                    }
                    var parsed: [Key] = []
                    for spec in specs {
                        guard let k = Key(spec: spec) else {
                            throw fail("keys.\(action)", "not a key: \"\(Sanitizer.sanitize(spec))\" (e.g. q, Ctrl-R, F5, PgDn, Enter)")
                        }
                        parsed.append(k)
                    }
                    config.keyOverrides[action] = parsed
                }
            case "endpoints":
                guard let endpoints = value.table else { throw fail(key, "must be a table of named endpoints") }
                for name in endpoints.keys {
                    guard let entry = endpoints[name]?.table else {
                        throw fail("endpoints.\(name)", "must be a table with url (and optional region, profile)")
                    }
                    let url = entry["url"]?.string
                    if entry["url"] != nil, !(url.map { $0.hasPrefix("http://") || $0.hasPrefix("https://") } ?? false) {
                        throw fail("endpoints.\(name)", "url must be \"http://…\" or \"https://…\" (leave it out for AWS itself)")
                    }
                    let board = entry["board"]?.string
                    if entry["board"] != nil, !(board.map { $0.hasPrefix("http://") || $0.hasPrefix("https://") } ?? false) {
                        throw fail("endpoints.\(name)", "board must be \"http://…\" or \"https://…\" (a signalbox serve)")
                    }
                    for field in ["region", "profile"] where entry[field] != nil && entry[field]?.string?.isEmpty != false {
                        throw fail("endpoints.\(name).\(field)", "must be a non-empty string")
                    }
                    for field in entry.keys where !["url", "region", "profile", "board"].contains(field) {
                        throw fail("endpoints.\(name).\(field)", "unknown field (expected url, region, profile, board)")
                    }
                    config.endpoints[name] = EndpointConfig(name: name, url: url, region: entry["region"]?.string,
                                                            profile: entry["profile"]?.string, board: board)
                }
            default:
                throw fail(key, "unknown setting (expected theme, refresh_ms, endpoint, readonly, mouse, saga_key_paths, "
                                + "saga_stuck_factor, saga_stuck_silence_s, tail_buffer, [keys], [endpoints.NAME])")
            }
        }
        return config
    }
}
