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

/// The enabled, pattern-bearing rules of one bus, ready to match events against, and the
/// archives that keep its events.
struct BusRoutes: Sendable {
    var index = PatternIndex<String>()
    var rules: [String: RoutedRule] = [:]
    var archives: [ArchiveRoute] = []

    func matches(_ event: JSONValue) -> [RoutedRule] {
        index.matches(event).compactMap { rules[$0] }
    }

    /// The archives that keep `event` (none for a replayed event).
    func archiving(_ event: JSONValue) -> [String] {
        archives.isEmpty ? [] : archives.compactMap { $0.accepts(event) ? $0.name : nil }
    }

    /// A bus's rules and targets as stored, read inside a transaction (so they agree with what
    /// it committed) and compiled outside it: compiling 300 rules takes milliseconds, which the
    /// store's single writer should spend on PutEvents.
    struct Stored: Sendable {
        var bus: String
        var targets: [(rule: String, spec: String)]
        var rules: [(name: String, pattern: String)]
        var archives: [(name: String, pattern: String?)]

        init(_ db: Database, bus: String) throws {
            self.bus = bus
            targets = try Row.fetchAll(db, sql: "SELECT rule, spec FROM eb_target WHERE bus = ? ORDER BY rule, position",
                                       arguments: [bus]).map { ($0[0], $0[1]) }
            rules = try Row.fetchAll(db, sql: """
                SELECT name, pattern FROM eb_rule WHERE bus = ? AND state = 'ENABLED' AND pattern IS NOT NULL ORDER BY name
                """, arguments: [bus]).map { ($0[0], $0[1]) }
            archives = try Row.fetchAll(db, sql: "SELECT name, pattern FROM eb_archive WHERE bus = ? ORDER BY name",
                                        arguments: [bus]).map { ($0[0], $0[1]) }
        }
    }

    init() {}

    /// Compiles stored rules and targets. Every row was checked when it was written; one that
    /// fails to parse now is skipped rather than taking the whole bus down.
    init(_ stored: Stored, naming: BusNaming) {
        var targetsByRule: [String: [BusTarget]] = [:]
        for (rule, text) in stored.targets {
            if let json = try? JSONValue(parsing: text), let target = try? BusTarget(json) {
                targetsByRule[rule, default: []].append(target)
            }
        }
        var entries: [(String, EventPattern)] = []
        for (name, text) in stored.rules {
            guard let pattern = try? EventPattern(parsing: text, maximumLength: nil) else { continue }
            entries.append((name, pattern))
            rules[name] = RoutedRule(name: name, arn: naming.ruleArn(name, bus: stored.bus),
                                     targets: targetsByRule[name] ?? [], naming: naming)
        }
        index = PatternIndex(entries)
        archives = stored.archives.map { name, text in
            ArchiveRoute(name: name, pattern: text.flatMap { try? EventPattern(parsing: $0, maximumLength: nil) })
        }
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
