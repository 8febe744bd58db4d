import CircuitBreaker
import Foundation
import JSON
import StackProtocol

/// The breaker board's HTTP API (version 1, `docs/stream.md`; its requests and answers are
/// StackProtocol's types), transport-neutral: method, path, query and body in; status and JSON
/// body out. The Hummingbird route is a thin adapter over it, and tests drive it with or
/// without sockets.
public struct BreakerBoardAPI: Sendable {
    public static let basePath = ExtensionPaths.breakers
    public static let defaultAuditLimit = 100
    public static let maximumAuditLimit = 1000

    public let board: BreakerBoard

    public init(board: BreakerBoard) { self.board = board }

    /// Answers one request; every failure is a `BreakerBoardError` in JSON, never a crash.
    public func respond(method: String, path: String, query: String, body: [UInt8]) async -> (status: Int, body: JSONValue) {
        do throws(BreakerBoardError) {
            return (200, try await route(method: method.uppercased(), path: path, query: query, body: body))
        } catch {
            return (error.status, error.json)
        }
    }

    private func route(method: String, path: String, query: String, body: [UInt8]) async throws(BreakerBoardError) -> JSONValue {
        guard let components = Self.components(of: path) else { throw .noRoute(method: method, path: path) }
        let parameters = Self.parameters(of: query)
        switch components.count {
        case 0:
            guard method == "GET" else { throw .methodNotAllowed(method: method, path: path, allowed: "GET") }
            return try await list(parameters)
        case 1 where components[0] == "audit":
            guard method == "GET" else { throw .methodNotAllowed(method: method, path: path, allowed: "GET") }
            return try await audit(parameters)
        case 2:
            let id = try Self.breakerID(components[0], components[1])
            switch method {
            case "GET":
                guard let entry = try await board.entry(id) else {
                    throw .notFound(service: id.service, dependency: id.dependency)
                }
                return entry.json
            case "PUT":
                return try await report(id, body: body)
            default:
                throw .methodNotAllowed(method: method, path: path, allowed: "GET or PUT")
            }
        case 3 where components[2] == "override":
            guard method == "POST" else { throw .methodNotAllowed(method: method, path: path, allowed: "POST") }
            if board.readOnly { throw .readOnly }
            let id = try Self.breakerID(components[0], components[1])
            let request = try CheckedOverrideRequest(body: body)
            return try await board.setOverride(id, request).json
        default:
            throw .noRoute(method: method, path: path)
        }
    }

    private func report(_ id: BreakerID, body: [UInt8]) async throws(BreakerBoardError) -> JSONValue {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch {
            throw .validation("The report body is not valid JSON: \(error)")
        }
        let snapshot: BreakerSnapshot
        do { snapshot = try BreakerSnapshot(json: json) } catch {
            throw .validation("The report is not a breaker snapshot v\(BreakerSnapshot.currentVersion): \(error)")
        }
        guard snapshot.service == id.service, snapshot.dependency == id.dependency else {
            throw .validation("The snapshot is for \(BreakerBoardText.excerpt(snapshot.service))/\(BreakerBoardText.excerpt(snapshot.dependency)) but was sent to \(id.service)/\(id.dependency)")
        }
        return BreakerReportAnswer(override: try await board.report(snapshot)).json
    }

    private func list(_ parameters: [String: String]) async throws(BreakerBoardError) -> JSONValue {
        let service = parameters["service"]
        if let service { try BreakerBoardText.validateName(service, field: "service") }
        return BreakerBoardListing(breakers: try await board.entries(service: service)).json
    }

    private func audit(_ parameters: [String: String]) async throws(BreakerBoardError) -> JSONValue {
        var limit = Self.defaultAuditLimit
        if let text = parameters["limit"] {
            guard let given = Int(text), (1...Self.maximumAuditLimit).contains(given) else {
                throw .validation("limit must be an integer from 1 to \(Self.maximumAuditLimit), got '\(BreakerBoardText.excerpt(text))'")
            }
            limit = given
        }
        let service = parameters["service"]
        let dependency = parameters["dependency"]
        if let service { try BreakerBoardText.validateName(service, field: "service") }
        if let dependency { try BreakerBoardText.validateName(dependency, field: "dependency") }
        return BreakerAuditListing(entries: try await board.audit(limit: limit, service: service, dependency: dependency)).json
    }

    static func breakerID(_ service: String, _ dependency: String) throws(BreakerBoardError) -> BreakerID {
        try BreakerBoardText.validateName(service, field: "service")
        try BreakerBoardText.validateName(dependency, field: "dependency")
        return BreakerID(service: service, dependency: dependency)
    }

    /// The percent-decoded path components after the base path; nil when the path is not the
    /// board's. A trailing slash is ignored.
    static func components(of path: String) -> [String]? {
        guard path == basePath || path.hasPrefix(basePath + "/") else { return nil }
        let rest = path.dropFirst(basePath.count)
        var parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" { parts.removeLast() }
        return parts.map { $0.removingPercentEncoding ?? $0 }
    }

    /// Query parameters, percent-decoded (`+` is a space); the first value of a repeated key wins.
    static func parameters(of query: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if out[key] == nil { out[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return out
    }
}
