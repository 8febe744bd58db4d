#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// Storage form of an execution: the definition text, the context, the status and every
/// run, task and timer. JSON payloads are stored as text so object key order survives.
extension Execution: Codable {
    private enum CodingKeys: String, CodingKey {
        case definition, context, status, input, output, failure, startDate, stopDate, redriveCount, redriveDate
        case lastEventId, pendingTasks, runs, timers, taskRuns, timerSequence, random
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        definition = try container.decode(StateMachineDefinition.self, forKey: .definition)
        context = try container.decode(ExecutionContext.self, forKey: .context)
        status = try container.decode(ExecutionStatus.self, forKey: .status)
        input = try container.decode(StoredJSON.self, forKey: .input).wrappedValue
        output = try container.decode(StoredOptionalJSON.self, forKey: .output).wrappedValue
        failure = try container.decodeIfPresent(StatesError.self, forKey: .failure)
        startDate = try container.decode(Date.self, forKey: .startDate)
        stopDate = try container.decodeIfPresent(Date.self, forKey: .stopDate)
        redriveCount = try container.decode(Int.self, forKey: .redriveCount)
        redriveDate = try container.decodeIfPresent(Date.self, forKey: .redriveDate)
        lastEventId = try container.decode(Int.self, forKey: .lastEventId)
        pendingTasks = try container.decode([String: TaskRequest].self, forKey: .pendingTasks)
        runs = try container.decode([Run].self, forKey: .runs)
        timers = try container.decode([String: PendingTimer].self, forKey: .timers)
        taskRuns = try container.decode([String: Int].self, forKey: .taskRuns)
        timerSequence = try container.decode(Int.self, forKey: .timerSequence)
        random = try container.decode(SplitMix64.self, forKey: .random)
        now = startDate
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(definition, forKey: .definition)
        try container.encode(context, forKey: .context)
        try container.encode(status, forKey: .status)
        try container.encode(StoredJSON(wrappedValue: input), forKey: .input)
        try container.encode(StoredOptionalJSON(wrappedValue: output), forKey: .output)
        try container.encodeIfPresent(failure, forKey: .failure)
        try container.encode(startDate, forKey: .startDate)
        try container.encodeIfPresent(stopDate, forKey: .stopDate)
        try container.encode(redriveCount, forKey: .redriveCount)
        try container.encodeIfPresent(redriveDate, forKey: .redriveDate)
        try container.encode(lastEventId, forKey: .lastEventId)
        try container.encode(pendingTasks, forKey: .pendingTasks)
        try container.encode(runs, forKey: .runs)
        try container.encode(timers, forKey: .timers)
        try container.encode(taskRuns, forKey: .taskRuns)
        try container.encode(timerSequence, forKey: .timerSequence)
        try container.encode(random, forKey: .random)
    }
}
