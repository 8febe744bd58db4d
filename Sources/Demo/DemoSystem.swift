import AsyncHTTPClient
import Chaos
import CircuitBreaker
import Foundation
import StackClient
import Timekeeping

/// How the demo runs: its order rate and starting faults, and where its log lines go.
public struct DemoOptions: Sendable {
    public var rate: OrderRate
    /// The faults to start with; nil follows whatever the endpoint's `/_signalbox/chaos` says.
    public var chaos: ChaosSpec?
    /// Concurrent GetActivityTask pollers per activity.
    public var pollersPerActivity: Int
    /// The IAM role for the bus rule and the state machine (AWS); nil makes one up (local).
    public var roleArn: String?
    /// How often the counts line is logged.
    public var logEvery: Duration
    /// Receives one line per `logEvery` and one per notable change (setup, chaos, breaker).
    public var log: @Sendable (String) -> Void
    /// The demo's one source of time: order pacing, injected latency, polling and heartbeat
    /// intervals, and the payment breaker.
    public var clock: any TimeSource

    public init(rate: OrderRate = OrderRate(count: 2, per: .second), chaos: ChaosSpec? = nil,
                pollersPerActivity: Int = 3, roleArn: String? = nil, logEvery: Duration = .seconds(1),
                log: @escaping @Sendable (String) -> Void = { _ in }, clock: any TimeSource = SystemClock()) {
        self.rate = rate
        self.chaos = chaos
        self.pollersPerActivity = pollersPerActivity
        self.roleArn = roleArn
        self.logEvery = logEvery
        self.log = log
        self.clock = clock
    }
}

/// The order-fulfilment system of the seeds on one endpoint: order, inventory, payment,
/// shipping, notification and analytics services, all through public APIs (StackClient).
/// `run` sets the endpoint up and then runs every service until its task is cancelled.
public final class DemoSystem: Sendable {
    public let endpoint: StackEndpoint
    public let options: DemoOptions
    public let counters = DemoCounters()
    public let chaos: ChaosControl
    /// One breaker per service and outbound dependency, each reported to the breaker board.
    public let breakers: DemoBreakers

    public init(endpoint: StackEndpoint, options: DemoOptions) {
        self.endpoint = endpoint
        self.options = options
        chaos = ChaosControl(options.chaos ?? .none)
        breakers = DemoBreakers(clock: options.clock)
    }

    /// Sets up (idempotently) and runs until cancelled.
    /// - Throws: `DemoError` when setup fails; once running, failures are counted and logged.
    public func run() async throws(DemoError) {
        // A client of its own: a dozen activity long polls would otherwise hold every
        // connection of the shared client's pool (8 per host) and starve the short calls.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(90), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        defer { Task { try? await http.shutdown() } }
        let clock = options.clock
        let client = AWSClient(endpoint: endpoint, httpClient: http, clock: clock)
        let extensions = ExtensionClient(endpoint: endpoint, httpClient: http)
        let resources = try await DemoSetup(client: client, roleArn: options.roleArn, clock: clock).run()
        let log = options.log
        log("demo: set up on \(endpoint.url?.absoluteString ?? "AWS \(endpoint.region)"): bus \(resources.busName), saga \(DemoNames.stateMachine), queues notification and analytics (DLQ analytics-dlq), namespace \(DemoNames.namespace)")
        if resources.sagaTrigger == .direct {
            log("demo: this endpoint's bus cannot target state machines; order-service starts each saga with StartExecution")
        }
        var followEndpoint = true
        if options.chaos != nil {
            switch await chaos.publish(to: extensions) {
            case .stored: break
            case .noExtension:
                followEndpoint = false
                log("demo: this endpoint has no /_signalbox/chaos; the faults given at start stay in force")
            case .refused(let why):
                followEndpoint = false
                log("demo: the endpoint refused the chaos spec (\(why)); the faults given at start stay in force")
            }
        }
        log("demo: placing orders at \(options.rate); chaos: \(chaos.current)")
        let context = ServiceContext(client: client, resources: resources, chaos: chaos, counters: counters,
                                     pollersPerActivity: options.pollersPerActivity, clock: clock)
        let breakers = self.breakers
        func dependency(of service: String, callerFaults: Bool = false) -> SimulatedDependency {
            DemoBreakers.dependency(of: service, chaos: self.chaos, clock: clock, callerFaults: callerFaults)
        }
        let payment = PaymentService(context: context, breaker: breakers.of("payment"),
                                     gateway: PaymentGateway(dependency: dependency(of: "payment", callerFaults: true)))
        let inventory = InventoryService(context: context, breaker: breakers.of("inventory"),
                                         warehouse: dependency(of: "inventory"))
        let shipping = ShippingService(context: context, breaker: breakers.of("shipping"), carrier: dependency(of: "shipping"))
        let notification = NotificationService(context: context, breaker: breakers.of("notification"),
                                               mail: dependency(of: "notification"))
        let workers = inventory.workers() + payment.workers() + shipping.workers()
        let counters = counters
        let chaos = chaos
        let logEvery = options.logEvery
        let rate = options.rate
        await withDiscardingTaskGroup { group in
            if followEndpoint {
                group.addTask { await chaos.follow(extensions, clock: clock) { spec in log("demo: chaos now \(spec)") } }
            }
            group.addTask { await ServiceInstances(context: context).run() }
            for worker in workers { group.addTask { await worker.run() } }
            group.addTask { await notification.consumer.run() }
            group.addTask { await AnalyticsService(context: context).consumer.run() }
            for breaker in breakers.all {
                group.addTask {
                    if await BreakerReporter(client: extensions, breaker: breaker, clock: clock).run() == .noBoard,
                       breaker.id == breakers.all[0].id {
                        log("demo: no breaker board on this endpoint; the breakers are not reported")
                    }
                }
                group.addTask {
                    for await transition in breaker.transitions() {
                        log("demo: breaker \(breaker.id): \(transition.from) → \(transition.to) (\(transition.reason))")
                    }
                }
            }
            group.addTask { await OrderService(context: context, rate: rate).run() }
            group.addTask {
                await Self.logCounts(counters: counters, breakers: breakers, chaos: chaos, every: logEvery, clock: clock, log: log)
            }
            // Every child runs until cancelled; wait here for that.
            while !Task.isCancelled { try? await clock.sleep(for: .seconds(3600)) }
            group.cancelAll()
        }
    }

    private static func logCounts(counters: DemoCounters, breakers: DemoBreakers, chaos: ChaosControl,
                                  every interval: Duration, clock: any TimeSource,
                                  log: @Sendable (String) -> Void) async {
        var previous = counters.snapshot()
        while !Task.isCancelled {
            try? await clock.sleep(for: interval)
            let now = counters.snapshot()
            log(countsLine(now: now, previous: previous, breaker: breakers.of("payment").state.rawValue,
                           others: breakers.all.filter { $0.state != .closed && $0.id.service != "payment" }
                               .map { "\($0.id.service)→\($0.id.dependency) \($0.state.rawValue)" },
                           chaos: chaos.current,
                           lastError: counters.takeLastError()))
            previous = now
        }
    }

    /// `orders 120 (+5) reserved 118 charged 90 declined 20 short-circuited 8 …`: totals, with
    /// the last interval's new orders.
    /// `breaker` is the payment breaker's state (the line has always shown it); `others` names
    /// the other breakers that are not closed.
    static func countsLine(now: [DemoCounters.Key: Int], previous: [DemoCounters.Key: Int], breaker: String,
                           others: [String] = [], chaos: ChaosSpec, lastError: String?) -> String {
        func value(_ key: DemoCounters.Key) -> Int { now[key] ?? 0 }
        let newOrders = value(.ordersPlaced) - (previous[.ordersPlaced] ?? 0)
        var line = "demo: orders \(value(.ordersPlaced)) (+\(newOrders))"
        line += " reserved \(value(.reserved)) charged \(value(.charged)) declined \(value(.chargeFailed))"
        line += " short-circuited \(value(.shortCircuited)) shipped \(value(.shipped))"
        line += " refunded \(value(.refunded)) released \(value(.released))"
        line += " notified \(value(.notified)) analytics \(value(.analyzed)) poison \(value(.poisoned))"
        line += " | breaker \(breaker)"
        if !others.isEmpty { line += " (" + others.joined(separator: ", ") + ")" }
        line += " | chaos \(chaos)"
        let errors = value(.callErrors) - (previous[.callErrors] ?? 0)
        if errors > 0 { line += " | \(errors) failed calls, last: \(oneLine(lastError ?? "?"))" }
        return line
    }

    /// An endpoint's error text (an HTML page, say) as one short line of printable text.
    static func oneLine(_ text: String, limit: Int = 160) -> String {
        let words = text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : String($0) }.joined()
            .split(whereSeparator: \.isWhitespace)
        let line = words.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }
}
