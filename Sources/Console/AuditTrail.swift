import Foundation
import Provider
import Timekeeping

/// An append-only record of every action the operator sent to a watched system: who, what,
/// when, against which endpoint, and how it ended. One JSON object per line, so it can be
/// grepped at 3 a.m. and shipped to a log pipeline later.
public struct AuditTrail: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// `$XDG_STATE_HOME/signalbox/audit.log`, else `~/.local/state/signalbox/audit.log`.
    public static var defaultPath: String? {
        let environment = ProcessInfo.processInfo.environment
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/signalbox/audit.log" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/signalbox/audit.log" }
        return nil
    }

    public struct Entry: Sendable, Hashable {
        public var time: Date
        public var user: String
        public var endpoint: EndpointDescription
        public var action: OperatorAction
        public var outcome: String
        /// Why, as the operator typed it in the confirmation ("" when none was given).
        public var reason: String = ""

        public init(time: Date, user: String, endpoint: EndpointDescription, action: OperatorAction, outcome: String,
                    reason: String = "") {
            self.time = time
            self.user = user
            self.endpoint = endpoint
            self.action = action
            self.outcome = outcome
            self.reason = reason
        }
    }

    /// Appends one entry; creates the file (mode 0600) and its directory when missing.
    public func append(_ entry: Entry) throws {
        // Every value is a string (one grep-able level); the parameters are a JSON object's text.
        let parameters = String(decoding: try JSONSerialization.data(withJSONObject: entry.action.auditParameters, options: [.sortedKeys]),
                                as: UTF8.self)
        let object: [String: String] = [
            "time": CivilTime(UnixTime(entry.time)).rfc3339Milliseconds,
            "user": entry.user,
            "endpoint": entry.endpoint.url ?? entry.endpoint.name,
            "action": entry.action.summary,
            "parameters": parameters,
            "reason": entry.reason,
            "outcome": entry.outcome,
        ]
        var line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        line.append(0x0A)
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

}
