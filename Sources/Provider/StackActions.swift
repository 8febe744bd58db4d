import Foundation
import JSON
import StackClient

/// Carries out operator actions through the same public APIs a user's own tooling would:
/// SQS for queues, Step Functions for executions, the breaker board for breakers. Each returns
/// the one line the console shows; failures carry the service's own code and message.
struct StackActions: Sendable {
    let aws: AWSClient
    let extensions: ExtensionClient
    /// Who the breaker board's audit trail names as having set an override.
    let actor: String

    func perform(_ action: OperatorAction) async throws(ProviderError) -> String {
        switch action {
        case .forceBreaker(let service, let dependency, let force, let reason):
            let name = "\(service) → \(dependency)"
            _ = try await override(service: service, dependency: dependency, mode: force.rawValue, reason: reason)
            return "breaker \(name) forced \(force == .open ? "OPEN" : "CLOSED") by \(actor)"
        case .releaseBreaker(let service, let dependency, let reason):
            _ = try await override(service: service, dependency: dependency, mode: "automatic", reason: reason)
            return "breaker \(service) → \(dependency) released to automatic by \(actor)"
        case .redriveDeadLetterQueue(let arn):
            let answer = try await call(.sqs, "StartMessageMoveTask", ["SourceArn": .string(arn)])
            let name = Topology.shortName(ofArn: arn)
            let handle = answer["TaskHandle"]?.stringValue.map { " (task \(Self.clip($0, 24)))" } ?? ""
            return "redrive started: messages in \(name) move back to their source queues\(handle)"
        case .purgeQueue(let url):
            _ = try await call(.sqs, "PurgeQueue", ["QueueUrl": .string(url)])
            return "purged \(Topology.shortName(ofArn: url))"
        case .stopExecution(let arn, let cause):
            _ = try await call(.stepFunctions, "StopExecution",
                               ["executionArn": .string(arn), "error": "Signalbox.OperatorStop", "cause": .string(cause)])
            return "stopped execution \(Topology.shortName(ofArn: arn))"
        case .redriveExecution(let arn):
            _ = try await call(.stepFunctions, "RedriveExecution", ["executionArn": .string(arn)])
            return "redriven execution \(Topology.shortName(ofArn: arn)): it resumes from the state that failed"
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
    private func override(service: String, dependency: String, mode: String,
                          reason: String) async throws(ProviderError) -> JSONValue {
        guard extensions.endpoint.extensionBaseURL(for: "/_signalbox/breakers") != nil else {
            throw ProviderError.rejected("breakers are on Signalbox's breaker board; this endpoint is AWS itself, which has none")
        }
        let path = "/_signalbox/breakers/\(Self.pathSegment(service))/\(Self.pathSegment(dependency))/override"
        do throws(StackClientError) {
            return try await extensions.request(.post, path, body: ["mode": .string(mode), "reason": .string(reason),
                                                                    "actor": .string(actor)])
        } catch {
            if case .service(let answer) = error, answer.status == 404, answer.code != "BreakerNotFoundException" {
                throw ProviderError.rejected("this endpoint has no breaker board (\(error))")
            }
            throw ProviderError.rejected("breaker override: \(error)")
        }
    }

    /// One URL path segment: everything but unreserved characters percent-encoded, so a name
    /// with `/` or spaces addresses the right breaker.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// RFC 3986's unreserved characters (ASCII only: other letters are encoded too).
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
