import JSON

/// `GET /_signalbox/health`: the stack is up, and which AWS services (by `X-Amz-Target`
/// prefix) it serves. A client that gets this answer knows the endpoint has the extensions.
public struct HealthAnswer: Sendable, Hashable {
    public var status: String
    public var services: [String]

    public init(status: String = "ok", services: [String]) {
        self.status = status
        self.services = services
    }

    /// `{"status": "ok", "services": [prefix…]}`
    public var json: JSONValue { ["status": .string(status), "services": .array(services.map { .string($0) })] }

    public init(json: JSONValue) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: "")
        self.init(status: try fields.string("status"), services: try fields.list("services") { item, path throws(StackProtocolError) in
            guard case .string(let name) = item else { throw StackProtocolError("\(path) must be a string") }
            return name
        })
    }
}
