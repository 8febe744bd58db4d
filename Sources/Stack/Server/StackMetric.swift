/// One metric the stack serves at `/metrics`: its Prometheus name and the help text shown beside
/// it. Every metric is listed here, so names and their meaning are written once.
public struct StackMetric: Sendable, Hashable {
    public let name: String
    public let help: String

    init(_ name: String, _ help: String) {
        self.name = name
        self.help = help
    }

    // Front door (labels service, operation, code).
    static let requests = StackMetric("signalbox_requests_total",
                                      "AWS API requests answered, by service, operation and result code.")
    static let requestSeconds = StackMetric("signalbox_request_seconds", "Time spent answering AWS API requests.")

    // EventBridge.
    static let eventsPut = StackMetric("signalbox_events_put_total", "Events accepted by PutEvents.")
    static let eventsFailedEntries = StackMetric("signalbox_events_failed_entries_total",
                                                 "PutEvents entries refused (per-entry errors).")
    static let eventsMatched = StackMetric("signalbox_events_matched_total", "Events that matched at least one rule.")
    static let eventsDeliveries = StackMetric(
        "signalbox_events_deliveries_total",
        "Deliveries to targets by outcome (delivered, retrying, dead-lettered, failed).")
    static let eventsRules = StackMetric("signalbox_events_rules", "Enabled rules with an event pattern, over all buses.")
    static let eventsOutbox = StackMetric("signalbox_events_outbox",
                                          "Deliveries kept in the outbox: pending retry or failed for good.")

    // SQS.
    static let sqsLongPollsWaiting = StackMetric("signalbox_sqs_long_polls_waiting",
                                                 "ReceiveMessage calls parked waiting for a message.")
    static let sqsMessages = StackMetric("signalbox_sqs_messages",
                                         "Messages in each queue by state (visible, in flight, delayed).")

    // Cloud Map.
    static let registryNamespaces = StackMetric("signalbox_registry_namespaces", "Cloud Map namespaces.")
    static let registryServices = StackMetric("signalbox_registry_services", "Cloud Map services.")
    static let registryInstances = StackMetric("signalbox_registry_instances", "Registered Cloud Map instances.")
    static let registryInstancesUnhealthy = StackMetric("signalbox_registry_instances_unhealthy",
                                                        "Registered instances whose health is UNHEALTHY.")

    // Step Functions.
    static let sfnRunningExecutions = StackMetric("signalbox_sfn_running_executions", "Executions running now.")
    static let sfnHistoryEvents = StackMetric("signalbox_sfn_history_events_total",
                                              "History events committed for executions.")
    static let sfnActivityTasksQueued = StackMetric("signalbox_sfn_activity_tasks_queued",
                                                    "Activity tasks offered and not yet taken by a worker.")

    static let all: [StackMetric] = [
        requests, requestSeconds,
        eventsPut, eventsFailedEntries, eventsMatched, eventsDeliveries, eventsRules, eventsOutbox,
        sqsLongPollsWaiting, sqsMessages,
        registryNamespaces, registryServices, registryInstances, registryInstancesUnhealthy,
        sfnRunningExecutions, sfnHistoryEvents, sfnActivityTasksQueued,
    ]
}

/// A gauge's value sampled when `/metrics` is scraped (queue depths, rule counts: read from the
/// store then, not tracked on every write).
public struct GaugeReading: Sendable {
    public var metric: StackMetric
    public var dimensions: [(String, String)]
    public var value: Int

    /// Whether a dimension names one resource (a queue): such a reading belongs to its account
    /// and region and is labelled with them; the others are totals, summed over partitions.
    var namesResource: Bool { dimensions.contains { $0.0 == "queue" } }

    init(_ metric: StackMetric, _ dimensions: [(String, String)], _ value: Int) {
        self.metric = metric
        self.dimensions = dimensions
        self.value = value
    }

    init(_ metric: StackMetric, _ value: Int) {
        self.init(metric, [], value)
    }
}
