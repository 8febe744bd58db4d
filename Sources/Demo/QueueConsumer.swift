import CircuitBreaker
import JSON
import StackClient
import Timekeeping

/// Consumes one SQS queue the way a service does: long-poll ReceiveMessage, handle each
/// message, DeleteMessageBatch the ones handled. A message left undeleted comes back after
/// the visibility timeout (and, on a queue with a redrive policy, goes to its dead-letter
/// queue after maxReceiveCount tries).
struct QueueConsumer: Sendable {
    enum Outcome: Sendable {
        case handled
        case failed
        case poison
    }

    let context: ServiceContext
    let service: String
    let queueURL: String
    let handled: DemoCounters.Key
    /// Decides each message; the default handles every message.
    let decide: @Sendable (_ messageId: String, _ body: JSONValue) async -> Outcome

    func run() async {
        let client = context.client
        while !Task.isCancelled {
            let spec = context.chaos.current
            if spec.isDown(service) {
                try? await context.clock.sleep(for: .milliseconds(500))
                continue
            }
            let answer: JSONValue
            do {
                answer = try await client.call(.sqs, "ReceiveMessage", [
                    "QueueUrl": .string(queueURL), "MaxNumberOfMessages": 10, "WaitTimeSeconds": 2,
                ], timeout: .seconds(30))
            } catch {
                if Task.isCancelled { return }
                context.counters.callFailed("ReceiveMessage \(service): \(error)")
                try? await context.clock.sleep(for: .seconds(1))
                continue
            }
            let messages = answer["Messages"]?.arrayValue ?? []
            guard !messages.isEmpty else { continue }
            await context.pause(spec.latency(service))
            var done: [JSONValue] = []
            for (index, message) in messages.enumerated() {
                guard let handle = message["ReceiptHandle"]?.stringValue else { continue }
                let messageId = message["MessageId"]?.stringValue ?? handle
                let body = message["Body"]?.stringValue.flatMap { try? JSONValue(parsing: $0) } ?? .null
                let outcome: Outcome = Dice.roll(spec.errorProbability(service)) ? .failed : await decide(messageId, body)
                switch outcome {
                case .handled:
                    context.counters.add(handled)
                    done.append(["Id": .string("m\(index)"), "ReceiptHandle": .string(handle)])
                case .failed:
                    context.counters.add(.consumerFailed)
                case .poison:
                    context.counters.add(.poisoned)
                }
            }
            guard !done.isEmpty else { continue }
            do {
                _ = try await client.call(.sqs, "DeleteMessageBatch", ["QueueUrl": .string(queueURL), "Entries": .array(done)])
            } catch {
                context.counters.callFailed("DeleteMessageBatch \(service): \(error)")
            }
        }
    }
}

/// Tells customers about their orders: consumes the `notification` queue and sends each
/// message through the mail provider, behind the breaker notification → mail-provider. A
/// message the provider did not take stays on the queue and comes back after its visibility
/// timeout.
struct NotificationService: Sendable {
    let context: ServiceContext
    let breaker: CircuitBreaker
    let mail: SimulatedDependency

    var consumer: QueueConsumer {
        let breaker = self.breaker, mail = self.mail
        return QueueConsumer(context: context, service: "notification", queueURL: context.resources.notificationQueueURL,
                             handled: .notified) { _, _ in
            do {
                try await breaker.run { try await mail.call() }
                return .handled
            } catch {
                return .failed
            }
        }
    }
}

/// Counts every shop event: consumes the `analytics` queue, whose dead-letter queue
/// `analytics-dlq` catches what it cannot process. `analytics.poison=P` makes a stable share
/// P of messages (chosen by message id) fail on every delivery, so they pile into the DLQ.
struct AnalyticsService: Sendable {
    let context: ServiceContext

    var consumer: QueueConsumer {
        let chaos = context.chaos
        return QueueConsumer(context: context, service: "analytics", queueURL: context.resources.analyticsQueueURL,
                             handled: .analyzed) { messageId, body in
            Dice.stable(messageId) < chaos.current.poisonProbability("analytics") ? .poison : .handled
        }
    }
}
