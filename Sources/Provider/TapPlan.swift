import Foundation
import JSON
import Timekeeping

/// What a tap is made of, as values: its names, tags, rule pattern and queue policy. A tap is
/// how the Flows tail follows an endpoint without the stack's live stream (AWS, moto,
/// `signalbox serve --no-stream`), as lumigo-cli tails a bus: one SQS queue
/// `signalbox-tap-<user>-<id>`, and on each watched bus one rule `signalbox-tap-<id>` whose
/// target is that queue. Both carry the tags `signalbox:tap=<id>` and
/// `signalbox:expires=<time>`, so a tap a crashed console left behind is found and removed
/// (`TapSweep`) once its expiry has passed.
public struct TapPlan: Sendable, Hashable {
    /// The tap's short id: 8 lowercase hex digits.
    public var id: String
    /// Who opened it, as it may appear in a queue name.
    public var user: String
    /// The rules' event pattern (JSON text).
    public var pattern: String
    /// How long the tap lives without renewal; renewed while its owner runs.
    public var lifetime: Duration

    public static let namePrefix = "signalbox-tap-"
    public static let tapTag = "signalbox:tap"
    public static let expiresTag = "signalbox:expires"
    /// The one target each tap rule has.
    public static let targetId = "signalbox-tap"
    /// An hour, renewed while the console runs.
    public static let defaultLifetime: Duration = .seconds(3600)
    /// Environment variable that shortens (or lengthens) a tap's lifetime, in seconds: tests
    /// of the expiry sweep use a few seconds.
    public static let lifetimeVariable = "SIGNALBOX_TAP_LIFETIME"

    /// Every event: each event has a `source`, and a prefix of "" matches any string. AWS
    /// accepts it ("match all events" in its content-filtering guide uses the prefix operator).
    public static let everyEvent = #"{"source":[{"prefix":""}]}"#

    public init(user: String, pattern: String? = nil, lifetime: Duration = TapPlan.defaultLifetime,
                id: String = TapPlan.newId()) {
        self.id = id
        self.user = Self.nameSafe(user)
        self.pattern = pattern ?? Self.everyEvent
        self.lifetime = lifetime
    }

    /// 8 random lowercase hex digits.
    public static func newId() -> String {
        String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
    }

    public var queueName: String { "\(Self.namePrefix)\(user)-\(id)" }
    public var ruleName: String { "\(Self.namePrefix)\(id)" }

    /// The lifetime from the environment (`SIGNALBOX_TAP_LIFETIME`, whole seconds > 0), else the default.
    public static func lifetime(environment: [String: String]) -> Duration {
        guard let text = environment[lifetimeVariable], let seconds = Int(text), seconds > 0 else { return defaultLifetime }
        return .seconds(seconds)
    }

    /// The tags, with the expiry `lifetime` after `now`.
    public func tags(expiringAfter now: Date) -> [(key: String, value: String)] {
        [(Self.tapTag, id), (Self.expiresTag, Self.expiryText(now.addingTimeInterval(lifetime.seconds)))]
    }

    /// SQS and EventBridge both allow letters, digits, `-` and `_` in a name; anything else in a
    /// user name becomes `_`, and it is cut to 32 so the queue name stays under SQS's 80.
    static func nameSafe(_ user: String) -> String {
        let safe = String(user.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" }.prefix(32))
        return safe.isEmpty ? "operator" : safe
    }

    /// The queue policy: EventBridge may send to `queueArn` only on behalf of these rules.
    public static func queuePolicy(queueArn: String, ruleArns: [String]) -> String {
        let statement: JSONValue = [
            "Sid": "SignalboxTapRules",
            "Effect": "Allow",
            "Principal": ["Service": "events.amazonaws.com"],
            "Action": "sqs:SendMessage",
            "Resource": .string(queueArn),
            "Condition": ["ArnEquals": ["aws:SourceArn": .array(ruleArns.map { .string($0) })]],
        ]
        return JSONValue.object(["Version": "2012-10-17", "Statement": [statement]]).serialized
    }

    // MARK: expiry

    /// `2026-12-06T22:10:00Z`: UTC, whole seconds, as AWS writes times.
    public static func expiryText(_ date: Date) -> String {
        CivilTime(UnixTime(date)).rfc3339Seconds
    }

    /// The expiry a tag holds; nil when it is not such a time.
    public static func expiry(_ text: String) -> Date? {
        RFC3339.parse(text)
    }

    /// `(id, user)` from a tap queue's name; nil for any other name.
    public static func parseQueueName(_ name: String) -> (id: String, user: String)? {
        guard name.hasPrefix(namePrefix), let dash = name.lastIndex(of: "-") else { return nil }
        let user = name[name.index(name.startIndex, offsetBy: namePrefix.count)..<dash]
        let id = name[name.index(after: dash)...]
        guard !user.isEmpty, !id.isEmpty else { return nil }
        return (String(id), String(user))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
