#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON
import Patterns

/// `signalbox-bench patterns`: the event-pattern matcher's figures. One ~1 KB order event
/// against 500 mixed rules (every operator, as a busy bus would hold), the same with 100 rules
/// and JSON parsing included (the issue's goal: ≥ 200,000 events/s on one core), and the cost
/// of compiling a rule.
enum PatternsBench {
    static func run() throws {
        let rules = makeRules(count: 500)
        let texts = rules.map(\.text)

        // Compile time per rule.
        var compiled: [EventPattern] = []
        let compileRounds = 20
        let compileTime = try measure {
            for _ in 0..<compileRounds {
                compiled = try texts.map { try EventPattern(parsing: $0) }
            }
        }
        report("compile", "\(format(compileTime / Double(compileRounds * texts.count) * 1e6, 2)) µs/rule (\(texts.count) rules x \(compileRounds))")

        let eventText = orderEvent(index: 7)
        let event = try JSONValue(parsing: eventText)
        report("event size", "\(eventText.utf8.count) bytes")

        let index500 = PatternIndex(compiled.enumerated().map { ($0.offset, $0.element) })
        let matched500 = index500.matches(event)
        let naive = compiled.indices.filter { compiled[$0].matches(event) }
        guard matched500 == naive else { throw BenchFailure("index and per-pattern matching disagree") }
        report("500 rules", "\(matched500.count) match this event; \(index500.unfiledCount) rules pin no exact field")

        var growing = index500
        let extra = try EventPattern(parsing: #"{"source":["shop.orders"],"detail-type":["Extra"]}"#)
        let insertTime = try measure {
            for round in 0..<20 { growing.insert(extra, for: 1000 + round) }
        }
        report("insert into 500-rule index", "\(format(insertTime / 20 * 1e3, 2)) ms (every rule is refiled)")

        let indexRate = try rate { _ = index500.matches(event) }
        report("index, 500 rules", "\(format(indexRate, 0)) events/s (parsed event)")
        let naiveRate = try rate { for pattern in compiled where pattern.matches(event) { _ = pattern } }
        report("every rule, 500 rules", "\(format(naiveRate, 0)) events/s (parsed event, no index)")

        // Many distinct events, as a bus sees them.
        let events = try (0..<64).map { try JSONValue(parsing: orderEvent(index: $0)) }
        var cursor = 0
        let mixedRate = try rate {
            _ = index500.matches(events[cursor & 63])
            cursor &+= 1
        }
        report("index, 500 rules, 64 events", "\(format(mixedRate, 0)) events/s (parsed events)")

        let index100 = PatternIndex(compiled.prefix(100).enumerated().map { ($0.offset, $0.element) })
        let index100Rate = try rate {
            _ = index100.matches(events[cursor & 63])
            cursor &+= 1
        }
        report("index, 100 rules, 64 events", "\(format(index100Rate, 0)) events/s (parsed events)")
        let eventTexts = (0..<64).map { orderEvent(index: $0) }
        var total = 0
        for text in eventTexts {
            guard try index100.matches(eventText: text) == index100.matches(try JSONValue(parsing: text)) else {
                throw BenchFailure("the text path and the parsed path disagree")
            }
        }
        let textRate = try rate {
            total &+= try index100.matches(eventText: eventTexts[cursor & 63]).count
            cursor &+= 1
        }
        report("parse + index, 100 rules", "\(format(textRate, 0)) events/s (1 KB JSON text in, document parse, goal 200,000)")
        let parsedRate = try rate {
            let value = try JSONValue(parsing: eventTexts[cursor & 63])
            total &+= index100.matches(value).count
            cursor &+= 1
        }
        report("full parse + index, 100 rules", "\(format(parsedRate, 0)) events/s (1 KB JSON text in, every member built)")
        let prunedRate = try rate {
            _ = try JSONDocument(parsing: eventTexts[cursor & 63].utf8, keeping: index100.fields)
            cursor &+= 1
        }
        report("document parse alone", "\(format(prunedRate, 0)) events/s (members the 100 rules read)")
        let parseRate = try rate {
            _ = try JSONValue(parsing: eventTexts[cursor & 63])
            cursor &+= 1
        }
        report("parse alone", "\(format(parseRate, 0)) events/s")
        _ = total
    }

    /// `signalbox-bench patterns-fixed`: exactly 20,000 events through "parse + index, 100
    /// rules", for `valgrind --tool=callgrind`, whose instruction counts stay the same on a
    /// noisy machine where events/s do not (the figure to compare changes with).
    static func runFixed() throws {
        let index = PatternIndex(try makeRules(count: 100).enumerated().map { ($0.offset, try EventPattern(parsing: $0.element.text)) })
        let texts = (0..<64).map { orderEvent(index: $0) }
        var matched = 0
        let time = try measure {
            for round in 0..<20_000 { matched &+= try index.matches(eventText: texts[round & 63]).count }
        }
        report("parse + index, 100 rules", "20000 events, \(matched) matches, \(format(20_000 / time, 0)) events/s")
    }

    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func report(_ what: String, _ figure: String) {
        print("  \(what.padding(30)) \(figure)")
    }

    static func format(_ value: Double, _ decimals: Int) -> String {
        if decimals == 0 { return String(Int(value.rounded())) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return String(rounded)
    }

    /// Seconds of this thread's CPU time spent in `body`: on a shared, loaded machine wall time
    /// mostly measures the neighbours, while CPU time measures the matcher on one core.
    static func measure(_ body: () throws -> Void) throws -> Double {
        let start = cpuTime()
        try body()
        return cpuTime() - start
    }

    static func cpuTime() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Calls `body` in batches for about a second and returns calls per second.
    static func rate(_ body: () throws -> Void) throws -> Double {
        var calls = 0
        var elapsed = 0.0
        var batch = 256
        while elapsed < 1.0 {
            elapsed += try measure { for _ in 0..<batch { try body() } }
            calls += batch
            if elapsed < 0.1 { batch *= 2 }
        }
        return Double(calls) / elapsed
    }

    /// A realistic order event of about 1 KB; `index` varies its values.
    static func orderEvent(index: Int) -> String {
        let types = ["OrderPlaced", "OrderCancelled", "PaymentCharged", "PaymentFailed", "ShipmentCreated", "InventoryReserved"]
        let sources = ["shop.orders", "shop.payments", "shop.shipping", "shop.inventory"]
        let regions = ["us-east-1", "eu-west-1"]
        return """
        {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602-\(index)","detail-type":"\(types[index % types.count])",\
        "source":"\(sources[index % sources.count])","account":"123456789012","time":"2026-11-23T02:\(10 + index % 50):07Z",\
        "region":"\(regions[index % 2])","resources":["arn:aws:states:us-east-1:123456789012:execution:order-saga:run-\(index)"],\
        "detail":{"orderId":"ord-\(100_000 + index)","customer":{"id":"cust-\(index % 97)","tier":"\(["gold", "silver", "bronze"][index % 3])",\
        "email":"buyer\(index)@example.com","ip":"10.0.\(index % 4).\(index % 250)"},"total":\(Double(index * 37 % 500) + 0.99),\
        "currency":"EUR","status":"\(["pending", "confirmed", "failed", "retrying"][index % 4])","attempt":\(index % 5),\
        "items":[{"sku":"SKU-\(index % 13)","qty":\(1 + index % 3),"price":19.99},{"sku":"SKU-\((index + 5) % 13)","qty":1,"price":5.5},\
        {"sku":"SKU-\((index + 7) % 13)","qty":2,"price":102.0}],"shipping":{"method":"express","address":{"country":"DE",\
        "city":"Berlin","zip":"10115"}},"trace":{"traceId":"1-5f84c7a1-\(index)abcdef0123456789","parent":"53995c3f42cd8ad8"},\
        "notes":"leave at the door, ring twice; fragile glassware inside, handle with care please"}}
        """
    }

    /// 500 rules of every operator: most pin a source and a detail-type, as real buses do;
    /// some pin nothing and must be tried on every event.
    static func makeRules(count: Int) -> [(text: String, kind: String)] {
        let types = ["OrderPlaced", "OrderCancelled", "PaymentCharged", "PaymentFailed", "ShipmentCreated", "InventoryReserved"]
        let sources = ["shop.orders", "shop.payments", "shop.shipping", "shop.inventory"]
        var rules: [(String, String)] = []
        for i in 0..<count {
            // Many distinct detail-types, as across a fleet of services; a few are the demo's.
            let detailType = i % 5 == 0 ? types[i % types.count] : "Type\(i % 120)"
            let source = sources[i % sources.count]
            let head = #""source":["\#(source)"],"detail-type":["\#(detailType)"]"#
            let detail: String
            switch i % 12 {
            case 0: detail = #""status":["confirmed","pending"]"#
            case 1: detail = #""total":[{"numeric":[">",\#(i % 300),"<=",\#(300 + i)]}]"#
            case 2: detail = #""customer":{"tier":[{"anything-but":["bronze"]}]}"#
            case 3: detail = #""customer":{"email":[{"suffix":{"equals-ignore-case":"@EXAMPLE.com"}}]}"#
            case 4: detail = #""customer":{"ip":[{"cidr":"10.0.\#(i % 4).0/24"}]}"#
            case 5: detail = #""items":{"sku":["SKU-\#(i % 13)"],"qty":[{"numeric":[">=",2]}]}"#
            case 6: detail = #""orderId":[{"prefix":"ord-10"}],"trace":{"traceId":[{"wildcard":"1-*-\#(i % 10)*"}]}"#
            case 7: detail = #""$or":[{"status":["failed"]},{"attempt":[{"numeric":[">",3]}]}]"#
            case 8: detail = #""shipping":{"address":{"country":[{"equals-ignore-case":"de"}]}},"gift":[{"exists":false}]"#
            case 9: detail = #""status":[{"anything-but":{"prefix":"fail"}}],"currency":["EUR","USD"]"#
            case 10: detail = #""notes":[{"exists":true}],"customer":{"id":[{"anything-but":{"wildcard":"cust-9*"}}]}"#
            default: detail = #""total":[{"numeric":["<",\#(i % 400)]}],"items":{"price":[{"numeric":[">",100]}]}"#
            }
            if i % 10 == 9 {
                // No exact field: only operators.
                rules.append((#"{"source":[{"prefix":"shop."}],"detail":{\#(detail)}}"#, "unpinned"))
            } else {
                rules.append(("{\(head),\"detail\":{\(detail)}}", "pinned"))
            }
        }
        return rules
    }
}

private extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
