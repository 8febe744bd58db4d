import CircuitBreaker
import Foundation
import JSON
import StackClient
import StackProtocol

/// Carries out operator actions through the same public APIs a user's own tooling would:
/// SQS for queues, Step Functions for executions, the breaker board for breakers. Each returns
/// the one line the console shows and what the answer tells about the system; failures carry
/// the service's own code and message.
struct StackActions: Sendable {
    let aws: AWSClient
    let extensions: ExtensionClient
    /// Who the breaker board's audit trail names as having set an override.
    let actor: String

    /// What an action's answer tells about the system, besides the line for the operator.
    struct Outcome: Sendable {
        /// The one line the console shows.
        var message: String
        /// The board's committed entry of an overridden breaker.
        var breakerEntry: BreakerBoardEntry?
        /// The parts whose data the action changed and its answer does not carry.
        var changed: Set<PollPart>
    }

    func perform(_ action: OperatorAction) async throws(ProviderError) -> Outcome {
        switch action {
        case .forceBreaker(let service, let dependency, let force, let reason):
            let name = "\(service) → \(dependency)"
            let answer = try await override(service: service, dependency: dependency, mode: force == .open ? .forceOpen : .forceClosed, reason: reason)
            return Outcome(message: "breaker \(name) forced \(force == .open ? "OPEN" : "CLOSED") by \(actor)",
                           breakerEntry: answer.entry, changed: [])
        case .releaseBreaker(let service, let dependency, let reason):
            let answer = try await override(service: service, dependency: dependency, mode: .automatic, reason: reason)
            return Outcome(message: "breaker \(service) → \(dependency) released to automatic by \(actor)",
                           breakerEntry: answer.entry, changed: [])
        case .redriveDeadLetterQueue(let arn):
            let answer = try await call(.sqs, "StartMessageMoveTask", ["SourceArn": .string(arn)])
            let name = Topology.shortName(ofArn: arn)
            let handle = answer["TaskHandle"]?.stringValue.map { " (task \(Self.clip($0, 24)))" } ?? ""
            return Outcome(message: "redrive started: messages in \(name) move back to their source queues\(handle)",
                           changed: [.queues])
        case .purgeQueue(let url):
            _ = try await call(.sqs, "PurgeQueue", ["QueueUrl": .string(url)])
            return Outcome(message: "purged \(Topology.shortName(ofArn: url))", changed: [.queues])
        case .stopExecution(let arn, let cause):
            _ = try await call(.stepFunctions, "StopExecution",
                               ["executionArn": .string(arn), "error": "Signalbox.OperatorStop", "cause": .string(cause)])
            return Outcome(message: "stopped execution \(Topology.shortName(ofArn: arn))", changed: [.executions])
        case .sendTaskSuccess(let arn, let token, let output):
            _ = try await call(.stepFunctions, "SendTaskSuccess", ["taskToken": .string(token), "output": .string(output)])
            return Outcome(message: "task success sent: \(Topology.shortName(ofArn: arn)) moves on", changed: [.executions])
        case .sendTaskFailure(let arn, let token, let error, let cause):
            _ = try await call(.stepFunctions, "SendTaskFailure", ["taskToken": .string(token), "error": .string(error), "cause": .string(cause)])
            return Outcome(message: "task failure \(error) sent: \(Topology.shortName(ofArn: arn)) takes its Catch, if any", changed: [.executions])
        case .sendTaskHeartbeat(let arn, let token):
            _ = try await call(.stepFunctions, "SendTaskHeartbeat", ["taskToken": .string(token)])
            return Outcome(message: "heartbeat sent for \(Topology.shortName(ofArn: arn))", changed: [])
        case .startExecution(let machine, let input, _):
            let answer = try await call(.stepFunctions, "StartExecution", ["stateMachineArn": .string(machine), "input": .string(input)])
            let started = answer["executionArn"]?.stringValue.map(Topology.shortName(ofArn:)) ?? "?"
            return Outcome(message: "started \(started) with the same input", changed: [.executions])
        case .openTap, .removeTaps:
            // The provider runs taps itself (they outlive the call); it never hands these here.
            throw .rejected("a tap is opened and removed by the provider")
        case .startReplay(let replay):
            let answer = try await call(.eventBridge, "StartReplay", [
                "ReplayName": .string(replay.name), "EventSourceArn": .string(replay.archiveArn),
                "EventStartTime": .number(replay.from.timeIntervalSince1970), "EventEndTime": .number(replay.to.timeIntervalSince1970),
                "Destination": ["Arn": .string(replay.busArn)],
            ])
            let state = answer["State"]?.stringValue ?? "STARTING"
            return Outcome(message: "replay \(replay.name) \(state): the archive's events go back to \(Topology.shortName(ofArn: replay.busArn))"
                           + " carrying replay-name", changed: [.eventBridge])
        case .redriveExecution(let arn):
            _ = try await call(.stepFunctions, "RedriveExecution", ["executionArn": .string(arn)])
            return Outcome(message: "redriven execution \(Topology.shortName(ofArn: arn)): it resumes from the state that failed",
                           changed: [.executions])
        }
    }

    private func call(_ service: AWSService, _ operation: String, _ input: JSONValue) async throws(ProviderError) -> JSONValue {
        do {
            return try await aws.call(service, operation, input)
        } catch {
            throw ProviderError.rejected("\(operation): \(error)")
        }
    }

    /// `POST /_signalbox/breakers/{service}/{dependency}/override`.
    private func override(service: String, dependency: String, mode: BreakerOverride.Mode,
                          reason: String) async throws(ProviderError) -> BreakerOverrideResult {
        guard extensions.endpoint.extensionBaseURL(for: ExtensionPaths.breakers) != nil else {
            throw ProviderError.rejected("breakers are on Signalbox's breaker board; this endpoint is AWS itself, which has none")
        }
        do throws(StackClientError) {
            return try await extensions.override(service: service, dependency: dependency,
                                                 BreakerOverrideRequest(mode: mode, reason: reason, actor: actor))
        } catch {
            if case .noExtension(let absence) = error {
                throw ProviderError.rejected("this endpoint has no breaker board (\(absence.reason))")
            }
            throw ProviderError.rejected("breaker override: \(error)")
        }
    }

    private static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
