import TOMLKit

/// Why a theme or configuration file was refused: the file, line and key, so the operator
/// can fix it (`broken.toml:3: roles.error.fg: not a colour: …`).
public struct SettingsFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let key { return "\(location): \(key): \(message)" }
        return "\(location): \(message)"
    }
}

extension TOMLTable {
    /// `text` read as TOML; a syntax error is refused naming `file` and the line.
    static func settings(_ text: String, file: String) throws(SettingsFileError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SettingsFileError(file: file, line: error.source.begin.line, key: nil, message: error.description)
        } catch {
            throw SettingsFileError(file: file, line: nil, key: nil, message: "\(error)")
        }
    }
}
