import ArgumentParser
import Chaos
import Demo

/// `--rate` and `--chaos`, shared by `demo`, `serve --demo` and bare `signalbox`, validated
/// before anything starts so a typo is refused with the part at fault named.
struct DemoFlags: ParsableArguments {
    @Option(help: "Orders placed per second, minute or hour: 20/s, 5/m, 30/h (default 2/s).")
    var rate: String?

    @Option(help: ArgumentHelp(
        "Faults to inject at start, e.g. payment.error=0.3,payment.latency=800ms,inventory.down.",
        discussion: "service.fault[=value]; services order, inventory, payment, shipping, notification, analytics; faults error=P, latency=800ms|2s, poison=P (analytics), down."))
    var chaos: String?

    static let defaultRate = OrderRate(count: 2, per: .second)

    func validate() throws {
        if let rate {
            do { _ = try OrderRate(parsing: rate) } catch { throw ValidationError("--rate: \(error)") }
        }
        if let chaos {
            do { _ = try ChaosSpec(parsing: chaos) } catch { throw ValidationError("--chaos: \(error)") }
        }
    }

    var given: Bool { rate != nil || chaos != nil }

    /// The validated rate (`validate` ran first).
    var orderRate: OrderRate { rate.flatMap { try? OrderRate(parsing: $0) } ?? Self.defaultRate }

    /// The validated starting faults, nil when none were given.
    var chaosSpec: ChaosSpec? { chaos.flatMap { try? ChaosSpec(parsing: $0) } }
}
