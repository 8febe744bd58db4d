import Chaos
import JSON
import Testing

@Suite struct ChaosSpecTests {
    @Test func parsesTheIssueExample() throws {
        let spec = try ChaosSpec(parsing: "payment.error=0.3,payment.latency=800ms,shipping.error=0.05,analytics.poison=0.01,inventory.down")
        #expect(spec.faults.count == 5)
        #expect(spec.errorProbability("payment") == 0.3)
        #expect(spec.latency("payment") == .milliseconds(800))
        #expect(spec.errorProbability("shipping") == 0.05)
        #expect(spec.poisonProbability("analytics") == 0.01)
        #expect(spec.isDown("inventory"))
        #expect(!spec.isDown("payment"))
        #expect(spec.errorProbability("inventory") == 0)
        #expect(spec.latency("shipping") == .zero)
    }

    @Test func emptyAndBlankSpecsMeanNoFaults() throws {
        #expect(try ChaosSpec(parsing: "").isEmpty)
        #expect(try ChaosSpec(parsing: "  ").isEmpty)
        #expect(ChaosSpec.none.text == "")
        #expect(ChaosSpec.none.description == "no faults")
    }

    @Test func textIsCanonicalAndRoundTrips() throws {
        let spec = try ChaosSpec(parsing: " payment.error = .5 , payment.latency=1.5s,inventory.down, analytics.poison=1")
        #expect(spec.text == "payment.error=0.5,payment.latency=1500ms,inventory.down,analytics.poison=1")
        #expect(try ChaosSpec(parsing: spec.text) == spec)
    }

    @Test func durationsInSecondsAndMilliseconds() throws {
        #expect(try ChaosSpec(parsing: "order.latency=2s").latency("order") == .seconds(2))
        #expect(try ChaosSpec(parsing: "order.latency=0ms").latency("order") == .zero)
        #expect(try ChaosSpec(parsing: "order.latency=60s").latency("order") == .seconds(60))
    }

    @Test func probabilitiesAtTheBounds() throws {
        #expect(try ChaosSpec(parsing: "payment.error=0").errorProbability("payment") == 0)
        #expect(try ChaosSpec(parsing: "payment.error=1").errorProbability("payment") == 1)
        #expect(try ChaosSpec(parsing: "payment.error=1.0").errorProbability("payment") == 1)
    }

    @Test func jsonListsEveryFault() throws {
        let spec = try ChaosSpec(parsing: "payment.error=0.3,payment.latency=800ms,inventory.down")
        let json = spec.json
        #expect(json["spec"]?.stringValue == "payment.error=0.3,payment.latency=800ms,inventory.down")
        let faults = try #require(json["faults"]?.arrayValue)
        #expect(faults.count == 3)
        #expect(faults[0] == ["service": "payment", "fault": "error", "probability": 0.3])
        #expect(faults[1] == ["service": "payment", "fault": "latency", "milliseconds": 800])
        #expect(faults[2] == ["service": "inventory", "fault": "down"])
    }

    /// Every malformed spec is refused whole, and the error quotes the item at fault.
    @Test(arguments: [
        ("payment.error=0.3,,inventory.down", "payment.error=0.3,,inventory.down", "empty"),
        ("payment.error=0.3,", "payment.error=0.3,", "empty"),
        (",payment.error=0.3", ",payment.error=0.3", "empty"),
        ("payment", "payment", "service.fault"),
        ("payment.", "payment.", "service.fault"),
        (".error=0.3", ".error=0.3", "service.fault"),
        ("payment.error.rate=0.3", "payment.error.rate=0.3", "service.fault"),
        ("paymnet.error=0.3", "paymnet.error=0.3", "unknown service 'paymnet'"),
        ("payment.explode", "payment.explode", "unknown fault 'explode'"),
        ("payment.poison=0.1", "payment.poison=0.1", "no 'poison' fault"),
        ("payment.error", "payment.error", "needs a probability"),
        ("payment.error=", "payment.error=", "needs a probability"),
        ("payment.error=1.5", "payment.error=1.5", "not a probability"),
        ("payment.error=-0.1", "payment.error=-0.1", "not a probability"),
        ("payment.error=nan", "payment.error=nan", "not a probability"),
        ("payment.error=1e-1", "payment.error=1e-1", "not a probability"),
        ("payment.error=0.3.1", "payment.error=0.3.1", "not a probability"),
        ("payment.error=30%", "payment.error=30%", "not a probability"),
        ("analytics.poison=2", "analytics.poison=2", "not a probability"),
        ("payment.latency", "payment.latency", "needs a duration"),
        ("payment.latency=800", "payment.latency=800", "needs a unit"),
        ("payment.latency=fast", "payment.latency=fast", "needs a unit"),
        ("payment.latency=ms", "payment.latency=ms", "not a duration"),
        ("payment.latency=-5ms", "payment.latency=-5ms", "not a duration"),
        ("payment.latency=0.5ms", "payment.latency=0.5ms", "finer than a millisecond"),
        ("payment.latency=61s", "payment.latency=61s", "longer than 60s"),
        ("inventory.down=1", "inventory.down=1", "takes no value"),
        ("inventory.down=", "inventory.down=", "takes no value"),
        ("payment.error=0.1,shipping.down,payment.error=0.2", "payment.error=0.2", "more than once"),
    ])
    func malformedSpecsAreRefusedNamingThePart(spec: String, part: String, reason: String) {
        #expect {
            _ = try ChaosSpec(parsing: spec)
        } throws: { error in
            guard let error = error as? ChaosSpecError else { return false }
            return error.part == part && error.reason.contains(reason) && error.description.contains(part)
        }
    }

    @Test func overlongSpecIsRefused() {
        let long = Array(repeating: "payment.error=0.1", count: 100).joined(separator: ",")
        #expect(throws: ChaosSpecError.self) { _ = try ChaosSpec(parsing: long) }
    }

    @Test func everyServiceAcceptsDownAndErrors() throws {
        for (service, _) in ChaosSpec.services {
            let spec = try ChaosSpec(parsing: "\(service).down,\(service).error=0.2,\(service).latency=10ms")
            #expect(spec.isDown(service))
            #expect(spec.errorProbability(service) == 0.2)
        }
    }

    @Test func everyDependencyAcceptsDownErrorsAndLatencyButNotPoison() throws {
        #expect(ChaosSpec.dependencies.map(\.name) == ["warehouse-db", "payment-gateway", "carrier-api", "mail-provider"])
        for (dependency, caller) in ChaosSpec.dependencies {
            let spec = try ChaosSpec(parsing: "\(dependency).down,\(dependency).error=0.25,\(dependency).latency=2s")
            #expect(spec.isDown(dependency))
            #expect(!spec.isDown(caller))
            #expect(spec.errorProbability(dependency) == 0.25)
            #expect(spec.latency(dependency) == .seconds(2))
            #expect(throws: ChaosSpecError.self) { _ = try ChaosSpec(parsing: "\(dependency).poison=0.1") }
        }
    }

    @Test func dependencyFaultsKeepTheWireShape() throws {
        let spec = try ChaosSpec(parsing: "payment-gateway.error=1,mail-provider.down")
        #expect(spec.text == "payment-gateway.error=1,mail-provider.down")
        #expect(spec.json["faults"]?.arrayValue?.first == ["service": "payment-gateway", "fault": "error", "probability": 1])
        #expect(try ChaosSpec(parsing: spec.text) == spec)
    }

    @Test func anUnknownTargetNamesServicesAndDependencies() {
        do {
            _ = try ChaosSpec(parsing: "payment-gatway.error=1")
            Issue.record("accepted a misspelt dependency")
        } catch {
            #expect(error.reason.contains("unknown service 'payment-gatway'"))
            #expect(error.reason.contains("payment-gateway"))
        }
    }
}
