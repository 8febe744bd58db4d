import GRDB
import JSON
import Patterns
import Synchronization

/// One rule as routing sees it: its compiled pattern lives in the bus's `PatternIndex`.
struct RoutedRule: Sendable {
    var name: String
    var arn: String
    var targets: [BusTarget]
    /// Each target's kind, resolved from its ARN once rather than per event.
    var kinds: [BusTargetKind?]

    init(name: String, arn: String, targets: [BusTarget], naming: BusNaming) {
        self.name = name
        self.arn = arn
        self.targets = targets
        self.kinds = targets.map { $0.kind(naming: naming) }
    }
}

/// The enabled, pattern-bearing rules of one bus, ready to match events against.
struct BusRoutes: Sendable {
    var index = PatternIndex<String>()
    var rules: [String: RoutedRule] = [:]

    func matches(_ event: JSONValue) -> [RoutedRule] {
        index.matches(event).compactMap { rules[$0] }
    }

    /// Reads a bus's routes inside a transaction (so they agree with what just committed).
    static func load(_ db: Database, bus: String, naming: BusNaming) throws -> BusRoutes {
        var routes = BusRoutes()
        var targetsByRule: [String: [BusTarget]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT rule, spec FROM eb_target WHERE bus = ? ORDER BY rule, position", arguments: [bus]) {
            let rule: String = row[0], text: String = row[1]
            if let json = try? JSONValue(parsing: text), let target = try? BusTarget(json) {
                targetsByRule[rule, default: []].append(target)
            }
        }
        var entries: [(String, EventPattern)] = []
        for row in try Row.fetchAll(db, sql: "SELECT name, pattern FROM eb_rule WHERE bus = ? AND state = 'ENABLED' AND pattern IS NOT NULL ORDER BY name", arguments: [bus]) {
            let name: String = row[0]
            let text: String = row[1]
            guard let pattern = try? EventPattern(parsing: text, maximumLength: nil) else { continue }
            entries.append((name, pattern))
            routes.rules[name] = RoutedRule(name: name, arn: naming.ruleArn(name, bus: bus), targets: targetsByRule[name] ?? [], naming: naming)
        }
        routes.index = PatternIndex(entries)
        return routes
    }
}

/// The routing table of every bus, swapped whole after each committed rule or target change.
/// PutEvents reads it without touching the store; a generation number keeps a slower swap from
/// replacing a newer table.
final class BusRouter: Sendable {
    private struct State {
        var buses: [String: BusRoutes] = [:]
        var generations: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let nextGeneration = Mutex(0)

    /// A new generation number; call inside the write transaction whose result it labels.
    func generation() -> Int { nextGeneration.withLock { $0 += 1; return $0 } }

    func install(_ routes: BusRoutes?, bus: String, generation: Int) {
        state.withLock { state in
            guard state.generations[bus, default: -1] < generation else { return }
            state.generations[bus] = generation
            state.buses[bus] = routes
        }
    }

    func routes(_ bus: String) -> BusRoutes? { state.withLock { $0.buses[bus] } }

    /// Every bus's routes, for delivery (bus-to-bus hops) inside one PutEvents.
    func snapshot() -> [String: BusRoutes] { state.withLock { $0.buses } }

    var ruleCount: Int { state.withLock { $0.buses.values.reduce(0) { $0 + $1.rules.count } } }
}
