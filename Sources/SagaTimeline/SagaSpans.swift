import Foundation
import JSON
import Provider

/// An execution's history as the states it entered: one span per `…StateEntered`, nested under
/// the Parallel or Map it ran in. Events are attributed by `previousEventId`, so interleaved
/// Parallel branches stay apart; an event without one goes to the newest open state.
public struct SagaSpans: Sendable, Hashable {
    public var spans: [StateSpan]
    /// The execution's input text (`ExecutionStarted`), when the history holds it.
    public var executionInput: String?
    /// The input's full size in bytes when the provider cut it.
    public var executionInputClipped: Int?
    public var executionOutput: String?
    public var executionError: String?
    public var executionCause: String?
    /// When the history's last event happened.
    public var lastEvent: Date?
    /// How many events the history holds.
    public var eventCount: Int

    public init(timeline: [TimelineEntry]) {
        var spans: [StateSpan] = []
        /// Which span (or container span, for events that close a state) each event belongs to.
        var owner: [Int: Int] = [:]
        /// The Map iteration an event belongs to.
        var iterationOf: [Int: Int] = [:]
        var open: [Int] = []
        var input: String?, output: String?, error: String?, cause: String?
        var inputClipped: Int?
        for entry in timeline {
            let details = entry.details
            let previous = entry.previousEventId.flatMap { $0 > 0 ? $0 : nil }
            let container: Int? = previous.flatMap { owner[$0] } ?? open.last
            let iteration = previous.flatMap { iterationOf[$0] }
            let type = entry.type
            if type == "ExecutionStarted" {
                input = details?["input"]?.stringValue
                inputClipped = entry.clipped["input"]
                continue
            }
            if type == "ExecutionSucceeded" { output = details?["output"]?.stringValue }
            if type == "ExecutionFailed" || type == "ExecutionAborted" || type == "ExecutionTimedOut" {
                error = details?["error"]?.stringValue
                cause = details?["cause"]?.stringValue
            }
            if type.hasSuffix("StateEntered") {
                let parent = container.flatMap { spans[$0].isContainer ? $0 : spans[$0].parent }
                var span = StateSpan(name: entry.stateName ?? details?["name"]?.stringValue ?? "?",
                                     type: String(type.dropLast("StateEntered".count)),
                                     parent: parent, depth: parent.map { spans[$0].depth + 1 } ?? 0, iteration: iteration,
                                     entered: entry.timestamp, exited: nil, outcome: .running, attempts: [], waiting: nil,
                                     lastEvent: entry.timestamp, enteredEventId: entry.id, exitedEventId: nil,
                                     input: details?["input"]?.stringValue)
                span.clipped = entry.clipped
                spans.append(span)
                owner[entry.id] = spans.count - 1
                if let iteration { iterationOf[entry.id] = iteration }
                open.append(spans.count - 1)
                continue
            }
            if type.hasSuffix("StateExited") {
                let name = details?["name"]?.stringValue ?? entry.stateName
                if let index = open.last(where: { spans[$0].name == name }) ?? container {
                    spans[index].exited = entry.timestamp
                    spans[index].exitedEventId = entry.id
                    spans[index].lastEvent = entry.timestamp
                    spans[index].output = details?["output"]?.stringValue
                    if spans[index].outcome == .running { spans[index].outcome = .succeeded }
                    spans[index].waiting = nil
                    for (field, size) in entry.clipped { spans[index].clipped["output." + field] = size }
                    open.removeAll { $0 == index }
                    // What follows an exit belongs to the state's container.
                    if let parent = spans[index].parent { owner[entry.id] = parent }
                    if let iteration = spans[index].iteration { iterationOf[entry.id] = iteration }
                }
                continue
            }
            guard let index = container else { continue }
            owner[entry.id] = index
            if type == "MapIterationStarted", let number = details?["index"]?.intValue {
                iterationOf[entry.id] = number
            } else if let iteration {
                iterationOf[entry.id] = iteration
            }
            spans[index].lastEvent = entry.timestamp
            spans[index].apply(entry)
        }
        // A state the execution never exited (a Fail state, a task cut short by a stop or a
        // timeout) ends with the execution.
        if let closing = timeline.last(where: { Self.closingEvents.contains($0.type) }) {
            for index in open {
                spans[index].exited = closing.timestamp
                spans[index].waiting = nil
                if spans[index].outcome == .running {
                    spans[index].outcome = closing.type == "ExecutionSucceeded" ? .succeeded : .failed
                }
            }
        }
        self.spans = spans
        executionInput = input
        executionInputClipped = inputClipped
        executionOutput = output
        executionError = error
        executionCause = cause
        lastEvent = timeline.last?.timestamp
        eventCount = timeline.count
    }

    static let closingEvents: Set<String> = ["ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"]

    /// The span the execution is in now: the newest entered and not exited, innermost.
    public var current: StateSpan? {
        spans.last { $0.outcome == .running && !$0.isContainer } ?? spans.last { $0.outcome == .running }
    }

    /// The spans in drawing order: each container followed by its children (grouped by Map
    /// iteration), entry order otherwise.
    public var treeOrder: [Int] {
        var children: [Int?: [Int]] = [:]
        for (index, span) in spans.enumerated() { children[span.parent, default: []].append(index) }
        var order: [Int] = []
        func visit(_ parent: Int?) {
            let kids = (children[parent] ?? []).enumerated().sorted {
                ($0.element == $1.element) ? false : (spans[$0.element].iteration ?? -1, $0.offset) < (spans[$1.element].iteration ?? -1, $1.offset)
            }.map(\.element)
            for kid in kids {
                order.append(kid)
                visit(kid)
            }
        }
        visit(nil)
        return order
    }
}

extension StateSpan {
    /// Parallel and Map states hold other states.
    public var isContainer: Bool { type == "Parallel" || type == "Map" }

    /// Applies one event of the state's work (scheduled, started, failed, …).
    mutating func apply(_ entry: TimelineEntry) {
        let type = entry.type, details = entry.details
        if type.hasSuffix("Scheduled") {
            attempts.append(entry.timestamp)
            resource = details?["resource"]?.stringValue ?? resource
            if let parameters = details?["parameters"]?.stringValue ?? details?["input"]?.stringValue {
                self.parameters = parameters
                taskToken = Self.token(in: parameters) ?? taskToken
            }
            timeoutSeconds = details?["timeoutInSeconds"]?.doubleValue ?? timeoutSeconds
            heartbeatSeconds = details?["heartbeatInSeconds"]?.doubleValue ?? heartbeatSeconds
            outcome = .running
            error = nil
            cause = nil
            waiting = type == "ActivityScheduled" ? .worker : (resource?.hasSuffix(".waitForTaskToken") == true ? .callback : nil)
            for (field, size) in entry.clipped { clipped["parameters." + field] = size }
        } else if type.hasSuffix("Started") {
            if waiting == .worker { waiting = nil }
        } else if type.hasSuffix("Failed") || type.hasSuffix("TimedOut") || type.hasSuffix("StartFailed") || type.hasSuffix("SubmitFailed") {
            outcome = .failed
            waiting = nil
            error = details?["error"]?.stringValue ?? (type.hasSuffix("TimedOut") ? "States.Timeout" : nil)
            cause = details?["cause"]?.stringValue
            for (field, size) in entry.clipped { clipped["error." + field] = size }
        } else if type.hasSuffix("Succeeded") {
            outcome = .running  // the state exits next; until then it is still running
            waiting = nil
            error = nil
            cause = nil
        } else if type == "ExecutionFailed" || type == "ExecutionAborted" || type == "ExecutionTimedOut" {
            outcome = .failed
        }
    }

    /// A task token in a state's parameters: the value of a key named like `TaskToken` or
    /// `taskToken`, anywhere in the object.
    static func token(in parameters: String) -> String? {
        guard mentionsToken(parameters), let value = try? JSONValue(parsing: parameters) else { return nil }
        func find(_ value: JSONValue) -> String? {
            switch value {
            case .object(let object):
                for (key, inner) in object {
                    if key.lowercased().hasSuffix("tasktoken") || key == "Token", let text = inner.stringValue { return text }
                    if let found = find(inner) { return found }
                }
                return nil
            case .array(let array):
                return array.lazy.compactMap(find).first
            default:
                return nil
            }
        }
        return find(value)
    }

    /// Whether `text` has `oken` in it (`TaskToken`, `taskToken`, `Token`): the cheap test
    /// before parsing it. A byte search: Foundation's `contains` turned every Task state's
    /// parameters into UTF-16 for it, a few times a second per running saga. Either finds the
    /// same: the needle is ASCII, which no other character sequence is canonically equal to.
    static func mentionsToken(_ text: String) -> Bool {
        let (o, k, e, n) = (UInt8(ascii: "o"), UInt8(ascii: "k"), UInt8(ascii: "e"), UInt8(ascii: "n"))
        return text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.count >= 4 else { return false }
            for start in 0...(bytes.count - 4) where bytes[start] == o {
                if bytes[start + 1] == k && bytes[start + 2] == e && bytes[start + 3] == n { return true }
            }
            return false
        } ?? text.contains("oken")
    }
}
