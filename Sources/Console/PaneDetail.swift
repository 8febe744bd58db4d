import Foundation
import JSON
import Provider
import Terminal

/// The drill-down view of one row: every field an operator needs, as lines.
enum PaneDetail {
    typealias Line = (text: String, role: Role)

    static func lines(for frame: DrillFrame, snapshot s: SystemSnapshot, now: Date) -> [Line] {
        switch frame.pane {
        case .flows:
            guard let e = s.recentEvents.first(where: { $0.id == frame.rowID }) else { return gone(frame) }
            var lines: [Line] = [
                ("id           " + e.id, .text), ("time         " + Format.clock(e.time) + " UTC", .text),
                ("bus          " + e.eventBusName, .text), ("source       " + e.source, .accent),
                ("detail-type  " + e.detailType, .text),
                ("rules        " + (e.matchedRules.isEmpty ? "none matched" : e.matchedRules.joined(separator: ", ")), .text),
            ]
            if !e.resources.isEmpty { lines.append(("resources    " + e.resources.joined(separator: ", "), .text)) }
            for d in e.deliveries {
                let role: Role = switch d.status {
                case .delivered: .ok
                case .retrying: .warn
                case .deadLettered, .failed: .error
                }
                lines.append(("delivery     \(d.rule) → \(Topology.shortName(ofArn: d.targetArn)): \(d.status.rawValue)"
                              + (d.error.map { " (" + $0 + ")" } ?? ""), role))
            }
            lines.append(("", .text))
            lines.append(("detail", .title))
            lines += prettyJSON(e.detail).map { ($0, Role.text) }
            return lines
        case .queues:
            guard let q = s.queues.first(where: { $0.arn == frame.rowID }) else { return gone(frame) }
            var lines: [Line] = [
                ("url            " + q.url, .text), ("arn            " + q.arn, .muted),
                ("type           " + (q.isFIFO ? "FIFO" : "standard"), .text),
                ("visible        \(q.visibleMessages)", q.visibleMessages > 0 ? .warn : .text),
                ("in flight      \(q.inFlightMessages)", .text), ("delayed        \(q.delayedMessages)", .text),
                ("visibility     \(q.visibilityTimeout)s", .text),
            ]
            if let dlq = q.deadLetterTargetArn {
                lines.append(("dead letters   → \(Topology.shortName(ofArn: dlq)) after \(q.maxReceiveCount ?? 0) receives", .text))
            }
            if q.isDeadLetterQueue {
                lines.append(("dead-letter queue for " + q.deadLetterSourceArns.map(Topology.shortName(ofArn:)).joined(separator: ", "), .warn))
            }
            return lines
        case .circuits:
            guard let b = s.breakers.first(where: { $0.id == frame.rowID }) else { return gone(frame) }
            var lines: [Line] = [
                ("breaker        " + b.displayName, .text),
                ("state          " + b.state.rawValue.uppercased(), PaneTable.role(of: b.state)),
            ]
            if let o = b.override {
                let when = o.at.map { " at " + Format.clock($0) + " UTC" } ?? ""
                lines.append(("override       \(o.force.rawValue) by \(o.actor)\(when)" + (o.reason.isEmpty ? "" : ": " + o.reason), .breakerForced))
            } else {
                lines.append(("override       none (automatic)", .text))
            }
            if let rate = b.failureRate {
                lines.append(("failure rate   \(Format.percent(rate)) (opens at \(Format.percent(b.failureRateThreshold))) over \(b.calls) calls",
                              rate >= b.failureRateThreshold ? .error : .text))
            } else {
                lines.append(("failure rate   - (\(b.calls) of \(b.minimumCalls) calls needed; opens at \(Format.percent(b.failureRateThreshold)))", .text))
            }
            lines.append(("failures       \(b.failures) in window", b.failures > 0 ? .warn : .text))
            lines.append(("slow calls     \(b.slowCalls)" + (b.slowCallRate.map { " (" + Format.percent($0) + ")" } ?? ""), .text))
            lines.append(("short-circuit  \(b.shortCircuited) rejected without a call", b.shortCircuited > 0 ? .warn : .text))
            lines.append(("p99 latency    " + (b.p99Latency.map(Format.milliseconds) ?? "-"), .text))
            if let t = b.lastTransition {
                lines.append(("last change    \(t.from.rawValue) → \(t.to.rawValue) at \(Format.clock(t.at)) UTC", .text))
                lines.append(("  why          " + t.reason, .muted))
            } else {
                lines.append(("last change    -", .text))
            }
            if let retry = b.retryAt { lines.append(("trial calls at " + Format.clock(retry) + " UTC", .text)) }
            let reported = b.reportedAt.map { Format.clock($0) + " UTC" } ?? "-"
            lines.append(("reported       " + reported + (b.stale ? "  STALE: the service has not reported since" : ""), b.stale ? .warn : .text))
            lines.append(("trend          " + (b.recentFailureRates.isEmpty ? "-" : Format.sparkline(b.recentFailureRates)), .sparkline))
            return lines
        case .sagas:
            guard let e = s.executions.first(where: { $0.arn == frame.rowID }) else { return gone(frame) }
            var lines: [Line] = [
                ("execution      " + e.arn, .muted), ("state machine  " + e.stateMachineName, .text),
                ("status         " + e.status.rawValue + " (" + e.sagaState(now: now).rawValue + ")", .text),
                ("started        " + Format.clock(e.startDate) + " UTC", .text),
                ("current state  " + (e.currentState ?? "-"), .text), ("", .text), ("timeline", .title),
            ]
            for entry in e.timeline {
                let role: Role = entry.type.hasSuffix("Failed") || entry.type.hasSuffix("TimedOut") ? .error : .text
                lines.append(("\(Format.clock(entry.timestamp))  \(entry.type)  \(entry.stateName ?? "")  \(entry.detail ?? "")", role))
            }
            if e.timeline.isEmpty { lines.append(("no history events", .muted)) }
            return lines
        case .registry:
            guard let service = s.registry.first(where: { frame.rowID == $0.id || frame.rowID.hasPrefix($0.id + "/") }) else {
                return gone(frame)
            }
            var lines: [Line] = [("service        " + service.name, .text), ("namespace      " + service.namespace, .text)]
            for instance in service.instances where frame.rowID == service.id || frame.rowID == service.id + "/" + instance.id {
                lines.append(("", .text))
                lines.append(("instance " + instance.id + "  " + instance.health.rawValue, instance.health == .healthy ? .ok : .warn))
                for key in instance.attributes.keys.sorted() {
                    lines.append(("  \(key) = \(instance.attributes[key]!)", .text))
                }
            }
            return lines
        case .topology:
            let topology = s.topology
            let related = topology.edges.filter { frame.rowID.hasPrefix($0.from + "→" + $0.to) || frame.rowID == $0.from || frame.rowID == $0.to }
            var lines: [Line] = []
            for edge in related {
                lines.append(("\(topology.node(edge.from)?.name ?? edge.from) ─▶ \(topology.node(edge.to)?.name ?? edge.to)", .text))
                lines.append(("  via \(edge.via)\(edge.enabled ? "" : " (disabled)")", .muted))
                lines.append(("  from \(edge.from)", .muted))
                lines.append(("  to   \(edge.to)", .muted))
            }
            if let node = topology.node(frame.rowID) {
                lines.append((node.name + " (" + node.kind.rawValue + ")", .text))
                lines.append(("  " + node.id, .muted))
            }
            return lines.isEmpty ? gone(frame) : lines
        }
    }

    private static func gone(_ frame: DrillFrame) -> [Line] {
        [("\(frame.title) is no longer in the latest snapshot.", .warn)]
    }

    /// Indented JSON, one line per scalar or bracket, keys in document order.
    static func prettyJSON(_ value: JSONValue, indent: String = "", key: String? = nil, last: Bool = true) -> [String] {
        let lead = indent + (key.map { "\"\($0)\": " } ?? "")
        let comma = last ? "" : ","
        switch value {
        case .object(let object):
            if object.isEmpty { return [lead + "{}" + comma] }
            var lines = [lead + "{"]
            for (index, element) in object.enumerated() {
                lines += prettyJSON(element.value, indent: indent + "  ", key: element.key, last: index == object.count - 1)
            }
            return lines + [indent + "}" + comma]
        case .array(let array):
            if array.isEmpty { return [lead + "[]" + comma] }
            var lines = [lead + "["]
            for (index, element) in array.enumerated() {
                lines += prettyJSON(element, indent: indent + "  ", last: index == array.count - 1)
            }
            return lines + [indent + "]" + comma]
        case .string(let text): return [lead + "\"" + text + "\"" + comma]
        case .number(let n): return [lead + (n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)) + comma]
        case .bool(let b): return [lead + (b ? "true" : "false") + comma]
        case .null: return [lead + "null" + comma]
        }
    }
}
