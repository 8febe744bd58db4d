import Foundation

/// Where a snapshot came from and whether it is current: the console never shows stale data
/// as if it were live.
public enum ConnectionState: Sendable, Hashable {
    /// No provider is attached (nothing to watch yet).
    case notConnected(reason: String)
    case connecting
    case connected(since: Date)
    /// Connected but some calls fail; data may be partial.
    case degraded(reason: String, since: Date)
    /// The connection was lost; the snapshot holds the last data seen.
    case disconnected(reason: String, lastSeen: Date?)

    /// One word for the status bar.
    public var label: String {
        switch self {
        case .notConnected: "not connected"
        case .connecting: "connecting"
        case .connected: "connected"
        case .degraded: "degraded"
        case .disconnected: "disconnected"
        }
    }

    /// The explanation shown in empty panes and the status bar.
    public var detail: String? {
        switch self {
        case .notConnected(let reason), .degraded(let reason, _), .disconnected(let reason, _): reason
        case .connecting, .connected: nil
        }
    }

    public var isLive: Bool {
        switch self {
        case .connected, .degraded: true
        default: false
        }
    }
}

/// The endpoint the console is attached to, as the status bar names it.
public struct EndpointDescription: Sendable, Hashable {
    /// A short name: a configured endpoint name, `local`, or the URL's host.
    public var name: String
    /// The URL, when there is one; nil for AWS's own endpoints.
    public var url: String?
    public var region: String?
    /// The AWS profile whose credentials sign the calls, when one does.
    public var profile: String?
    /// The account those credentials belong to (STS GetCallerIdentity), when it answered.
    public var account: String?
    /// A separate breaker board (`[endpoints.NAME] board = URL`), when one is configured.
    public var board: String?

    public init(name: String, url: String? = nil, region: String? = nil, profile: String? = nil,
                account: String? = nil, board: String? = nil) {
        self.name = name
        self.url = url
        self.region = region
        self.profile = profile
        self.account = account
        self.board = board
    }

    /// AWS itself, with no Signalbox stack behind it: no stream, and no board unless `board`.
    public var isAWS: Bool { url == nil }
}
