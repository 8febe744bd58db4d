import JSON

/// One queue's message counts, as the `queues` topic publishes them.
public struct QueueCounts: Sendable, Hashable {
    public var name: String
    public var visible: Int
    public var inFlight: Int
    public var delayed: Int

    public init(name: String, visible: Int, inFlight: Int, delayed: Int) {
        self.name = name
        self.visible = visible
        self.inFlight = inFlight
        self.delayed = delayed
    }

    /// `{"name","visible","inFlight","delayed"}`
    public var json: JSONValue {
        ["name": .string(name), "visible": .number(Double(visible)), "inFlight": .number(Double(inFlight)),
         "delayed": .number(Double(delayed))]
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(name: try fields.string("name"), visible: try fields.integer("visible"),
                  inFlight: try fields.integer("inFlight"), delayed: try fields.integer("delayed"))
    }
}

/// The `queue-stats` frame: every queue's counts, published when any changed, sorted by name.
public struct QueueStatistics: Sendable, Hashable {
    public var queues: [QueueCounts]

    public init(queues: [QueueCounts]) { self.queues = queues }

    /// `{"queues":[counts…]}`
    public var json: JSONValue { ["queues": .array(queues.map(\.json))] }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(queues: try fields.list("queues") { item, path throws(StackProtocolError) in
            try QueueCounts(json: item, path: path)
        })
    }
}
