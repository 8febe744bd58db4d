import CircuitBreaker
import Foundation
import JSON
import Testing
import Timekeeping

@Suite struct SnapshotJSONTests {
    /// A payment breaker that tripped: the shape the breaker board stores and serves.
    func trippedSnapshot() throws -> BreakerSnapshot {
        let clock = ManualClock(wallClock: UnixTime(milliseconds: 1_800_000_000_000))
        let breaker = try makeBreaker(.init(
            slidingWindow: .count(size: 10), minimumNumberOfCalls: 5, failureRateThreshold: 50,
            slowCallRateThreshold: 80, slowCallDurationThreshold: .seconds(2),
            waitDurationInOpen: .seconds(30), permittedCallsInHalfOpen: 3, callTimeout: .seconds(5)), clock: clock)
        try breaker.succeed(2, taking: .milliseconds(20))
        breaker.onTimeout(try breaker.acquirePermission(), duration: .seconds(5))
        clock.advance(by: .milliseconds(500))
        try breaker.fail(2, taking: .milliseconds(300))
        clock.advance(by: .seconds(12))
        _ = try? breaker.acquirePermission()
        return breaker.snapshot()
    }

    @Test func snapshotHasTheDocumentedShape() throws {
        let expected = """
        {"version":1,"service":"payment","dependency":"payment-gateway","state":"open",\
        "config":{"slidingWindow":{"kind":"count","size":10},"minimumNumberOfCalls":5,\
        "failureRateThreshold":50,"slowCallRateThreshold":80,"slowCallDurationThresholdMs":2000,\
        "waitDurationInOpenMs":30000,"permittedCallsInHalfOpen":3,"maxWaitDurationInHalfOpenMs":null,\
        "callTimeoutMs":5000},\
        "window":{"kind":"count","size":10,"minimumCalls":5,"belowMinimumCalls":false,"calls":5,\
        "successes":2,"failures":3,"timeouts":1,"slowCalls":1,"failureRate":60,"slowCallRate":20,\
        "shortCircuited":1},\
        "latency":{"samples":5,"p50Ms":303.331,"p95Ms":5072.497,"p99Ms":5072.497},\
        "totals":{"calls":5,"successes":2,"failures":3,"timeouts":1,"slowCalls":1,"ignored":0,\
        "shortCircuited":1},\
        "halfOpen":null,"retryAt":1800000030.5,\
        "lastTransition":{"from":"closed","to":"open","at":1800000000.5,\
        "reason":"failure rate 60% ≥ 50% over 5 calls"},\
        "override":null,"takenAt":1800000012.5}
        """
        let actual = try trippedSnapshot().json.serialized
        #expect(actual == expected)
    }

    @Test func snapshotRoundTripsThroughJSONValueAndText() throws {
        var snapshot = try trippedSnapshot()
        snapshot.override = BreakerOverride(mode: .forceOpen, reason: "incident 123", actor: "alice", at: 1_800_000_001)
        snapshot.halfOpen = HalfOpenTrial(permittedCalls: 3, completedCalls: 1, inFlightCalls: 2)
        snapshot.configuration.slidingWindow = .time(seconds: 60)
        snapshot.configuration.maxWaitDurationInHalfOpen = .milliseconds(1500)
        let text = snapshot.json.serialized
        let decoded = try BreakerSnapshot(json: try JSONValue(parsing: text))
        #expect(decoded.json == snapshot.json)
        #expect(decoded.override == snapshot.override)
        #expect(decoded.configuration == snapshot.configuration)
    }

    @Test func codableUsesTheSameShape() throws {
        let snapshot = try trippedSnapshot()
        let data = try JSONEncoder().encode(snapshot)
        #expect(sortingKeys(try JSONValue(parsing: Array(data))) == sortingKeys(snapshot.json))
        let decoded = try JSONDecoder().decode(BreakerSnapshot.self, from: data)
        #expect(decoded.json == snapshot.json)
        let override = try JSONDecoder().decode(
            BreakerOverride.self, from: Data(#"{"mode":"force-closed","reason":"false alarm","actor":"bob"}"#.utf8))
        #expect(override == .forceClosed(by: "bob", reason: "false alarm"))
    }

    @Test(arguments: [
        (#"{"version":2}"#, "version", "unsupported breaker snapshot version 2; this reader knows 1"),
        (#"[]"#, "", "expected an object, got array"),
    ])
    func rejectsWhatItCannotRead(text: String, path: String, message: String) throws {
        let error = #expect(throws: BreakerDecodingError.self) { try BreakerSnapshot(json: try JSONValue(parsing: text)) }
        #expect(error == BreakerDecodingError(path: path, message: message))
    }

    @Test func decodingErrorsNameTheField() throws {
        let good = try trippedSnapshot().json
        func mutated(_ change: (inout JSONObject) -> Void) -> JSONValue {
            var object = good.objectValue!
            change(&object)
            return .object(object)
        }
        func nested(_ key: String, _ field: String, _ value: JSONValue) -> JSONValue {
            mutated { object in
                var inner = object[key]!.objectValue!
                inner[field] = value
                object[key] = .object(inner)
            }
        }
        let cases: [(JSONValue, String)] = [
            (mutated { $0["state"] = "ajar" },
             #"state: unknown value "ajar"; expected one of "closed", "open", "half-open", "forced-open", "forced-closed""#),
            (mutated { $0["service"] = "" }, "service: must not be empty"),
            (mutated { $0["dependency"] = "gate\u{1B}[2Jway" }, "dependency: must not contain control character U+001B"),
            (mutated { $0["totals"] = nil }, "totals: is required"),
            (nested("window", "calls", -1), "window.calls: expected a non-negative integer, got -1"),
            (nested("window", "calls", 1.5), "window.calls: expected a non-negative integer, got 1.5"),
            (nested("window", "kind", "sliding"), #"window.kind: unknown window kind "sliding"; expected "count" or "time""#),
            (nested("config", "failureRateThreshold", 0),
             "config.failureRateThreshold: must be a percentage above 0 and at most 100, got 0"),
            (nested("config", "waitDurationInOpenMs", "30s"), "config.waitDurationInOpenMs: expected a number, got string"),
            (nested("latency", "p50Ms", -3), "latency.p50Ms: expected a non-negative number of milliseconds, got -3"),
            (mutated { $0["override"] = ["mode": "force-ajar", "actor": "x"] },
             #"override.mode: unknown value "force-ajar"; expected one of "force-open", "force-closed", "automatic""#),
            (mutated { $0["lastTransition"] = ["from": "closed", "to": "open", "reason": "r"] },
             "lastTransition.at: is required"),
        ]
        for (json, message) in cases {
            let error = #expect(throws: BreakerDecodingError.self) { try BreakerSnapshot(json: json) }
            #expect(error?.description == message)
        }
    }
}

/// The value with every object's keys in sorted order (Foundation's encoder does not keep order).
func sortingKeys(_ value: JSONValue) -> JSONValue {
    switch value {
    case .array(let items): .array(items.map(sortingKeys))
    case .object(let object):
        .object(JSONObject(uniqueKeysWithValues: object.keys.sorted().map { ($0, sortingKeys(object[$0]!)) }))
    default: value
    }
}
