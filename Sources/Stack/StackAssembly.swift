import Foundation
import Logging

/// The one list of services and extensions the stack runs, and their store migrations.
/// A new service adds itself here (and its migrations) — nowhere else.
public enum StackAssembly {
    /// Opens (or creates) the store in the configured data directory, and those of the other
    /// partitions stored there, and builds the server.
    /// `metrics` is given by a caller that reads the counters itself (a bench counting calls).
    public static func makeServer(configuration: StackConfiguration, metrics: StackMetrics = StackMetrics(),
                                  logger: Logger = StackAssembly.quietLogger) throws -> StackServer {
        let store = try StackStore(directory: configuration.dataDirectory, migrations: migrations)
        let hub = StreamHub()
        let partitions = try makePartitions(store: store, configuration: configuration, hub: hub, metrics: metrics)
        return StackServer(configuration: configuration, partitions: partitions,
                           extensions: extensions(store: store, configuration: configuration, hub: hub, partitions: partitions),
                           metrics: metrics, logger: logger)
    }

    /// Every partition's services: the default one on `store` and `hub` (the data directory's),
    /// the others on their own, made as `StackPartitions` needs them.
    public static func makePartitions(store: StackStore, configuration: StackConfiguration, hub: StreamHub,
                                      metrics: StackMetrics = StackMetrics()) throws -> StackPartitions {
        let link = PartitionLink()
        let partitions = try StackPartitions(
            defaultPartition: StackPartition(accountId: configuration.accountId, region: configuration.region),
            defaultStore: store, defaultHub: hub, dataDirectory: configuration.dataDirectory, migrations: migrations
        ) { partition, store, hub in
            services(store: store, partition: partition, configuration: configuration, hub: hub, metrics: metrics,
                     link: link)
        }
        link.bind(partitions)
        return partitions
    }

    /// Warnings and errors only: `signalbox serve` prints its own one line per start.
    public static var quietLogger: Logger {
        var logger = Logger(label: "signalbox.stack")
        logger.logLevel = .warning
        return logger
    }

    /// Every service's migrations, in a fixed order (identifiers are prefixed by service).
    public static var migrations: [StoreMigration] {
        QueueService.migrations + BusService.migrations + RegistryService.migrations + SagaService.migrations
            + BreakerBoard.migrations
    }

    /// The default partition's services alone. `hub` is the live stream the services publish
    /// to (shared with `extensions`); `metrics` is what they count on (the server's `/metrics`
    /// serves it).
    public static func services(store: StackStore, configuration: StackConfiguration,
                                hub: StreamHub = StreamHub(), metrics: StackMetrics = StackMetrics()) -> [any StackService] {
        services(store: store, partition: StackPartition(accountId: configuration.accountId, region: configuration.region),
                 configuration: configuration, hub: hub, metrics: metrics, link: nil)
    }

    /// One partition's services on its store; `link` reaches the other partitions' buses.
    static func services(store: StackStore, partition: StackPartition, configuration: StackConfiguration,
                         hub: StreamHub, metrics: StackMetrics, link: PartitionLink?) -> [any StackService] {
        let clock = configuration.clock
        let accountId = partition.accountId, region = partition.region
        let queues = QueueService(store: store, accountId: accountId, region: region, defaultRegion: configuration.region,
                                  clock: clock, hub: hub)
        // Bus and sagas reach each other (rules start executions, tasks put events): the saga
        // service is built first with a link the bus is bound to once it exists.
        let busLink = ServiceLink()
        let sagas = SagaService(store: store, accountId: accountId, region: region,
                                queues: queues, bus: busLink, hub: hub, metrics: metrics, clock: clock)
        let bus = BusService(store: store, accountId: accountId, region: region, queues: queues, hub: hub,
                             sinks: [sagas.stateMachineSink], metrics: metrics, partitions: link, clock: clock)
        busLink.bind(bus)
        let registry = RegistryService(store: store, accountId: accountId, region: region, clock: clock)
        return [queues, bus, registry, sagas]
    }

    /// The breaker board and chaos are the whole stack's, on the default partition's store and
    /// stream; the stream serves each partition's own (`StreamRoute`).
    public static func extensions(store: StackStore, configuration: StackConfiguration,
                                  hub: StreamHub = StreamHub(), partitions: StackPartitions? = nil) -> [any StackRouteExtension] {
        let stream: [any StackRouteExtension] = configuration.liveStream
            ? [StreamRoute(hub: hub, partitions: partitions, authenticator: configuration.authenticator)] : []
        return stream + [
            BreakerBoardRoute(board: BreakerBoard(store: store, hub: hub, readOnly: configuration.readOnly,
                                                  clock: configuration.clock)),
            ChaosRoute(board: ChaosBoard(), readOnly: configuration.readOnly),
        ]
    }
}
