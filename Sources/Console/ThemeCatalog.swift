import Foundation
import Terminal

/// The themes a console can switch to: the built-in ones (embedded copies of `themes/*.toml`)
/// plus files the operator names by path or drops into `$XDG_CONFIG_HOME/signalbox/themes`.
public struct ThemeCatalog: Sendable {
    public let defaultTheme: Theme
    public let builtIn: [String: Theme]
    public let userDirectory: String?

    public init(userDirectory: String? = ConsolePaths.configDirectory.map { $0 + "/themes" }) {
        var themes: [String: Theme] = [:]
        // The embedded themes are checked by tests; a failure here is a build defect.
        let base = try! ThemeParser.parse(BuiltinThemes.sources["default"]!, file: "themes/default.toml", fallback: nil)
        for (name, source) in BuiltinThemes.sources {
            themes[name] = try! ThemeParser.parse(source, file: "themes/\(name).toml", fallback: base)
        }
        self.defaultTheme = base
        self.builtIn = themes
        self.userDirectory = userDirectory
    }

    /// Names offered for completion: built-in themes plus `*.toml` in the user directory.
    public var names: [String] {
        var names = Set(builtIn.keys)
        if let userDirectory, let files = try? FileManager.default.contentsOfDirectory(atPath: userDirectory) {
            for file in files where file.hasSuffix(".toml") { names.insert(String(file.dropLast(5))) }
        }
        return names.sorted()
    }

    /// A theme by name (built-in or user directory) or by path (anything with `/` or `.toml`).
    public func theme(named spec: String) throws(SettingsFileError) -> Theme {
        if spec.contains("/") || spec.hasSuffix(".toml") {
            return try load(path: spec)
        }
        if let userDirectory {
            let path = userDirectory + "/" + spec + ".toml"
            if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        }
        if let theme = builtIn[spec] { return theme }
        throw SettingsFileError(file: spec, line: nil, key: nil,
                         message: "unknown theme (available: \(names.joined(separator: ", ")))")
    }

    public func load(path: String) throws(SettingsFileError) -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsFileError(file: path, line: nil, key: nil, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingsFileError(file: path, line: nil, key: nil, message: "not UTF-8 text")
        }
        return try ThemeParser.parse(text, file: path, fallback: defaultTheme)
    }
}
