#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON

/// What a distributed Map asks its host to run: a Map Run, one child execution per batch of
/// items (one item per child without ItemBatcher), at most `maxConcurrency` at once.
public struct MapRunRequest: Sendable, Hashable, Codable {
    /// `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:UUID`.
    public let mapRunArn: String
    public let executionArn: String
    public let stateMachineArn: String
    public let stateMachineName: String
    /// The parent's role: its children run with it.
    public let roleArn: String
    public let stateName: String
    /// The Map's `Label`, or the UUID that stands for it; children's ARNs carry it
    /// (`…:execution:MACHINE/LABEL:NAME`), as their labelled machine ARN does.
    public let label: String
    public let labelGiven: Bool
    public let executionType: String
    /// The ItemProcessor as a machine definition (see `DistributedMapSpec`).
    public let definition: String
    private let inputs: [StoredJSON]
    /// How many items each child's input holds (1 without ItemBatcher).
    public let itemCounts: [Int]
    /// 0: as many as there are children (AWS: up to 10,000 at once).
    public let maxConcurrency: Int
    public let toleratedFailureCount: Int?
    public let toleratedFailurePercentage: Double?

    public var childInputs: [JSONValue] { inputs.map(\.wrappedValue) }
    public var childCount: Int { inputs.count }
    public func childInput(_ index: Int) -> JSONValue { inputs[index].wrappedValue }

    init(mapRunArn: String, executionArn: String, stateMachineArn: String, stateMachineName: String, roleArn: String, stateName: String,
         label: String, labelGiven: Bool, executionType: String, definition: String, inputs: [JSONValue], itemCounts: [Int],
         maxConcurrency: Int, toleratedFailureCount: Int?, toleratedFailurePercentage: Double?) {
        self.mapRunArn = mapRunArn
        self.executionArn = executionArn
        self.stateMachineArn = stateMachineArn
        self.stateMachineName = stateMachineName
        self.roleArn = roleArn
        self.stateName = stateName
        self.label = label
        self.labelGiven = labelGiven
        self.executionType = executionType
        self.definition = definition
        self.inputs = inputs.map(StoredJSON.init(wrappedValue:))
        self.itemCounts = itemCounts
        self.maxConcurrency = maxConcurrency
        self.toleratedFailureCount = toleratedFailureCount
        self.toleratedFailurePercentage = toleratedFailurePercentage
    }

    /// The children's state machine ARN: the parent's with the label,
    /// `arn:…:stateMachine:MACHINE/LABEL` (the labelled ARN AWS's "Viewing a Distributed Map
    /// Run" page gives for child workflow executions).
    public var childStateMachineArn: String { stateMachineArn + "/" + label }
}

/// DescribeMapRun's `itemCounts` or `executionCounts` (API reference, MapRunItemCounts and
/// MapRunExecutionCounts). Results are not written anywhere (there is no ResultWriter here), so
/// `resultsWritten` stays 0; every unsuccessful child can be redriven with its parent, so
/// `failuresNotRedrivable` does too. A child waiting to be redriven counts under the status it
/// ended with and under `pendingRedrive`.
public struct MapRunCounts: Sendable, Hashable {
    public var pending = 0
    public var running = 0
    public var succeeded = 0
    public var failed = 0
    public var timedOut = 0
    public var aborted = 0
    public var total = 0
    public var pendingRedrive = 0

    public init() {}

    public var wire: JSONObject {
        ["pending": .number(Double(pending)), "running": .number(Double(running)), "succeeded": .number(Double(succeeded)),
         "failed": .number(Double(failed)), "timedOut": .number(Double(timedOut)), "aborted": .number(Double(aborted)),
         "total": .number(Double(total)), "resultsWritten": 0, "failuresNotRedrivable": 0,
         "pendingRedrive": .number(Double(pendingRedrive))]
    }
}

/// A Map Run's progress as a value: which children have started and how each ended, the
/// settings UpdateMapRun may change, and the decisions that follow (start more, fail on the
/// tolerated failure threshold, succeed). The host owns one per running Map Run and rebuilds
/// it from its stored children after a restart.
public struct MapRunProgress: Sendable {
    public let request: MapRunRequest
    public var maxConcurrency: Int
    public var toleratedFailureCount: Int?
    public var toleratedFailurePercentage: Double?
    /// How often the run was redriven: a child restarted now is its attempt of that number.
    public var redriveCount = 0
    /// Per child: nil while not started, else its status (its latest attempt's).
    public private(set) var statuses: [ExecutionStatus?]
    /// Unsuccessful children a redrive of the run will run again, not started again yet.
    public private(set) var pendingRedrive: Set<Int> = []

    /// AWS runs at most 10,000 children of one Map Run at once.
    public static let concurrencyCeiling = 10_000

    public init(request: MapRunRequest) {
        self.request = request
        maxConcurrency = request.maxConcurrency
        toleratedFailureCount = request.toleratedFailureCount
        toleratedFailurePercentage = request.toleratedFailurePercentage
        statuses = Array(repeating: nil, count: request.childCount)
    }

    /// A child's status; `waitsForRedrive`: it ended unsuccessfully before the run's latest
    /// redrive and has not run again since.
    public mutating func record(_ index: Int, _ status: ExecutionStatus, waitsForRedrive: Bool = false) {
        guard statuses.indices.contains(index) else { return }
        statuses[index] = status
        if waitsForRedrive, Self.isUnsuccessful(status) { pendingRedrive.insert(index) } else { pendingRedrive.remove(index) }
    }

    /// The children to start now (marked running), in index order, within MaxConcurrency:
    /// those never started and those waiting for a redrive (the host tells them apart by
    /// whether the child exists).
    public mutating func startable() -> [Int] {
        let limit = maxConcurrency == 0 ? Self.concurrencyCeiling : min(maxConcurrency, Self.concurrencyCeiling)
        var running = statuses.filter { $0 == .running }.count
        var started: [Int] = []
        for index in statuses.indices where (statuses[index] == nil || pendingRedrive.contains(index)) && running < limit {
            statuses[index] = .running
            pendingRedrive.remove(index)
            running += 1
            started.append(index)
        }
        return started
    }

    static func isUnsuccessful(_ status: ExecutionStatus?) -> Bool {
        status == .failed || status == .timedOut || status == .aborted
    }

    /// Items in children that did not succeed (a failed batch fails all its items: "ItemBatcher
    /// (Map)", developer guide); children waiting for a redrive are not failures yet.
    public var failedItems: Int {
        statuses.indices.reduce(0) { sum, index in
            Self.isUnsuccessful(statuses[index]) && !pendingRedrive.contains(index) ? sum + request.itemCounts[index] : sum
        }
    }

    public var totalItems: Int { request.itemCounts.reduce(0, +) }

    /// Whether the failures exceed the threshold: without ToleratedFailureCount or
    /// …Percentage any failure does; with both, exceeding either does (developer guide,
    /// "Setting failure thresholds for Distributed Map states").
    public var thresholdExceeded: Bool {
        let failed = failedItems
        guard failed > 0 else { return false }
        if toleratedFailureCount == nil, toleratedFailurePercentage == nil { return true }
        if let count = toleratedFailureCount, failed > count { return true }
        if let percentage = toleratedFailurePercentage, Double(failed) / Double(max(totalItems, 1)) * 100 > percentage { return true }
        return false
    }

    /// Every child started and ended, none waiting for a redrive.
    public var isComplete: Bool { pendingRedrive.isEmpty && statuses.allSatisfy { $0 != nil && $0 != .running } }

    public var runningChildren: [Int] { statuses.indices.filter { statuses[$0] == .running } }

    /// DescribeMapRun's `itemCounts` and `executionCounts`.
    public var counts: (items: MapRunCounts, executions: MapRunCounts) {
        var items = MapRunCounts(), executions = MapRunCounts()
        for index in statuses.indices {
            let weight = request.itemCounts[index]
            func add(_ path: WritableKeyPath<MapRunCounts, Int>) {
                items[keyPath: path] += weight
                executions[keyPath: path] += 1
            }
            switch statuses[index] {
            case nil: add(\.pending)
            case .running?: add(\.running)
            case .succeeded?: add(\.succeeded)
            case .failed?: add(\.failed)
            case .timedOut?: add(\.timedOut)
            case .aborted?: add(\.aborted)
            }
            if pendingRedrive.contains(index) {
                items.pendingRedrive += weight
                executions.pendingRedrive += 1
            }
        }
        items.total = totalItems
        executions.total = statuses.count
        return (items, executions)
    }
}

/// The error a Map Run fails with past its threshold, with the cause AWS writes (as emulators
/// reproduce it from recorded executions).
public enum MapRunFailure {
    public static let thresholdExceeded = StatesError(StatesErrorName.exceedToleratedFailureThreshold,
                                                      "The specified tolerated failure threshold was exceeded")
}
