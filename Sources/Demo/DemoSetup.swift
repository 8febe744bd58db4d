import Foundation
import JSON
import StackClient
import Timekeeping

/// Creates the demo's resources on an endpoint, or finds them when they exist: running setup
/// twice changes nothing and yields the same identifiers. Public API calls only, so it works
/// on the local stack, moto and AWS alike.
public struct DemoSetup: Sendable {
    public let client: AWSClient
    /// The IAM role EventBridge assumes to start executions and Step Functions runs as. The
    /// local stack accepts any role ARN of the right shape; on AWS pass a real one.
    public var roleArn: String?
    /// What the wait for an asynchronous namespace creation sleeps on.
    public var clock: any TimeSource

    public init(client: AWSClient, roleArn: String? = nil, clock: any TimeSource = SystemClock()) {
        self.client = client
        self.roleArn = roleArn
        self.clock = clock
    }

    public func run() async throws(DemoError) -> DemoResources {
        let account = try await accountId()
        let role = roleArn ?? "arn:aws:iam::\(account):role/signalbox-demo"
        let activityArns = try await activities()
        let stateMachineArn = try await stateMachine(role: role)
        try await bus()
        let dlqURL = try await queue(DemoNames.analyticsDeadLetterQueue, attributes: [:])
        let dlqArn = try await queueArn(dlqURL)
        let notificationURL = try await queue(DemoNames.notificationQueue, attributes: ["VisibilityTimeout": "10"])
        let redrive: JSONValue = ["deadLetterTargetArn": .string(dlqArn),
                                  "maxReceiveCount": .string(String(DemoNames.analyticsMaxReceiveCount))]
        let analyticsURL = try await queue(DemoNames.analyticsQueue, attributes: [
            "VisibilityTimeout": "2", "RedrivePolicy": .string(redrive.serialized),
        ])
        let trigger = try await rules(stateMachineArn: stateMachineArn, role: role,
                                      notificationArn: try await queueArn(notificationURL),
                                      analyticsArn: try await queueArn(analyticsURL))
        let namespaceId = try await namespace()
        var serviceIds: [String: String] = [:]
        for service in DemoNames.services {
            serviceIds[service] = try await registryService(service, namespaceId: namespaceId)
        }
        return DemoResources(
            busName: DemoNames.bus, stateMachineArn: stateMachineArn, activityArns: activityArns,
            notificationQueueURL: notificationURL, analyticsQueueURL: analyticsURL,
            analyticsDeadLetterQueueURL: dlqURL, namespaceId: namespaceId, serviceIds: serviceIds,
            sagaTrigger: trigger)
    }

    // MARK: Steps

    /// The account id, read from an activity's ARN (every endpoint answers with a full ARN).
    private func accountId() async throws(DemoError) -> String {
        let arn = try await activity(DemoNames.Activity.inventoryReserve)
        let fields = arn.split(separator: ":", omittingEmptySubsequences: false)
        return fields.count > 4 && !fields[4].isEmpty ? String(fields[4]) : "000000000000"
    }

    private func activities() async throws(DemoError) -> [String: String] {
        var arns: [String: String] = [:]
        for name in DemoNames.Activity.all {
            arns[name] = try await activity(name)
        }
        return arns
    }

    /// CreateActivity is idempotent on AWS and the local stack; some endpoints (moto) answer
    /// ActivityAlreadyExists instead, and the ARN is then looked up.
    private func activity(_ name: String) async throws(DemoError) -> String {
        do {
            let answer = try await client.call(.stepFunctions, "CreateActivity", ["name": .string(name)])
            if let arn = answer["activityArn"]?.stringValue { return arn }
            throw DemoError.unexpected("CreateActivity \(name) answered without an activityArn")
        } catch let error as StackClientError where error.code == "ActivityAlreadyExists" {
            var token: String?
            repeat {
                var input: JSONValue = ["maxResults": 1000]
                if let token { input = ["maxResults": 1000, "nextToken": .string(token)] }
                let page = try await call("ListActivities", .stepFunctions, "ListActivities", input)
                for activity in page["activities"]?.arrayValue ?? [] where activity["name"]?.stringValue == name {
                    if let arn = activity["activityArn"]?.stringValue { return arn }
                }
                token = page["nextToken"]?.stringValue
            } while token != nil
            throw .unexpected("activity \(name) exists but ListActivities does not list it")
        } catch let error as StackClientError {
            throw .setup(step: "CreateActivity \(name)", error)
        } catch let error as DemoError {
            throw error
        } catch {
            throw .unexpected("\(error)")
        }
    }

    private func stateMachine(role: String) async throws(DemoError) -> String {
        let input: JSONValue = ["name": .string(DemoNames.stateMachine), "definition": .string(OrderSaga.definition),
                                "roleArn": .string(role)]
        do {
            let answer = try await client.call(.stepFunctions, "CreateStateMachine", input)
            if let arn = answer["stateMachineArn"]?.stringValue { return arn }
            throw DemoError.unexpected("CreateStateMachine answered without a stateMachineArn")
        } catch let error as StackClientError where error.code == "StateMachineAlreadyExists" {
            // Exists with another definition (an older demo): bring it back to the seed's.
            let arn = try await findStateMachine()
            _ = try await call("UpdateStateMachine", .stepFunctions, "UpdateStateMachine", [
                "stateMachineArn": .string(arn), "definition": .string(OrderSaga.definition), "roleArn": .string(role),
            ])
            return arn
        } catch let error as StackClientError {
            throw .setup(step: "CreateStateMachine \(DemoNames.stateMachine)", error)
        } catch let error as DemoError {
            throw error
        } catch {
            throw .unexpected("\(error)")
        }
    }

    private func findStateMachine() async throws(DemoError) -> String {
        var token: String?
        repeat {
            var input: JSONValue = ["maxResults": 1000]
            if let token { input = ["maxResults": 1000, "nextToken": .string(token)] }
            let page = try await call("ListStateMachines", .stepFunctions, "ListStateMachines", input)
            for machine in page["stateMachines"]?.arrayValue ?? []
            where machine["name"]?.stringValue == DemoNames.stateMachine {
                if let arn = machine["stateMachineArn"]?.stringValue { return arn }
            }
            token = page["nextToken"]?.stringValue
        } while token != nil
        throw .unexpected("state machine \(DemoNames.stateMachine) exists but ListStateMachines does not list it")
    }

    private func bus() async throws(DemoError) {
        do {
            _ = try await client.call(.eventBridge, "CreateEventBus", ["Name": .string(DemoNames.bus)])
        } catch where error.code == "ResourceAlreadyExistsException" {
            return
        } catch {
            throw .setup(step: "CreateEventBus \(DemoNames.bus)", error)
        }
    }

    /// Creates the queue, or brings an existing one's attributes to these.
    private func queue(_ name: String, attributes: [String: JSONValue]) async throws(DemoError) -> String {
        let attributeObject = JSONValue.object(JSONObject(uniqueKeysWithValues: attributes.sorted { $0.key < $1.key }))
        do {
            let answer = try await client.call(.sqs, "CreateQueue", ["QueueName": .string(name), "Attributes": attributeObject])
            guard let url = answer["QueueUrl"]?.stringValue else { throw DemoError.unexpected("CreateQueue \(name) answered without a QueueUrl") }
            return url
        } catch let error as StackClientError where ["QueueAlreadyExists", "QueueNameExists"].contains(error.code ?? "") {
            let answer = try await call("GetQueueUrl \(name)", .sqs, "GetQueueUrl", ["QueueName": .string(name)])
            guard let url = answer["QueueUrl"]?.stringValue else { throw .unexpected("GetQueueUrl \(name) answered without a QueueUrl") }
            _ = try await call("SetQueueAttributes \(name)", .sqs, "SetQueueAttributes",
                               ["QueueUrl": .string(url), "Attributes": attributeObject])
            return url
        } catch let error as StackClientError {
            throw .setup(step: "CreateQueue \(name)", error)
        } catch let error as DemoError {
            throw error
        } catch {
            throw .unexpected("\(error)")
        }
    }

    private func queueArn(_ url: String) async throws(DemoError) -> String {
        let answer = try await call("GetQueueAttributes", .sqs, "GetQueueAttributes",
                                    ["QueueUrl": .string(url), "AttributeNames": ["QueueArn"]])
        guard let arn = answer["Attributes"]?["QueueArn"]?.stringValue else {
            throw .unexpected("GetQueueAttributes \(url) answered without a QueueArn")
        }
        return arn
    }

    /// The three rules. PutRule and PutTargets are upserts, so repeating them changes nothing.
    private func rules(stateMachineArn: String, role: String, notificationArn: String,
                       analyticsArn: String) async throws(DemoError) -> DemoResources.SagaTrigger {
        let orders: JSONValue = ["source": [.string(DemoNames.orderSource)], "detail-type": [.string(DemoNames.orderCreated)]]
        let notifications: JSONValue = ["source": [["prefix": "shop."]],
                                        "detail-type": ["Order Created", "Order Shipped", "Payment Failed", "Payment Refunded"]]
        let everything: JSONValue = ["source": [["prefix": "shop."]]]
        try await rule(DemoNames.sagaRule, pattern: orders, description: "Order Created starts the order saga")
        try await rule(DemoNames.notificationRule, pattern: notifications, description: "What customers are told about")
        try await rule(DemoNames.analyticsRule, pattern: everything, description: "Every shop event, for analytics")
        let sagaAccepted = try await target(DemoNames.sagaRule, [
            "Id": "order-saga", "Arn": .string(stateMachineArn), "RoleArn": .string(role), "InputPath": "$.detail",
        ])
        _ = try await target(DemoNames.notificationRule, ["Id": "notification", "Arn": .string(notificationArn)], required: true)
        _ = try await target(DemoNames.analyticsRule, ["Id": "analytics", "Arn": .string(analyticsArn)], required: true)
        return sagaAccepted ? .rule : .direct
    }

    private func rule(_ name: String, pattern: JSONValue, description: String) async throws(DemoError) {
        _ = try await call("PutRule \(name)", .eventBridge, "PutRule", [
            "Name": .string(name), "EventBusName": .string(DemoNames.bus), "EventPattern": .string(pattern.serialized),
            "State": "ENABLED", "Description": .string(description),
        ])
    }

    /// - Returns: whether the endpoint accepted the target (a refused optional target is not
    ///   an error: the caller falls back).
    private func target(_ rule: String, _ target: JSONValue, required: Bool = false) async throws(DemoError) -> Bool {
        let answer = try await call("PutTargets \(rule)", .eventBridge, "PutTargets", [
            "Rule": .string(rule), "EventBusName": .string(DemoNames.bus), "Targets": [target],
        ])
        let failed = answer["FailedEntryCount"]?.intValue ?? 0
        if failed > 0, required {
            let message = answer["FailedEntries"]?[0]?["ErrorMessage"]?.stringValue ?? "refused"
            throw .unexpected("PutTargets \(rule) refused its target: \(message)")
        }
        return failed == 0
    }

    private func namespace() async throws(DemoError) -> String {
        do {
            let answer = try await client.call(.cloudMap, "CreateHttpNamespace", [
                "Name": .string(DemoNames.namespace), "Description": "Signalbox demo order system",
                "CreatorRequestId": .string("signalbox-demo-\(DemoNames.namespace)"),
            ])
            if let operation = answer["OperationId"]?.stringValue {
                try await awaitOperation(operation)
            }
        } catch let error as StackClientError where error.code == "NamespaceAlreadyExists" {
            // Found below.
        } catch let error as StackClientError {
            throw .setup(step: "CreateHttpNamespace \(DemoNames.namespace)", error)
        } catch let error as DemoError {
            throw error
        } catch {
            throw .unexpected("\(error)")
        }
        var token: String?
        repeat {
            var input: JSONValue = [:]
            if let token { input = ["NextToken": .string(token)] }
            let page = try await call("ListNamespaces", .cloudMap, "ListNamespaces", input)
            for namespace in page["Namespaces"]?.arrayValue ?? [] where namespace["Name"]?.stringValue == DemoNames.namespace {
                if let id = namespace["Id"]?.stringValue { return id }
            }
            token = page["NextToken"]?.stringValue
        } while token != nil
        throw .unexpected("namespace \(DemoNames.namespace) was created but ListNamespaces does not list it")
    }

    /// Cloud Map creates namespaces asynchronously: wait (up to a minute) for the operation.
    private func awaitOperation(_ id: String) async throws(DemoError) {
        for _ in 0..<120 {
            let answer = try await call("GetOperation", .cloudMap, "GetOperation", ["OperationId": .string(id)])
            switch answer["Operation"]?["Status"]?.stringValue {
            case "SUCCESS": return
            case "FAIL":
                throw .unexpected("creating namespace \(DemoNames.namespace) failed: \(answer["Operation"]?["ErrorMessage"]?.stringValue ?? "no reason given")")
            default:
                try? await clock.sleep(for: .milliseconds(500))
            }
        }
        throw .unexpected("creating namespace \(DemoNames.namespace) did not finish within a minute")
    }

    private func registryService(_ name: String, namespaceId: String) async throws(DemoError) -> String {
        do {
            let answer = try await client.call(.cloudMap, "CreateService", [
                "Name": .string(name), "NamespaceId": .string(namespaceId),
                "Description": .string("Signalbox demo \(name) service"),
                "HealthCheckCustomConfig": [:],
                "CreatorRequestId": .string("signalbox-demo-\(name)"),
            ])
            if let id = answer["Service"]?["Id"]?.stringValue { return id }
            throw DemoError.unexpected("CreateService \(name) answered without a service id")
        } catch let error as StackClientError where error.code == "ServiceAlreadyExists" {
            var token: String?
            repeat {
                var input: JSONValue = ["Filters": [["Name": "NAMESPACE_ID", "Values": [.string(namespaceId)], "Condition": "EQ"]]]
                if let token { input = ["Filters": input["Filters"]!, "NextToken": .string(token)] }
                let page = try await call("ListServices", .cloudMap, "ListServices", input)
                for service in page["Services"]?.arrayValue ?? [] where service["Name"]?.stringValue == name {
                    if let id = service["Id"]?.stringValue { return id }
                }
                token = page["NextToken"]?.stringValue
            } while token != nil
            throw .unexpected("service \(name) exists but ListServices does not list it")
        } catch let error as StackClientError {
            throw .setup(step: "CreateService \(name)", error)
        } catch let error as DemoError {
            throw error
        } catch {
            throw .unexpected("\(error)")
        }
    }

    private func call(_ step: String, _ service: AWSService, _ operation: String,
                      _ input: JSONValue) async throws(DemoError) -> JSONValue {
        do {
            return try await client.call(service, operation, input)
        } catch {
            throw .setup(step: step, error)
        }
    }
}
