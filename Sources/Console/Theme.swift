import Foundation
import Terminal
import TOMLKit

/// A named mapping from semantic roles to styles. Panes never name colours; themes do.
public struct Theme: Sendable, Hashable {
    public var name: String
    public var description: String
    /// Every role has a style (roles a theme leaves out come from `default`).
    public var styles: [Role: Style]
    /// The roles this theme styles for the backend: the chrome and the panes' (see
    /// `PaneRegistry.themeRoles`).
    public var roles: [Role]

    public init(name: String, description: String, styles: [Role: Style], roles: [Role] = PaneRegistry.standard.themeRoles) {
        self.name = name
        self.description = description
        self.styles = styles
        self.roles = roles
    }

    public func style(_ role: Role) -> Style { styles[role] ?? Style() }

    /// Styles as the backend should apply them: a role without its own background takes the
    /// theme's `background` colour, so a dark theme stays dark behind coloured text.
    public var resolvedStyles: [Role: Style] {
        let base = style(.background).background
        var result: [Role: Style] = [:]
        for role in roles {
            var style = style(role)
            if style.background == .terminalDefault { style.background = base }
            result[role] = style
        }
        return result
    }
}

/// Parses theme files (TOML) into `Theme` values.
public enum ThemeParser {
    /// Parses `text` (from `file`, for messages). Roles it leaves out come from `fallback`;
    /// `roles` are the names it accepts.
    public static func parse(_ text: String, file: String, fallback: Theme?,
                             roles known: [Role] = PaneRegistry.standard.themeRoles) throws(SettingsFileError) -> Theme {
        let table = try TOMLTable.settings(text, file: file)
        let lines = SourceLines(text)
        for key in table.keys where !["name", "description", "roles"].contains(key) {
            throw SettingsFileError(file: file, line: lines.line(ofKey: key), key: key,
                             message: "unknown key (expected name, description, [roles])")
        }
        guard let name = table["name"]?.string, !name.isEmpty else {
            throw SettingsFileError(file: file, line: lines.line(ofKey: "name"), key: "name", message: "a theme needs a name (a string)")
        }
        let description = table["description"]?.string ?? ""
        var styles = fallback?.styles ?? [:]
        if let rolesValue = table["roles"] {
            guard let roles = rolesValue.table else {
                throw SettingsFileError(file: file, line: lines.line(ofKey: "roles"), key: "roles", message: "must be a table")
            }
            for key in roles.keys {
                let line = lines.line(ofKey: key)
                let role = Role(key)
                guard known.contains(role) else {
                    throw SettingsFileError(file: file, line: line, key: "roles.\(key)",
                                     message: "unknown role (known: \(known.map(\.name).joined(separator: ", ")))")
                }
                guard let spec = roles[key]?.table else {
                    throw SettingsFileError(file: file, line: line, key: "roles.\(key)",
                                     message: "must be a table such as { fg = \"#ffffff\", bold = true }")
                }
                styles[role] = try style(from: spec, key: "roles.\(key)", file: file, line: line)
            }
        }
        return Theme(name: name, description: description, styles: styles, roles: known)
    }

    private static func style(from spec: TOMLTable, key: String, file: String, line: Int?) throws(SettingsFileError) -> Style {
        var style = Style()
        for field in spec.keys {
            let value = spec[field]
            switch field {
            case "fg", "bg":
                guard let value, let color = parseColor(value) else {
                    throw SettingsFileError(file: file, line: line, key: "\(key).\(field)",
                                     message: "not a colour: \(value.map { "\($0)" } ?? "nothing") (use \"#rrggbb\", 0-255, or an ANSI name such as \"bright-red\")")
                }
                if field == "fg" { style.foreground = color } else { style.background = color }
            case "bold", "dim", "reverse", "underline", "italic":
                guard let flag = value?.bool else {
                    throw SettingsFileError(file: file, line: line, key: "\(key).\(field)", message: "must be true or false")
                }
                let attribute: Attributes = switch field {
                case "bold": .bold
                case "dim": .dim
                case "reverse": .reverse
                case "underline": .underline
                default: .italic
                }
                if flag { style.attributes.insert(attribute) } else { style.attributes.remove(attribute) }
            default:
                throw SettingsFileError(file: file, line: line, key: "\(key).\(field)",
                                 message: "unknown field (expected fg, bg, bold, dim, reverse, underline, italic)")
            }
        }
        return style
    }

    static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// `#rrggbb`, a palette index 0–255, or an ANSI name (`red`, `bright-red`, `default`).
    public static func parseColor(_ value: any TOMLValueConvertible) -> Color? {
        if let index = value.int {
            return (0...255).contains(index) ? .indexed(UInt8(index)) : nil
        }
        guard let text = value.string?.lowercased() else { return nil }
        return parseColor(text: text)
    }

    public static func parseColor(text: String) -> Color? {
        if text == "default" { return .terminalDefault }
        if text.hasPrefix("#") {
            let hex = text.dropFirst()
            guard hex.count == 6, let rgb = UInt32(hex, radix: 16) else { return nil }
            return .rgb(UInt8(rgb >> 16 & 0xFF), UInt8(rgb >> 8 & 0xFF), UInt8(rgb & 0xFF))
        }
        if let n = ansiNames.firstIndex(of: text) { return .ansi(UInt8(n)) }
        for prefix in ["bright-", "bright_", "bright"] where text.hasPrefix(prefix) {
            if let n = ansiNames.firstIndex(of: String(text.dropFirst(prefix.count))) { return .ansi(UInt8(n + 8)) }
        }
        if text == "gray" || text == "grey" { return .ansi(8) }
        return nil
    }
}

/// Finds the line a key was written on, for error messages (TOMLKit keeps no positions for
/// values, only for syntax errors).
struct SourceLines {
    let lines: [Substring]
    init(_ text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    func line(ofKey key: String) -> Int? {
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            for candidate in [key, "\"\(key)\""] where trimmed.hasPrefix(candidate) {
                let rest = trimmed.dropFirst(candidate.count).drop { $0 == " " || $0 == "\t" }
                if rest.first == "=" || rest.first == "." { return index + 1 }
            }
            if trimmed.hasPrefix("[") && trimmed.contains(key) { return index + 1 }
        }
        return nil
    }
}
