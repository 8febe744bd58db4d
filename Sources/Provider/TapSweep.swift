import Foundation
import JSON
import StackClient

/// A tap found on the endpoint: its queue and its rules, with what their tags say. A crash can
/// leave a queue without rules or rules without a queue, so either may be missing.
public struct FoundTap: Sendable, Hashable {
    public var id: String
    /// From the queue's name (`signalbox-tap-<user>-<id>`); nil when only rules were found.
    public var user: String?
    public var queueUrl: String?
    public var rules: [TapRule]
    /// The earliest `signalbox:expires` of its resources; nil when none carries a readable one.
    public var expires: Date?

    /// Its expiry passed (a tap without a readable expiry is never called expired).
    public func expired(at now: Date) -> Bool { expires.map { $0 < now } ?? false }

    /// `tap 1a2b3c4d (alice): queue signalbox-tap-alice-1a2b3c4d, rules on default, orders; expired 2026-12-06T21:00:00Z`
    public var summary: String {
        var parts: [String] = []
        if let queueUrl { parts.append("queue " + (queueUrl.split(separator: "/").last.map(String.init) ?? queueUrl)) }
        if !rules.isEmpty { parts.append("rule \(rules[0].name) on " + rules.map(\.bus).joined(separator: ", ")) }
        let expiry = expires.map { "expires " + TapPlan.expiryText($0) } ?? "no expiry tag"
        return "tap \(id)" + (user.map { " (\($0))" } ?? "") + ": " + parts.joined(separator: ", ") + "; " + expiry
    }
}

/// Finds the taps on an endpoint (`signalbox-tap-*` queues and rules carrying the tap tags)
/// and removes them: the console at start (after asking) and `signalbox tap --cleanup`.
public enum TapSweep {
    /// Every tap on the endpoint: queues named `signalbox-tap-*` and, on every bus, rules named
    /// so, grouped by their `signalbox:tap` tag (or, without one, the id their name ends with).
    public static func find(aws: AWSClient) async throws(TapError) -> [FoundTap] {
        let calls = TapCalls(aws: aws)
        var taps: [String: FoundTap] = [:]
        func merge(id: String, expires: Date?, _ update: (inout FoundTap) -> Void) {
            var tap = taps[id] ?? FoundTap(id: id, rules: [])
            if let expires { tap.expires = min(tap.expires ?? expires, expires) }
            update(&tap)
            taps[id] = tap
        }
        let urls = try await calls.paged(.sqs, "ListQueues", ["QueueNamePrefix": .string(TapPlan.namePrefix), "MaxResults": 1000],
                                         itemsKey: "QueueUrls").compactMap(\.stringValue)
        for url in urls {
            guard let name = url.split(separator: "/").last.map(String.init), let parsed = TapPlan.parseQueueName(name) else { continue }
            let tags: [String: String]
            do throws(TapError) {
                tags = try await calls.call(.sqs, "ListQueueTags", ["QueueUrl": .string(url)])["Tags"]?.objectValue?
                    .compactMapValues(\.stringValue).reduce(into: [:]) { $0[$1.key] = $1.value } ?? [:]
            } catch where TapCalls.isGone(error) {
                continue
            }
            let id = tags[TapPlan.tapTag] ?? parsed.id
            merge(id: id, expires: tags[TapPlan.expiresTag].flatMap(TapPlan.expiry)) { tap in
                tap.queueUrl = url
                tap.user = parsed.user
            }
        }
        for bus in try await calls.busNames() {
            let rules = try await calls.paged(.eventBridge, "ListRules", ["NamePrefix": .string(TapPlan.namePrefix), "EventBusName": .string(bus)],
                                              itemsKey: "Rules")
            for rule in rules {
                guard let name = rule["Name"]?.stringValue, let arn = rule["Arn"]?.stringValue else { continue }
                let tags = try await calls.call(.eventBridge, "ListTagsForResource", ["ResourceARN": .string(arn)])["Tags"]?
                    .arrayValue?.reduce(into: [String: String]()) { tags, tag in
                        if let key = tag["Key"]?.stringValue, let value = tag["Value"]?.stringValue { tags[key] = value }
                    } ?? [:]
                let id = tags[TapPlan.tapTag] ?? String(name.dropFirst(TapPlan.namePrefix.count))
                merge(id: id, expires: tags[TapPlan.expiresTag].flatMap(TapPlan.expiry)) { tap in
                    tap.rules.append(TapRule(bus: bus, name: name, arn: arn))
                }
            }
        }
        return taps.values.sorted { ($0.expires ?? .distantFuture, $0.id) < ($1.expires ?? .distantFuture, $1.id) }
    }

    /// What a removal did: the resources removed (or found gone), and the calls that failed.
    public struct Removal: Sendable {
        public var removed: [String] = []
        public var failures: [TapError] = []
    }

    /// Removes a found tap: each rule's target, then the rule, then the queue.
    public static func remove(_ tap: FoundTap, aws: AWSClient) async -> Removal {
        await remove(queueUrl: tap.queueUrl, rules: tap.rules, calls: TapCalls(aws: aws))
    }

    /// Each step is tried whatever the others did; a resource already gone counts as removed.
    static func remove(queueUrl: String?, rules: [TapRule], calls: TapCalls) async -> Removal {
        var removal = Removal()
        func attempt(_ what: String, _ service: AWSService, _ operation: String, _ input: JSONValue) async {
            do throws(TapError) {
                _ = try await calls.call(service, operation, input)
                removal.removed.append(what)
            } catch where TapCalls.isGone(error) {
                removal.removed.append(what + " (already gone)")
            } catch {
                removal.failures.append(error)
            }
        }
        for rule in rules {
            await attempt("target of rule \(rule.name) on \(rule.bus)", .eventBridge, "RemoveTargets",
                          ["Rule": .string(rule.name), "EventBusName": .string(rule.bus), "Ids": [.string(TapPlan.targetId)]])
            await attempt("rule \(rule.name) on \(rule.bus)", .eventBridge, "DeleteRule",
                          ["Name": .string(rule.name), "EventBusName": .string(rule.bus)])
        }
        if let queueUrl {
            await attempt("queue \(queueUrl.split(separator: "/").last.map(String.init) ?? queueUrl)", .sqs, "DeleteQueue",
                          ["QueueUrl": .string(queueUrl)])
        }
        return removal
    }
}
