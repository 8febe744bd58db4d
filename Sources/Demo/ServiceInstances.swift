import JSON
import StackClient
import Timekeeping

/// Registers one instance of every demo service in Cloud Map (`shop.local`) and keeps it
/// healthy with UpdateInstanceCustomHealthStatus. The instances carry
/// `SIGNALBOX_HEARTBEAT_TTL`, so on the local stack a service that stops heartbeating
/// (`service.down`) turns UNHEALTHY within the TTL, and healthy again when it resumes.
struct ServiceInstances: Sendable {
    let context: ServiceContext
    static let heartbeatEvery = Duration.seconds(2)

    static func instanceId(_ service: String) -> String { "\(service)-1" }

    func run() async {
        for (index, service) in DemoNames.services.enumerated() {
            await register(service, port: 8080 + index)
        }
        while !Task.isCancelled {
            try? await context.clock.sleep(for: Self.heartbeatEvery)
            let spec = context.chaos.current
            for (index, service) in DemoNames.services.enumerated() where !spec.isDown(service) {
                await heartbeat(service, port: 8080 + index)
            }
        }
    }

    private func register(_ service: String, port: Int) async {
        guard let serviceId = context.resources.serviceIds[service] else { return }
        do {
            _ = try await context.client.call(.cloudMap, "RegisterInstance", [
                "ServiceId": .string(serviceId), "InstanceId": .string(Self.instanceId(service)),
                "CreatorRequestId": .string("signalbox-demo-\(service)-\(Dice.identifier("r"))"),
                "Attributes": .object(Self.attributes(service, port: port)),
            ])
        } catch {
            context.counters.callFailed("RegisterInstance \(service): \(error)")
        }
    }

    /// The instance's attributes: address, heartbeat TTL, and what it publishes and consumes.
    static func attributes(_ service: String, port: Int) -> JSONObject {
        var attributes: JSONObject = [
            "AWS_INSTANCE_IPV4": "127.0.0.1", "AWS_INSTANCE_PORT": .string(String(port)),
            "AWS_INIT_HEALTH_STATUS": "HEALTHY",
            "SIGNALBOX_HEARTBEAT_TTL": .string(String(DemoNames.heartbeatTTLSeconds)),
            "version": "1.0.0", "zone": "local-a",
        ]
        if let publishes = DemoNames.publishes[service] { attributes["signalbox:publishes"] = .string(publishes) }
        if let consumes = DemoNames.consumes[service] { attributes["signalbox:consumes"] = .string(consumes) }
        return attributes
    }

    private func heartbeat(_ service: String, port: Int) async {
        guard let serviceId = context.resources.serviceIds[service] else { return }
        do {
            _ = try await context.client.call(.cloudMap, "UpdateInstanceCustomHealthStatus", [
                "ServiceId": .string(serviceId), "InstanceId": .string(Self.instanceId(service)), "Status": "HEALTHY",
            ])
            context.counters.add(.heartbeats)
        } catch where error.code == "InstanceNotFound" {
            // Deregistered behind our back (an operator, a reset store): register again.
            await register(service, port: port)
        } catch {
            context.counters.callFailed("heartbeat \(service): \(error)")
        }
    }
}
