import JSON
import Timekeeping

/// The rule targets a poll may keep instead of asking `ListTargetsByRule` again.
struct RuleTargetsRequest: Sendable, Hashable {
    struct Held: Sendable, Hashable {
        /// The rule's ListRules entry when its targets were read.
        var listing: JSONValue
        var targets: [RuleTarget]
    }

    /// By rule ARN.
    var held: [String: Held] = [:]
    /// Rules whose targets are read again whatever their listing says (the sweep).
    var due: Set<String> = []
}

/// What one EventBridge poll got.
struct EventBridgeListing: Sendable, Hashable {
    var buses: [EventBus]
    var rules: [Rule]
    /// Each rule's ListRules entry, by ARN.
    var listings: [String: JSONValue]
    /// Rules whose targets this poll read (the others kept the targets held).
    var targetsRead: Set<String>
    /// The archives and the replays of them (listed only while an archive exists).
    var archives: [EventArchive] = []
    var replays: [EventReplay] = []
    /// Why the archives could not be listed (an endpoint without them, a policy without
    /// `events:ListArchives`); the rest of the listing stands.
    var archivesRefused: String?
}

/// Which rules' targets a poll reads. AWS's ListRules says nothing about targets, and
/// ListTargetsByRule is one call per rule: re-reading every rule's targets at every refresh
/// is 100 calls for 100 rules, against a control-plane quota of tens a second. So targets
/// are read when the rule is new or its listing changed (state, pattern, description,
/// `ModifiedBy`: whatever ListRules reports), and a few rules a poll are swept (those read
/// longest ago, at least a minute ago), since a PutTargets by someone else changes no listing.
/// A value: it reads no clock.
struct RuleTargetsFreshness: Sendable {
    static let sweepAge: Duration = .seconds(60)

    private var held: [String: RuleTargetsRequest.Held] = [:]
    private var readAt: [String: MonotonicInstant] = [:]

    /// Rules swept per poll: one per fifty rules, at least one.
    static func sweepPerPoll(_ count: Int) -> Int { max(1, (count + 49) / 50) }

    func request(at now: MonotonicInstant) -> RuleTargetsRequest {
        let due = readAt.filter { now - $0.value >= Self.sweepAge }
            .sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            .prefix(Self.sweepPerPoll(held.count)).map(\.key)
        return RuleTargetsRequest(held: held, due: Set(due))
    }

    /// Takes a poll's listing; returns how many targets were read for a rule seen the first time.
    mutating func record(_ listing: EventBridgeListing, at now: MonotonicInstant) -> Int {
        var firstReads = 0
        var next: [String: RuleTargetsRequest.Held] = [:]
        var nextReadAt: [String: MonotonicInstant] = [:]
        for rule in listing.rules {
            guard let entry = listing.listings[rule.arn] else { continue }
            next[rule.arn] = RuleTargetsRequest.Held(listing: entry, targets: rule.targets)
            if listing.targetsRead.contains(rule.arn) {
                if held[rule.arn] == nil { firstReads += 1 }
                nextReadAt[rule.arn] = now
            } else {
                nextReadAt[rule.arn] = readAt[rule.arn] ?? now
            }
        }
        held = next
        readAt = nextReadAt
        return firstReads
    }
}
