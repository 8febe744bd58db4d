import Foundation

/// A Cloud Map service and its instances (`ListServices` + `ListInstances` +
/// `GetInstancesHealthStatus`).
public struct RegistryService: Sendable, Hashable {
    public var name: String
    public var id: String
    public var namespace: String
    public var instances: [RegistryInstance]
    public init(name: String, id: String, namespace: String, instances: [RegistryInstance] = []) {
        self.name = name
        self.id = id
        self.namespace = namespace
        self.instances = instances
    }
}

/// One registered instance. Attributes keep Cloud Map's names (`AWS_INSTANCE_IPV4`, …).
public struct RegistryInstance: Sendable, Hashable {
    /// Cloud Map `HealthStatus`.
    public enum Health: String, Sendable, Hashable {
        case healthy = "HEALTHY"
        case unhealthy = "UNHEALTHY"
        case unknown = "UNKNOWN"
    }
    public var id: String
    public var attributes: [String: String]
    public var health: Health
    public init(id: String, attributes: [String: String] = [:], health: Health = .unknown) {
        self.id = id
        self.attributes = attributes
        self.health = health
    }

    /// `host:port` from the standard attributes, when present.
    public var address: String? {
        guard let host = attributes["AWS_INSTANCE_IPV4"] ?? attributes["AWS_INSTANCE_IPV6"] else { return nil }
        if let port = attributes["AWS_INSTANCE_PORT"] { return "\(host):\(port)" }
        return host
    }
}
