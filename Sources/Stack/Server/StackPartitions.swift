import Foundation
import Synchronization
import Wire

/// One partition's running stack: its store, its live stream and the services on them.
public struct PartitionServices: Sendable {
    public let partition: StackPartition
    public let store: StackStore
    public let hub: StreamHub
    public let services: [any StackService]
    /// The services by `X-Amz-Target` prefix.
    public let byPrefix: [String: any StackService]

    public init(partition: StackPartition, store: StackStore, hub: StreamHub, services: [any StackService]) {
        self.partition = partition
        self.store = store
        self.hub = hub
        self.services = services
        var byPrefix: [String: any StackService] = [:]
        for service in services { byPrefix[service.targetPrefix] = service }
        self.byPrefix = byPrefix
    }
}

/// Every (account, region) the stack holds resources for, each a complete set of services on a
/// store of its own: a queue created in eu-west-1 is simply not in us-east-1's tables, so every
/// service keeps its name-keyed schema, its caches and its hot paths as they are, and a request
/// costs one lookup of its partition.
///
/// The server's default partition (`--account-id`, `--region`) lives in the data directory
/// itself, as the whole stack did before partitions; any other one in
/// `partitions/ACCOUNT/REGION` below it, made on its first request and opened again at every
/// start (so its deliveries, schedules and executions resume after a restart). Its background
/// work starts with it, under the server's `runBackground`.
public final class StackPartitions: Sendable {
    public typealias Factory = @Sendable (_ partition: StackPartition, _ store: StackStore, _ hub: StreamHub)
        -> [any StackService]

    public let defaultPartition: StackPartition
    public let defaultServices: PartitionServices
    let dataDirectory: URL
    let migrations: [StoreMigration]
    let make: Factory
    private let state: Mutex<State>

    private struct State {
        var others: [StackPartition: PartitionServices] = [:]
        /// Set while the server runs: each partition made meanwhile is sent here to start its
        /// background work.
        var started: AsyncStream<PartitionServices>.Continuation?
        var shuttingDown = false
    }

    /// Opens the default partition's store (`defaultStore`, in the data directory) and every
    /// other partition stored there by an earlier run.
    public init(defaultPartition: StackPartition, defaultStore: StackStore, defaultHub: StreamHub,
                dataDirectory: URL, migrations: [StoreMigration], make: @escaping Factory) throws {
        self.defaultPartition = defaultPartition
        self.dataDirectory = dataDirectory
        self.migrations = migrations
        self.make = make
        defaultServices = PartitionServices(partition: defaultPartition, store: defaultStore, hub: defaultHub,
                                            services: make(defaultPartition, defaultStore, defaultHub))
        var others: [StackPartition: PartitionServices] = [:]
        for partition in StackPartition.stored(under: dataDirectory) where partition != defaultPartition {
            others[partition] = try Self.open(partition, dataDirectory: dataDirectory, migrations: migrations, make: make)
        }
        state = Mutex(State(others: others))
    }

    private static func open(_ partition: StackPartition, dataDirectory: URL, migrations: [StoreMigration],
                             make: Factory) throws -> PartitionServices {
        let store = try StackStore(directory: partition.directory(under: dataDirectory), migrations: migrations)
        let hub = StreamHub()
        return PartitionServices(partition: partition, store: store, hub: hub, services: make(partition, store, hub))
    }

    /// The partition's services, made (and its store created) on first use.
    public func services(for partition: StackPartition) throws(AWSError) -> PartitionServices {
        if partition == defaultPartition { return defaultServices }
        do {
            return try state.withLock { state in
                if let found = state.others[partition] { return found }
                let made = try Self.open(partition, dataDirectory: dataDirectory, migrations: migrations, make: make)
                state.others[partition] = made
                state.started?.yield(made)
                return made
            }
        } catch {
            throw AWSError.internalFailure("could not open the store of \(partition): \(error)")
        }
    }

    /// The partition's services if it was ever used (a delivery to an account or region nobody
    /// used finds nothing there rather than creating a store for it).
    public func existing(_ partition: StackPartition) -> PartitionServices? {
        if partition == defaultPartition { return defaultServices }
        return state.withLock { $0.others[partition] }
    }

    /// Every partition open now, the default one first.
    public var all: [PartitionServices] {
        [defaultServices] + state.withLock { $0.others.values.sorted { $0.partition.description < $1.partition.description } }
    }

    /// Runs every partition's background work, including that of partitions made while it
    /// runs, until cancelled.
    public func runBackground() async {
        let (stream, continuation) = AsyncStream<PartitionServices>.makeStream()
        state.withLock { state in
            for partition in [defaultServices] + state.others.values { continuation.yield(partition) }
            state.started = continuation
        }
        defer { state.withLock { $0.started = nil } }
        await withTaskGroup(of: Void.self) { group in
            // Iterating an AsyncStream ends when the task is cancelled (the server stopping).
            for await partition in stream {
                for service in partition.services {
                    group.addTask { await service.runBackground() }
                }
            }
            group.cancelAll()
        }
    }

    public func beginShutdown() async {
        for partition in all {
            for service in partition.services { await service.beginShutdown() }
        }
    }

    /// Every partition's gauges for one `/metrics` of the whole stack: a resource's (a queue's)
    /// labelled with its partition's `account` and `region`, since the same queue name in two
    /// regions is two queues; the totals summed where they have the same name and dimensions.
    public func gaugeReadings() async -> [GaugeReading] {
        var order: [String] = []
        var summed: [String: GaugeReading] = [:]
        for partition in all {
            for service in partition.services {
                for var reading in await service.gaugeReadings() {
                    if reading.namesResource {
                        reading.dimensions += [("account", partition.partition.accountId), ("region", partition.partition.region)]
                    }
                    let key = ([reading.metric.name] + reading.dimensions.flatMap { [$0.0, $0.1] }).joined(separator: "\u{1}")
                    if var seen = summed[key] {
                        seen.value += reading.value
                        summed[key] = seen
                    } else {
                        order.append(key)
                        summed[key] = reading
                    }
                }
            }
        }
        return order.compactMap { summed[$0] }
    }
}
