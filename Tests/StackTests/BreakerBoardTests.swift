import CircuitBreaker
import Foundation
import JSON
import StackProtocol
import Testing
import Timekeeping
@testable import Stack

@Suite("Breaker board")
struct BreakerBoardTests {
    let base = "/_signalbox/breakers"

    @Test("a first report puts the breaker on the board; the list is sorted and filterable")
    func reportAndList() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        #expect(await board.call("GET", base).body == ["version": 1, "breakers": []])
        for (service, dependency) in [("shipping", "carrier"), ("payment", "vault"), ("payment", "gateway")] {
            let answer = await board.report(try breakerSnapshot(service, dependency))
            #expect(answer.status == 200)
            #expect(answer.body == ["override": .null])
        }
        let list = await board.call("GET", base)
        #expect(list.status == 200)
        #expect(list.body["version"] == 1)
        let names = list.body["breakers"]?.arrayValue?.map {
            "\($0["breaker"]?["service"]?.stringValue ?? "")/\($0["breaker"]?["dependency"]?.stringValue ?? "")"
        }
        #expect(names == ["payment/gateway", "payment/vault", "shipping/carrier"])
        let first = try #require(list.body["breakers"]?[0])
        #expect(first["reportedAt"]?.doubleValue == board.clock.wallClockNow.seconds)
        #expect(first["stale"] == false)
        #expect(first["override"] == .null)
        #expect(first["breaker"]?["state"] == "closed")
        #expect(first["breaker"]?["version"] == 1)
        let filtered = await board.call("GET", base, query: "service=shipping")
        #expect(filtered.body["breakers"]?.arrayValue?.count == 1)
        let one = await board.call("GET", base + "/payment/vault")
        #expect(one.status == 200)
        #expect(one.body["breaker"]?["dependency"] == "vault")
    }

    @Test("an override reaches the service on its next report, and the breaker obeys it")
    func overrideRoundTrip() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        let breaker = try CircuitBreaker(id: BreakerID(service: "payment", dependency: "gateway"))
        #expect(await board.report(breaker.snapshot()).status == 200)
        let set = await board.override("payment", "gateway",
                                       ["mode": "force-open", "reason": "gateway incident 42", "actor": "alice"])
        #expect(set.status == 200)
        #expect(set.body["breaker"]?["override"]?["mode"] == "force-open")
        #expect(set.body["breaker"]?["override"]?["actor"] == "alice")
        #expect(set.body["breaker"]?["override"]?["at"]?.doubleValue == board.clock.wallClockNow.seconds)
        let audit = try #require(set.body["audit"])
        #expect(audit["from"] == "closed")
        #expect(audit["to"] == "forced-open")
        #expect(audit["mode"] == "force-open")
        #expect(audit["actor"] == "alice")
        #expect(audit["reason"] == "gateway incident 42")
        #expect(audit["service"] == "payment")
        #expect(audit["dependency"] == "gateway")

        // The service's next report is answered with the override; it applies it.
        let answer = await board.report(breaker.snapshot())
        let override = try BreakerOverride(json: try #require(answer.body["override"]))
        #expect(override.mode == .forceOpen)
        #expect(breaker.apply(override))
        #expect(breaker.state == .forcedOpen)
        // A force override stands: every report hears it again.
        let again = await board.report(breaker.snapshot())
        #expect(again.body["override"]?["mode"] == "force-open")
        let entry = await board.call("GET", base + "/payment/gateway")
        #expect(entry.body["breaker"]?["state"] == "forced-open")

        let trail = await board.call("GET", base + "/audit")
        #expect(trail.status == 200)
        #expect(trail.body["entries"]?.arrayValue?.count == 1)
        #expect(trail.body["entries"]?[0] == audit)
    }

    @Test("automatic is handed over once, then the board answers null")
    func automaticOnce() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        let breaker = try CircuitBreaker(id: BreakerID(service: "payment", dependency: "gateway"))
        _ = await board.report(breaker.snapshot())
        _ = await board.override("payment", "gateway", ["mode": "force-closed", "reason": "false alarms"])
        let forced = await board.report(breaker.snapshot())
        breaker.apply(try BreakerOverride(json: try #require(forced.body["override"])))
        #expect(breaker.state == .forcedClosed)
        let set = await board.override("payment", "gateway", ["mode": "automatic", "reason": "incident over"])
        #expect(set.status == 200)
        #expect(set.body["audit"]?["from"] == "closed") // the last report was taken before it applied
        #expect(set.body["audit"]?["to"] == "closed")
        #expect(set.body["audit"]?["actor"] == "operator")
        _ = await board.report(breaker.snapshot())
        let reported = await board.call("GET", base + "/payment/gateway")
        #expect(reported.body["override"] == .null) // handed over: cleared
        let next = await board.report(breaker.snapshot())
        #expect(next.body == ["override": .null])
        // The automatic override was handed over exactly once (the report before `next`).
        let trail = await board.call("GET", base + "/audit")
        #expect(trail.body["entries"]?.arrayValue?.map { $0["mode"]?.stringValue ?? "" } == ["automatic", "force-closed"])
    }

    @Test("the service receives automatic before null, and applying it leaves the forced state")
    func automaticReachesService() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        let breaker = try CircuitBreaker(id: BreakerID(service: "payment", dependency: "gateway"))
        _ = await board.report(breaker.snapshot())
        _ = await board.override("payment", "gateway", ["mode": "force-open", "reason": "drain"])
        breaker.apply(try BreakerOverride(json: try #require(await board.report(breaker.snapshot()).body["override"])))
        #expect(breaker.state == .forcedOpen)
        _ = await board.override("payment", "gateway", ["mode": "automatic", "reason": "done"])
        let handed = await board.report(breaker.snapshot())
        #expect(handed.body["override"]?["mode"] == "automatic")
        breaker.apply(try BreakerOverride(json: try #require(handed.body["override"])))
        #expect(breaker.state == .closed)
        #expect(await board.report(breaker.snapshot()).body == ["override": .null])
    }

    @Test("overrides and the audit trail survive a restart; snapshots come back stale")
    func durableAcrossRestart() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        _ = await board.report(try breakerSnapshot("payment", "gateway", state: .open))
        _ = await board.report(try breakerSnapshot("shipping", "carrier"))
        #expect(await board.override("payment", "gateway", ["mode": "force-closed", "reason": "r1", "actor": "bob"]).status == 200)
        #expect(await board.override("shipping", "carrier", ["mode": "automatic", "reason": "r2"]).status == 200)
        board.clock.advance(by: .seconds(60))
        try board.reopen()
        let list = await board.call("GET", base)
        let entries = try #require(list.body["breakers"]?.arrayValue)
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0["stale"] == true })
        #expect(entries[0]["breaker"]?["state"] == "open")
        #expect(entries[0]["override"]?["mode"] == "force-closed")
        #expect(entries[0]["override"]?["actor"] == "bob")
        // The automatic override was never handed over: it still is, once.
        #expect(await board.report(try breakerSnapshot("shipping", "carrier")).body["override"]?["mode"] == "automatic")
        #expect(await board.report(try breakerSnapshot("shipping", "carrier")).body == ["override": .null])
        #expect(await board.report(try breakerSnapshot("payment", "gateway", state: .forcedClosed))
            .body["override"]?["mode"] == "force-closed")
        let trail = await board.call("GET", base + "/audit")
        #expect(trail.body["entries"]?.arrayValue?.map { $0["reason"]?.stringValue ?? "" } == ["r2", "r1"])
        #expect(trail.body["entries"]?[1]?["from"] == "open")
        #expect(trail.body["entries"]?[1]?["to"] == "forced-closed")
        // After the handover, a restart hands nothing again.
        try board.reopen()
        #expect(await board.report(try breakerSnapshot("shipping", "carrier")).body == ["override": .null])
    }

    @Test("a breaker silent for more than 10 s is stale until it reports again")
    func staleness() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        _ = await board.report(try breakerSnapshot("payment", "gateway"))
        board.clock.advance(by: .seconds(10))
        #expect(await board.call("GET", base + "/payment/gateway").body["stale"] == false)
        board.clock.advance(by: .seconds(0.5))
        #expect(await board.call("GET", base + "/payment/gateway").body["stale"] == true)
        _ = await board.report(try breakerSnapshot("payment", "gateway"))
        #expect(await board.call("GET", base + "/payment/gateway").body["stale"] == false)
    }

    @Test("the audit trail is newest first, limited and filtered")
    func auditQueries() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        _ = await board.report(try breakerSnapshot("payment", "gateway"))
        _ = await board.report(try breakerSnapshot("payment", "vault"))
        _ = await board.report(try breakerSnapshot("shipping", "carrier"))
        for (index, target) in [("payment", "gateway"), ("payment", "vault"), ("shipping", "carrier"),
                                ("payment", "gateway")].enumerated() {
            board.clock.advance(by: .seconds(1))
            let answer = await board.override(target.0, target.1, ["mode": "force-open", "reason": .string("n\(index)")])
            #expect(answer.status == 200)
        }
        let all = await board.call("GET", base + "/audit")
        let reasons = all.body["entries"]?.arrayValue?.map { $0["reason"]?.stringValue ?? "" }
        #expect(reasons == ["n3", "n2", "n1", "n0"])
        let ids = all.body["entries"]?.arrayValue?.compactMap { $0["id"]?.intValue } ?? []
        #expect(ids == ids.sorted(by: >))
        #expect(await board.call("GET", base + "/audit", query: "limit=2").body["entries"]?.arrayValue?.count == 2)
        let payment = await board.call("GET", base + "/audit", query: "service=payment")
        #expect(payment.body["entries"]?.arrayValue?.map { $0["reason"]?.stringValue ?? "" } == ["n3", "n1", "n0"])
        let gateway = await board.call("GET", base + "/audit", query: "service=payment&dependency=gateway")
        #expect(gateway.body["entries"]?.arrayValue?.map { $0["reason"]?.stringValue ?? "" } == ["n3", "n0"])
        for bad in ["limit=0", "limit=1001", "limit=ten", "service=a%20b"] {
            let answer = await board.call("GET", base + "/audit", query: bad)
            #expect(answer.status == 400, "\(bad)")
            #expect(answer.body["__type"] == "ValidationException", "\(bad)")
        }
    }

    @Test("unknown breakers are 404 and change nothing")
    func notFound() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        let get = await board.call("GET", base + "/payment/gateway")
        #expect(get.status == 404)
        #expect(get.body["__type"] == "BreakerNotFoundException")
        #expect(get.body["message"]?.stringValue?.contains("payment/gateway") == true)
        let post = await board.override("payment", "gateway", ["mode": "force-open", "reason": "x"])
        #expect(post.status == 404)
        #expect(post.body["__type"] == "BreakerNotFoundException")
        #expect(await board.call("GET", base + "/audit").body == ["entries": []])
        #expect(await board.call("GET", base + "/nope/a/b/c").status == 404)
        #expect(await board.call("DELETE", base + "/payment/gateway").status == 405)
    }

    @Test("bad reports and bad overrides are 400s that name what was wrong", arguments: [
        (#"{"mode":"force-sideways","reason":"x"}"#, "mode"),
        (#"{"reason":"x"}"#, "mode is required"),
        (#"{"mode":"force-open"}"#, "reason is required"),
        (#"{"mode":"force-open","reason":"   "}"#, "reason must not be empty"),
        (#"{"mode":"force-open","reason":42}"#, "reason must be a string"),
        (#"{"mode":"force-open","reason":"a\u001b[2Jb"}"#, "U+001B"),
        (#"{"mode":"force-open","reason":"x","actor":7}"#, "actor must be a string"),
        (#"{"mode":"force-open","reason":"x","actor":""}"#, "actor must not be empty"),
        (#"["force-open"]"#, "JSON object"),
        (#"{"mode":"#, "not valid JSON"),
    ])
    func badOverrides(body: String, expected: String) async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        _ = await board.report(try breakerSnapshot("payment", "gateway"))
        let answer = await board.call("POST", base + "/payment/gateway/override", raw: body)
        #expect(answer.status == 400)
        #expect(answer.body["__type"] == "ValidationException")
        #expect(answer.body["message"]?.stringValue?.contains(expected) == true, "\(answer.body)")
        #expect(await board.call("GET", base + "/audit").body == ["entries": []])
        #expect(await board.call("GET", base + "/payment/gateway").body["override"] == .null)
    }

    @Test("a reason over 512 characters is refused; 512 is accepted")
    func reasonLength() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        _ = await board.report(try breakerSnapshot("payment", "gateway"))
        let long = await board.override("payment", "gateway", ["mode": "force-open", "reason": .string(String(repeating: "é", count: 513))])
        #expect(long.status == 400)
        #expect(long.body["message"]?.stringValue?.contains("512") == true)
        let fits = await board.override("payment", "gateway", ["mode": "force-open", "reason": .string(String(repeating: "é", count: 512))])
        #expect(fits.status == 200)
    }

    @Test("bad reports are refused and leave the board unchanged")
    func badReports() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        let snapshot = try breakerSnapshot("payment", "gateway")
        // Body for another breaker than the path.
        let mismatch = await board.call("PUT", base + "/payment/vault", body: snapshot.json)
        #expect(mismatch.status == 400)
        #expect(mismatch.body["message"]?.stringValue?.contains("payment/gateway") == true)
        // Not a snapshot: the message names the field.
        var broken = snapshot.json.objectValue!
        broken["window"] = "lots"
        let shape = await board.call("PUT", base + "/payment/gateway", body: .object(broken))
        #expect(shape.status == 400)
        #expect(shape.body["message"]?.stringValue?.contains("window") == true)
        var future = snapshot.json.objectValue!
        future["version"] = 2
        let version = await board.call("PUT", base + "/payment/gateway", body: .object(future))
        #expect(version.status == 400)
        #expect(version.body["message"]?.stringValue?.contains("version") == true)
        #expect(await board.call("PUT", base + "/payment/gateway", raw: "not json").status == 400)
        // Names outside [A-Za-z0-9._-]{1,128}.
        for path in ["/pay%20ment/gateway", "/pay%1Bment/gateway", "/\(String(repeating: "a", count: 129))/gateway",
                     "/payment/gate%2Fway"] {
            let answer = await board.call("GET", base + path)
            #expect(answer.status == 400, "\(path)")
            #expect(answer.body["__type"] == "ValidationException", "\(path)")
        }
        let spaced = try breakerSnapshot("pay ment", "gateway")
        #expect(await board.call("PUT", base + "/pay%20ment/gateway", body: spaced.json).status == 400)
        #expect(await board.call("GET", base).body == ["version": 1, "breakers": []])
        #expect(await board.call("GET", base + "/\(String(repeating: "a", count: 128))/gateway").status == 404)
    }

    @Test("a full board refuses new breakers but keeps taking reports from known ones")
    func boardLimit() async throws {
        let board = try BreakerBoardHarness(maximumBreakers: 2)
        defer { board.removeFiles() }
        #expect(await board.report(try breakerSnapshot("a", "x")).status == 200)
        #expect(await board.report(try breakerSnapshot("b", "x")).status == 200)
        let refused = await board.report(try breakerSnapshot("c", "x"))
        #expect(refused.status == 400)
        #expect(refused.body["__type"] == "LimitExceededException")
        #expect(await board.report(try breakerSnapshot("a", "x", state: .open)).status == 200)
        #expect(await board.call("GET", base).body["breakers"]?.arrayValue?.count == 2)
    }

    @Test("a read-only board refuses overrides with 403 and records nothing")
    func readOnly() async throws {
        let board = try BreakerBoardHarness(readOnly: true)
        defer { board.removeFiles() }
        #expect(await board.report(try breakerSnapshot("payment", "gateway")).status == 200)
        let answer = await board.override("payment", "gateway", ["mode": "force-open", "reason": "x"])
        #expect(answer.status == 403)
        #expect(answer.body["__type"] == "ReadOnlyModeException")
        #expect(answer.body["message"]?.stringValue?.contains("--readonly") == true)
        #expect(await board.call("GET", base + "/audit").body == ["entries": []])
        #expect(await board.call("GET", base + "/payment/gateway").body["override"] == .null)
    }

    @Test("state changes and overrides are published on the breakers topic")
    func streamFrames() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        let viewer = board.hub.subscribe(topics: [.breakers])
        _ = await board.report(try breakerSnapshot("payment", "gateway"))
        _ = await board.report(try breakerSnapshot("payment", "gateway")) // same state: no frame
        _ = await board.report(try breakerSnapshot("payment", "gateway", state: .open))
        _ = await board.override("payment", "gateway", BreakerOverrideRequest(mode: .forceClosed, reason: "r", actor: "carol").json)
        #expect(viewer.buffered == 3)
        // Decoded by the protocol's one decoder, which checks `"v":1` and each type's shape.
        var messages: [StreamMessage] = []
        for _ in 0..<3 {
            if case .published(let message, _) = try StreamFrameCodec.decode(try #require(await viewer.next())) {
                messages.append(message)
            }
        }
        #expect(messages.map(\.type) == ["breaker", "breaker", "breaker-override"])
        #expect(messages.allSatisfy { $0.topic == .breakers })
        guard messages.count == 3, case .breaker(let first) = messages[0], case .breaker(let second) = messages[1],
              case .breakerOverride(let override) = messages[2] else { return }
        #expect(first.previousState == nil)
        #expect(first.entry.snapshot.state == .closed)
        #expect(second.previousState == .closed)
        #expect(second.entry.snapshot.state == .open)
        #expect(override.audit.actor == "carol")
        #expect(override.audit.from == .open)
        #expect(override.entry.override?.mode == .forceClosed)
    }

    @Test("concurrent overrides: the board stands by the last one committed")
    func concurrentOverrides() async throws {
        let board = try BreakerBoardHarness()
        defer { board.removeFiles() }
        _ = await board.report(try breakerSnapshot("payment", "gateway"))
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    _ = await board.override("payment", "gateway", [
                        "mode": index.isMultiple(of: 2) ? "force-open" : "force-closed", "reason": .string("n\(index)"),
                    ])
                }
            }
        }
        let trail = await board.call("GET", base + "/audit", query: "limit=1")
        let newest = try #require(trail.body["entries"]?[0])
        let standing = await board.call("GET", base + "/payment/gateway").body["override"]
        #expect(standing?["reason"] == newest["reason"])
        #expect(standing?["mode"] == newest["mode"])
        try board.reopen()
        #expect(await board.call("GET", base + "/payment/gateway").body["override"]?["reason"] == newest["reason"])
    }
}
