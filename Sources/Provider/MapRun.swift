import Foundation
import JSON

/// A distributed Map's Map Run as Step Functions describes it (`DescribeMapRun`) with the first
/// page of its child executions (`ListExecutions(mapRunArn=…)`, newest first): what the saga
/// views show under the Map state that started it.
public struct MapRun: Sendable, Hashable {
    /// `itemCounts` / `executionCounts` of DescribeMapRun.
    public struct Counts: Sendable, Hashable {
        public var pending = 0
        public var running = 0
        public var succeeded = 0
        public var failed = 0
        public var timedOut = 0
        public var aborted = 0
        public var total = 0

        public init() {}

        init(_ json: JSONValue?) {
            func read(_ key: String) -> Int { json?[key]?.intValue ?? 0 }
            pending = read("pending")
            running = read("running")
            succeeded = read("succeeded")
            failed = read("failed")
            timedOut = read("timedOut")
            aborted = read("aborted")
            total = read("total")
        }
    }

    /// One child execution as ListExecutions lists it.
    public struct Child: Sendable, Hashable {
        public var name: String
        public var arn: String
        public var status: Execution.Status
        public var startDate: Date
        public var stopDate: Date?

        public init(name: String, arn: String, status: Execution.Status, startDate: Date, stopDate: Date? = nil) {
            self.name = name
            self.arn = arn
            self.status = status
            self.startDate = startDate
            self.stopDate = stopDate
        }
    }

    public var arn: String
    /// RUNNING, SUCCEEDED, FAILED or ABORTED.
    public var status: String
    public var startDate: Date?
    public var stopDate: Date?
    public var maxConcurrency: Int
    public var items: Counts
    public var executions: Counts
    /// The first page of children, newest first; `executions.total` says how many there are.
    public var children: [Child]
    /// The endpoint did not describe it (no such Map Run there, or no DescribeMapRun at all):
    /// the other fields say nothing.
    public var unavailable = false

    /// A Map Run the history names that the endpoint would not describe.
    public static func unavailable(_ arn: String) -> MapRun {
        var run = MapRun(arn: arn, status: "")
        run.unavailable = true
        return run
    }

    /// The ARN's label (`…:mapRun:MACHINE/LABEL:ID`).
    public var label: String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 8, let slash = parts[6].firstIndex(of: "/") else { return arn }
        return String(parts[6][parts[6].index(after: slash)...])
    }

    public init(arn: String, status: String, startDate: Date? = nil, stopDate: Date? = nil, maxConcurrency: Int = 0,
                items: Counts = Counts(), executions: Counts = Counts(), children: [Child] = []) {
        self.arn = arn
        self.status = status
        self.startDate = startDate
        self.stopDate = stopDate
        self.maxConcurrency = maxConcurrency
        self.items = items
        self.executions = executions
        self.children = children
    }

    /// From DescribeMapRun's answer and a ListExecutions(mapRunArn=…) page, as the API sends them.
    public init?(described: JSONValue, listed: JSONValue?) {
        guard let arn = described["mapRunArn"]?.stringValue, let status = described["status"]?.stringValue else { return nil }
        self.init(arn: arn, status: status, startDate: WireDecoding.date(described["startDate"]),
                  stopDate: WireDecoding.date(described["stopDate"]), maxConcurrency: described["maxConcurrency"]?.intValue ?? 0,
                  items: Counts(described["itemCounts"]), executions: Counts(described["executionCounts"]))
        children = (listed?["executions"]?.arrayValue ?? []).compactMap { json in
            guard let name = json["name"]?.stringValue, let arn = json["executionArn"]?.stringValue,
                  let status = json["status"]?.stringValue.flatMap(Execution.Status.init(rawValue:)),
                  let started = WireDecoding.date(json["startDate"]) else { return nil }
            return Child(name: name, arn: arn, status: status, startDate: started, stopDate: WireDecoding.date(json["stopDate"]))
        }
    }

    public var isRunning: Bool { status == "RUNNING" }

    /// Map Run ARNs the history names (`MapRunStarted` events' `mapRunArn`), oldest first.
    public static func arns(in timeline: [TimelineEntry]) -> [String] {
        timeline.compactMap { $0.type == "MapRunStarted" ? $0.details?["mapRunArn"]?.stringValue : nil }
    }

    /// A Map Run's child: its state machine is the parent's labelled one (`…:stateMachine:NAME/LABEL`),
    /// a name no state machine can have. The saga list leaves children to their Map Run.
    /// Read from the ARN's bytes, not split into parts: a history frame asks it for every event
    /// the stream carries.
    public static func isChild(stateMachineArn: String) -> Bool {
        // The last non-empty part after a colon (trailing colons skipped), as `split` finds it.
        let bytes = stateMachineArn.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: ":") { end = bytes.index(before: end) }
        var index = end
        while index > bytes.startIndex {
            let previous = bytes.index(before: index)
            switch bytes[previous] {
            case UInt8(ascii: ":"): return false
            case UInt8(ascii: "/"): return true
            default: index = previous
            }
        }
        return false
    }
}
