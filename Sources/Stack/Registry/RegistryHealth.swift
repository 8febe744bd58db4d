/// How an instance's health is decided — pure, so the TTL rules are tested with any clock.
///
/// AWS semantics: an instance of a service without a health check is `UNKNOWN` (and counts as
/// healthy for discovery); with `HealthCheckCustomConfig` it is whatever the last
/// UpdateInstanceCustomHealthStatus (or `AWS_INIT_HEALTH_STATUS`) said.
///
/// Signalbox heartbeat extension: an instance registered with the attribute
/// `SIGNALBOX_HEARTBEAT_TTL` (seconds) in a custom-health service must heartbeat within that
/// TTL. A heartbeat is any RegisterInstance or UpdateInstanceCustomHealthStatus call for it
/// (HEALTHY or UNHEALTHY). Once more than TTL seconds passed since the last one, the instance
/// reads UNHEALTHY; the next `UpdateInstanceCustomHealthStatus(Status=HEALTHY)` makes it healthy
/// again. Expiry is derived when read, never written, so it needs no background sweeper.
enum RegistryHealth {
    static let ttlAttribute = "SIGNALBOX_HEARTBEAT_TTL"
    static let ttlRange = 1...86_400

    enum Status: String, Sendable {
        case healthy = "HEALTHY"
        case unhealthy = "UNHEALTHY"
        case unknown = "UNKNOWN"
    }

    /// The effective status at `now` (Unix ms).
    static func status(customStatus: String?, ttlMillis: Int64?, heartbeatAt: Int64, now: Int64) -> Status {
        guard let customStatus else { return .unknown }
        if isExpired(customStatus: customStatus, ttlMillis: ttlMillis, heartbeatAt: heartbeatAt, now: now) {
            return .unhealthy
        }
        return Status(rawValue: customStatus) ?? .unknown
    }

    /// Whether the heartbeat TTL (if any) has run out: the instance is UNHEALTHY because it
    /// went silent, not because it said so.
    static func isExpired(customStatus: String?, ttlMillis: Int64?, heartbeatAt: Int64, now: Int64) -> Bool {
        guard customStatus == Status.healthy.rawValue, let ttlMillis else { return false }
        return now - heartbeatAt > ttlMillis
    }

    /// DiscoverInstancesRevision: twice the stored change count plus the instances whose TTL
    /// ran out. A stored change that clears an expiry (heartbeat, deregister) adds 2 and removes
    /// 1, so the revision only grows and moves whenever the discoverable set does.
    static func revision(changes: Int64, expired: Int) -> Int64 {
        changes * 2 + Int64(expired)
    }
}
