import Foundation
import Logging

/// The one list of services and extensions the stack runs, and their store migrations.
/// A new service adds itself here (and its migrations) — nowhere else.
public enum StackAssembly {
    /// Opens (or creates) the store in the configured data directory and builds the server.
    /// `metrics` is given by a caller that reads the counters itself (a bench counting calls).
    public static func makeServer(configuration: StackConfiguration, metrics: StackMetrics = StackMetrics(),
                                  logger: Logger = StackAssembly.quietLogger) throws -> StackServer {
        let store = try StackStore(directory: configuration.dataDirectory, migrations: migrations)
        let hub = StreamHub()
        return StackServer(configuration: configuration,
                           services: services(store: store, configuration: configuration, hub: hub, metrics: metrics),
                           extensions: extensions(store: store, configuration: configuration, hub: hub),
                           metrics: metrics, logger: logger)
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

    /// `hub` is the live stream the services publish to (shared with `extensions`); `metrics`
    /// is what they count on (the server's `/metrics` serves it).
    public static func services(store: StackStore, configuration: StackConfiguration,
                                hub: StreamHub = StreamHub(), metrics: StackMetrics = StackMetrics()) -> [any StackService] {
        let clock = configuration.clock
        let queues = QueueService(store: store, accountId: configuration.accountId, region: configuration.region,
                                  clock: clock, hub: hub)
        // Bus and sagas reach each other (rules start executions, tasks put events): the saga
        // service is built first with a link the bus is bound to once it exists.
        let busLink = ServiceLink()
        let sagas = SagaService(store: store, accountId: configuration.accountId, region: configuration.region,
                                queues: queues, bus: busLink, hub: hub, metrics: metrics, clock: clock)
        let bus = BusService(store: store, accountId: configuration.accountId, region: configuration.region,
                             queues: queues, hub: hub, sinks: [sagas.stateMachineSink], metrics: metrics, clock: clock)
        busLink.bind(bus)
        let registry = RegistryService(store: store, accountId: configuration.accountId, region: configuration.region,
                                       clock: clock)
        return [queues, bus, registry, sagas]
    }

    public static func extensions(store: StackStore, configuration: StackConfiguration,
                                  hub: StreamHub = StreamHub()) -> [any StackRouteExtension] {
        let stream: [any StackRouteExtension] = configuration.liveStream ? [StreamRoute(hub: hub)] : []
        return stream + [
            BreakerBoardRoute(board: BreakerBoard(store: store, hub: hub, readOnly: configuration.readOnly,
                                                  clock: configuration.clock)),
            ChaosRoute(board: ChaosBoard(), readOnly: configuration.readOnly),
        ]
    }
}
