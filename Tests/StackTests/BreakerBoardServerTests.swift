import CircuitBreaker
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSON
import Testing
@testable import Stack

/// The breaker board over real HTTP: the stack's own server on a loopback ephemeral port.
@Suite("Breaker board over HTTP")
struct BreakerBoardServerTests {
    /// Runs the assembled stack on 127.0.0.1:0 for `body`, then stops it.
    func withServer(readOnly: Bool = false, _ body: @Sendable (String) async throws -> Void) async throws {
        try await withStackServer(label: "breaker-board-test", configure: { $0.readOnly = readOnly }) { host in
            try await body("http://\(host)")
        }
    }

    func call(_ method: String, _ url: String, _ body: JSONValue? = nil) async throws -> (status: Int, body: JSONValue, contentType: String?) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8Bytes)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, try JSONValue(parsing: [UInt8](data)), http.value(forHTTPHeaderField: "Content-Type"))
    }

    @Test("report, list, override, hear it on the next report, read the audit trail")
    func roundTrip() async throws {
        try await withServer { endpoint in
            let breakers = endpoint + "/_signalbox/breakers"
            let breaker = try CircuitBreaker(id: BreakerID(service: "payment", dependency: "payment-gateway"))
            let first = try await call("PUT", breakers + "/payment/payment-gateway", breaker.snapshot().json)
            #expect(first.status == 200)
            #expect(first.body == ["override": .null])
            #expect(first.contentType == "application/json")
            let list = try await call("GET", breakers)
            #expect(list.body["breakers"]?.arrayValue?.count == 1)
            let set = try await call("POST", breakers + "/payment/payment-gateway/override",
                                     ["mode": "force-open", "reason": "incident 7", "actor": "dana"])
            #expect(set.status == 200)
            #expect(set.body["audit"]?["to"] == "forced-open")
            let next = try await call("PUT", breakers + "/payment/payment-gateway", breaker.snapshot().json)
            let override = try BreakerOverride(json: try #require(next.body["override"]))
            #expect(breaker.apply(override))
            #expect(breaker.snapshot().state == .forcedOpen)
            #expect(breaker.snapshot().lastTransition?.reason.contains("dana") == true)
            let audit = try await call("GET", breakers + "/audit?limit=5&service=payment")
            #expect(audit.body["entries"]?.arrayValue?.count == 1)
            let missing = try await call("GET", breakers + "/payment/nothing")
            #expect(missing.status == 404)
            #expect(missing.body["__type"] == "BreakerNotFoundException")
            // The AWS front door still owns POST elsewhere.
            let health = try await call("GET", endpoint + "/_signalbox/health")
            #expect(health.body["status"] == "ok")
        }
    }

    @Test("a --readonly stack answers 403 to overrides")
    func readOnlyServer() async throws {
        try await withServer(readOnly: true) { endpoint in
            let breakers = endpoint + "/_signalbox/breakers"
            let snapshot = try breakerSnapshot("payment", "gateway")
            #expect(try await call("PUT", breakers + "/payment/gateway", snapshot.json).status == 200)
            let refused = try await call("POST", breakers + "/payment/gateway/override",
                                         ["mode": "force-open", "reason": "x"])
            #expect(refused.status == 403)
            #expect(refused.body["__type"] == "ReadOnlyModeException")
        }
    }
}
