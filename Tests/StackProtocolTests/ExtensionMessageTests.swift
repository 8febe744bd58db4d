import Chaos
import CircuitBreaker
import JSON
import StackProtocol
import Testing

@Suite("Breaker board, chaos and health messages")
struct ExtensionMessageTests {
    @Test("board answers and requests survive encode then decode")
    func boardRoundTrips() throws {
        let entry = try Fixtures.entry(override: true)
        #expect(try BreakerBoardEntry(json: entry.json) == entry)
        let listing = BreakerBoardListing(breakers: [try Fixtures.entry(), entry])
        #expect(try BreakerBoardListing(json: listing.json) == listing)
        #expect(listing.json["version"] == 1)
        let result = BreakerOverrideResult(entry: entry, audit: Fixtures.audit())
        #expect(try BreakerOverrideResult(json: result.json) == result)
        let audit = BreakerAuditListing(entries: [Fixtures.audit()])
        #expect(try BreakerAuditListing(json: audit.json) == audit)
        for answer in [BreakerReportAnswer(override: nil), BreakerReportAnswer(override: .forceClosed(by: "bob", reason: "x"))] {
            #expect(try BreakerReportAnswer(json: answer.json) == answer)
        }
        #expect(BreakerReportAnswer(override: nil).json.serialized == #"{"override":null}"#)
        for request in [BreakerOverrideRequest(mode: .forceOpen, reason: "incident 42", actor: "alice"),
                        BreakerOverrideRequest(mode: .automatic, reason: "done", actor: nil)] {
            #expect(try BreakerOverrideRequest(json: request.json) == request)
        }
    }

    @Test("a board listing keeps the entries it can read and names the ones it cannot")
    func lenientListing() throws {
        let good = try Fixtures.entry().json
        let listing = try BreakerBoardListing(json: ["version": 1, "breakers": [good, ["breaker": ["version": 2]], good]])
        #expect(listing.breakers.count == 2)
        #expect(listing.unreadable.map(\.index) == [1])
        #expect(listing.unreadable.first?.problem.message.contains("breaker") == true)
    }

    @Test("override requests name the member that is wrong", arguments: [
        (#"{"reason":"x"}"#, "mode is required"),
        (#"{"mode":7,"reason":"x"}"#, "mode must be a string, got number"),
        (#"{"mode":"force-sideways","reason":"x"}"#, "mode 'force-sideways' is not one of"),
        (#"{"mode":"force-open"}"#, "reason is required"),
        (#"{"mode":"force-open","reason":42}"#, "reason must be a string"),
        (#"{"mode":"force-open","reason":"x","actor":7}"#, "actor must be a string"),
        (#"["force-open"]"#, "must be a JSON object"),
    ])
    func overrideRequestErrors(body: String, expected: String) throws {
        let json = try JSONValue(parsing: body)
        #expect {
            _ = try BreakerOverrideRequest(json: json)
        } throws: { error in
            (error as? StackProtocolError)?.message.contains(expected) == true
        }
    }

    @Test("chaos requests and answers, health")
    func chaosAndHealth() throws {
        let spec = try ChaosSpec(parsing: "payment.error=0.3,inventory.down")
        #expect(try ChaosRequest(json: ChaosRequest(spec).json) == ChaosRequest(spec: spec.text))
        #expect(try ChaosAnswer(json: ChaosAnswer(spec: spec).json) == ChaosAnswer(spec: spec))
        #expect(ChaosAnswer(spec: spec).json == spec.json)
        #expect(throws: StackProtocolError.self) { try ChaosRequest(json: ["spec": 3]) }
        #expect(throws: StackProtocolError.self) { try ChaosAnswer(json: ["spec": "payment.explode"]) }
        let health = HealthAnswer(services: ["AWSEvents", "AmazonSQS"])
        #expect(health.json.serialized == #"{"status":"ok","services":["AWSEvents","AmazonSQS"]}"#)
        #expect(try HealthAnswer(json: health.json) == health)
    }

    @Test("paths: one percent-encoded segment per name")
    func paths() {
        #expect(ExtensionPaths.segment("payment-gateway") == "payment-gateway")
        #expect(ExtensionPaths.segment("a/b c") == "a%2Fb%20c")
        #expect(ExtensionPaths.segment("配送") == "%E9%85%8D%E9%80%81")
        #expect(ExtensionPaths.breakerOverride(service: "pay ment", dependency: "gw")
            == "/_signalbox/breakers/pay%20ment/gw/override")
        #expect(ExtensionPaths.breakerAudit(limit: 5, dependency: "gw") == "/_signalbox/breakers/audit?limit=5&dependency=gw")
        #expect(ExtensionPaths.breakerListing(service: "payment") == "/_signalbox/breakers?service=payment")
    }

    @Test("an answer means no extension only when the path is not served at all")
    func absence() {
        #expect(NoExtension.isAbsence(status: 404, code: "HTTP404"))
        #expect(NoExtension.isAbsence(status: 405, code: "UnknownOperationException"))
        #expect(!NoExtension.isAbsence(status: 404, code: "BreakerNotFoundException"))
        #expect(!NoExtension.isAbsence(status: 400, code: "ValidationException"))
    }
}
