import Foundation
import JSON
import Testing
@testable import Stack

/// Step Functions details AWS records (issue #17): tags, encryptionConfiguration, role ARN
/// shape, page tokens bound to their parameters, and inputs kept as sent.
@Suite struct SagaDetailsTests {
    let pass = #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#
    let role: JSONValue = "arn:aws:iam::000000000000:role/saga"

    @Test func tagsMergeInPlaceAndKeepTheirOrder() {
        let merged = SagaService.merged([("a", "1"), ("b", "2")], [("b", "3"), ("c", "4")])
        #expect(merged.map(\.key) == ["a", "b", "c"])
        #expect(merged.map(\.value) == ["1", "3", "4"])
        let text = SagaService.encodeTags(merged)
        #expect(SagaService.decodeTags(text).map(\.key) == ["a", "b", "c"])
        #expect(SagaService.decodeTags(nil).isEmpty)
    }

    @Test func tagLimitsAndErrors() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("m", pass)
        let fifty = JSONValue.array((0..<50).map { ["key": .string("k\($0)"), "value": "v"] })
        _ = try await stack.sfn("TagResource", ["resourceArn": .string(machine), "tags": fifty])
        #expect(await stack.sfnError("TagResource", ["resourceArn": .string(machine), "tags": [["key": "one-more", "value": "v"]]]) == "TooManyTags")
        // Re-tagging known keys does not count twice.
        _ = try await stack.sfn("TagResource", ["resourceArn": .string(machine), "tags": [["key": "k0", "value": "new"]]])
        let listed = try await stack.sfn("ListTagsForResource", ["resourceArn": .string(machine)])["tags"]?.arrayValue
        #expect(listed?.count == 50 && listed?.first == ["key": "k0", "value": "new"])
        #expect(await stack.sfnError("TagResource", ["resourceArn": .string(machine), "tags": [["key": "", "value": "v"]]]) == "ValidationException")
        #expect(await stack.sfnError("TagResource", ["resourceArn": .string(machine)]) == "ValidationException")
        #expect(await stack.sfnError("ListTagsForResource", ["resourceArn": "arn:aws:states:us-east-1:000000000000:activity:none"]) == "ResourceNotFound")
        #expect(await stack.sfnError("ListTagsForResource", ["resourceArn": "not-an-arn"]) == "InvalidArn")
    }

    @Test func encryptionIsValidatedStoredAndDefaulted() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let key = "arn:aws:kms:us-east-1:000000000000:key/k"
        let machine = try await stack.sfn("CreateStateMachine", ["name": "e", "definition": .string(pass), "roleArn": role,
                                                                  "encryptionConfiguration": ["type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": .string(key)]])
        let arn = machine["stateMachineArn"] ?? .null
        let described = try await stack.sfn("DescribeStateMachine", ["stateMachineArn": arn])
        #expect(described["encryptionConfiguration"] == ["kmsKeyId": .string(key), "kmsDataKeyReusePeriodSeconds": 300, "type": "CUSTOMER_MANAGED_KMS_KEY"])
        // The same name with other keys is another machine: StateMachineAlreadyExists.
        #expect(await stack.sfnError("CreateStateMachine", ["name": "e", "definition": .string(pass), "roleArn": role]) == "StateMachineAlreadyExists")
        for bad: JSONValue in [["type": "CUSTOMER_MANAGED_KMS_KEY"], ["type": "X"], ["kmsKeyId": "k"], "text",
                               ["type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k", "kmsDataKeyReusePeriodSeconds": 59]] {
            #expect(await stack.sfnError("CreateActivity", ["name": "a", "encryptionConfiguration": bad]) == "ValidationException")
        }
        #expect(SagaEncryption(stored: nil) == .default)
        #expect(SagaEncryption.default.stored == nil)
    }

    @Test func roleArnsNeedATwelveDigitAccount() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        for bad: JSONValue in ["arn:aws:iam::1234:role/r", "arn:aws:iam::00000000000a:role/r", "arn:aws:iam::000000000000:role/",
                               "arn:aws:iam:us-east-1:000000000000:role/r", "arn:aws:sts::000000000000:role/r"] {
            #expect(await stack.sfnError("CreateStateMachine", ["name": "r", "definition": .string(pass), "roleArn": bad]) == "InvalidArn")
        }
        #expect(await stack.sfnError("CreateStateMachine", ["name": "r", "definition": .string(pass),
                                                            "roleArn": "arn:aws-cn:iam::000000000000:role/path/r"]) == "OK")
    }

    @Test func pageTokensBelongToTheirListing() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        for name in ["a", "b", "c"] { _ = try await stack.createActivity(name) }
        let first = try await stack.sfn("ListActivities", ["maxResults": 2])
        let token = try #require(first["nextToken"])
        let second = try await stack.sfn("ListActivities", ["maxResults": 2, "nextToken": token])
        #expect(second["activities"]?.arrayValue?.count == 1)
        #expect(await stack.sfnError("ListStateMachines", ["nextToken": token]) == "InvalidToken")
        #expect(await stack.sfnError("ListActivities", ["nextToken": "%%%"]) == "InvalidToken")
    }

    @Test func describeExecutionReturnsTheInputAsSent() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("m", pass)
        let sent = "{\"z\" : 1.0,   \"a\":[ ]}"
        let started = try await stack.sfn("StartExecution", ["stateMachineArn": .string(machine), "name": "x", "input": .string(sent)])
        let described = try await stack.sfn("DescribeExecution", ["executionArn": started["executionArn"] ?? .null])
        #expect(described["input"]?.stringValue == sent)
    }

    @Test func qualifiedArnsAndAliasNames() {
        let naming = SagaNaming(accountId: "000000000000", region: "us-east-1")
        let machine = naming.machineArn("m")
        #expect(naming.qualifiedMachine(machine + ":3")?.machineArn == machine)
        #expect(naming.qualifiedMachine(machine + ":PROD")?.qualifier == "PROD")
        #expect(naming.qualifiedMachine(machine) == nil)
        #expect(naming.qualifiedMachine(machine + ":") == nil)
        #expect(SagaNaming.isValidAliasName("PROD-1.blue_green"))
        #expect(!SagaNaming.isValidAliasName("123"))
        #expect(!SagaNaming.isValidAliasName("with space"))
        #expect(!SagaNaming.isValidAliasName(String(repeating: "a", count: 81)))
    }

    @Test func aliasRoutingFollowsTheWeights() {
        let routing = [SagaService.Route(versionArn: "v1", weight: 30), SagaService.Route(versionArn: "v2", weight: 70)]
        #expect((0..<30).allSatisfy { SagaService.route(routing, draw: $0) == "v1" })
        #expect((30..<100).allSatisfy { SagaService.route(routing, draw: $0) == "v2" })
        let all = [SagaService.Route(versionArn: "v1", weight: 0), SagaService.Route(versionArn: "v2", weight: 100)]
        #expect((0..<100).allSatisfy { SagaService.route(all, draw: $0) == "v2" })
    }

    /// AWS's revisionId is a UUID: a changing update gives a new one, an update that changes
    /// nothing keeps it, a version shows the one it snapshots, and all survive a restart.
    @Test func revisionIdsAreUUIDsThatChangeWithEachUpdate() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("m", pass)
        let first = try #require(try await stack.sfn("DescribeStateMachine", ["stateMachineArn": .string(machine)])["revisionId"]?.stringValue)
        #expect(UUID(uuidString: first) != nil)
        let updated = try await stack.sfn("UpdateStateMachine", ["stateMachineArn": .string(machine), "roleArn": "arn:aws:iam::000000000000:role/other"])
        let second = try #require(updated["revisionId"]?.stringValue)
        #expect(UUID(uuidString: second) != nil && second != first)
        let unchanged = try await stack.sfn("UpdateStateMachine", ["stateMachineArn": .string(machine), "roleArn": "arn:aws:iam::000000000000:role/other"])
        #expect(unchanged["revisionId"]?.stringValue == second)
        #expect(await stack.sfnError("PublishStateMachineVersion", ["stateMachineArn": .string(machine), "revisionId": .string(first)]) == "ConflictException")
        let version = try await stack.sfn("PublishStateMachineVersion", ["stateMachineArn": .string(machine), "revisionId": .string(second)])
        let versionArn = try #require(version["stateMachineVersionArn"]?.stringValue)

        let reopened = try SagaStack(directory: stack.directory)
        #expect(try await reopened.sfn("DescribeStateMachine", ["stateMachineArn": .string(machine)])["revisionId"]?.stringValue == second)
        #expect(try await reopened.sfn("DescribeStateMachine", ["stateMachineArn": .string(versionArn)])["revisionId"]?.stringValue == second)
        let third = try await reopened.sfn("UpdateStateMachine", ["stateMachineArn": .string(machine), "definition": .string(pass.replacingOccurrences(of: "\"P\"", with: "\"Q\""))])
        #expect(third["revisionId"]?.stringValue != second)
        #expect(try await reopened.sfn("DescribeStateMachine", ["stateMachineArn": .string(versionArn)])["revisionId"]?.stringValue == second)
    }

    @Test func versionsAreNumberedPerMachineAndNeverReused() async throws {
        let stack = try SagaStack()
        defer { stack.remove() }
        let machine = try await stack.createMachine("m", pass)
        let first = try await stack.sfn("PublishStateMachineVersion", ["stateMachineArn": .string(machine)])
        #expect(first["stateMachineVersionArn"]?.stringValue == machine + ":1")
        // The same revision again: the same version.
        let again = try await stack.sfn("PublishStateMachineVersion", ["stateMachineArn": .string(machine), "description": "d"])
        #expect(again["stateMachineVersionArn"]?.stringValue == machine + ":1")
        _ = try await stack.sfn("UpdateStateMachine", ["stateMachineArn": .string(machine), "roleArn": "arn:aws:iam::000000000000:role/other"])
        let second = try await stack.sfn("PublishStateMachineVersion", ["stateMachineArn": .string(machine)])
        #expect(second["stateMachineVersionArn"]?.stringValue == machine + ":2")
        _ = try await stack.sfn("DeleteStateMachineVersion", ["stateMachineVersionArn": .string(machine + ":2")])
        _ = try await stack.sfn("UpdateStateMachine", ["stateMachineArn": .string(machine), "roleArn": role])
        let third = try await stack.sfn("PublishStateMachineVersion", ["stateMachineArn": .string(machine)])
        #expect(third["stateMachineVersionArn"]?.stringValue == machine + ":3")
        #expect(await stack.sfnError("PublishStateMachineVersion", ["stateMachineArn": .string(machine), "revisionId": "1"]) == "ConflictException")
        #expect(await stack.sfnError("PublishStateMachineVersion", ["stateMachineArn": .string(machine),
                                                                   "revisionId": .string(UUID().uuidString.lowercased())]) == "ConflictException")
        #expect(await stack.sfnError("CreateStateMachineAlias", ["name": "A", "routingConfiguration": [
            ["stateMachineVersionArn": .string(machine + ":1"), "weight": 50],
            ["stateMachineVersionArn": .string(machine + ":1"), "weight": 50]]]) == "ValidationException")
        #expect(await stack.sfnError("CreateStateMachineAlias", ["name": "A", "routingConfiguration": [
            ["stateMachineVersionArn": .string(machine + ":1"), "weight": 50],
            ["stateMachineVersionArn": .string(stack.sagas.naming.machineArn("other") + ":1"), "weight": 50]]]) == "ValidationException")
    }
}
