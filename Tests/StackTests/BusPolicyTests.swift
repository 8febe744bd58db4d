import JSON
import Testing
@testable import Stack

/// The question cross-account delivery asks of a bus's resource policy: may account X put
/// events to it? Answered from the policy PutPermission stores, and from whole documents.
@Suite("EventBridge resource policies")
struct BusPolicyTests {
    static let busArn = "arn:aws:events:us-east-1:000000000000:event-bus/orders"

    @Test("an account statement allows that account only; * allows every account")
    func principals() {
        var policy = BusPolicy()
        #expect(!policy.allowsPutEvents(account: "111122223333"))
        policy.put(BusPolicy.statement(sid: "one", principal: "111122223333", organization: nil, busArn: Self.busArn))
        #expect(policy.allowsPutEvents(account: "111122223333"))
        #expect(!policy.allowsPutEvents(account: "444455556666"))
        policy.put(BusPolicy.statement(sid: "any", principal: "*", organization: nil, busArn: Self.busArn))
        #expect(policy.allowsPutEvents(account: "444455556666"))
        let removed = policy.remove(sid: "any")
        let removedAgain = policy.remove(sid: "any")
        #expect(removed && !removedAgain)
        #expect(!policy.allowsPutEvents(account: "444455556666"))
    }

    @Test("an organization condition allows members of that organization, and nobody whose organization is unknown")
    func organizations() {
        var policy = BusPolicy()
        policy.put(BusPolicy.statement(sid: "org", principal: "*", organization: "o-abc", busArn: Self.busArn))
        #expect(policy.allowsPutEvents(account: "111122223333", organization: "o-abc"))
        #expect(!policy.allowsPutEvents(account: "111122223333", organization: "o-other"))
        #expect(!policy.allowsPutEvents(account: "111122223333"))
    }

    @Test("whole documents: action lists and wildcards count, other actions do not, Deny wins")
    func documents() throws {
        let text = """
            {"Version":"2012-10-17","Statement":[
              {"Sid":"a","Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:root"]},
               "Action":["events:PutRule","events:PutEvents"],"Resource":"x"},
              {"Sid":"b","Effect":"Allow","Principal":{"AWS":"333333333333"},"Action":"events:PutRule","Resource":"x"},
              {"Sid":"c","Effect":"Allow","Principal":"*","Action":"events:*","Resource":"x"},
              {"Sid":"d","Effect":"Deny","Principal":{"AWS":"444444444444"},"Action":"events:PutEvents","Resource":"x"}]}
            """
        let policy = try #require(BusPolicy(stored: text))
        #expect(policy.statements.count == 4)
        #expect(policy.allowsPutEvents(account: "111111111111"))
        #expect(policy.allowsPutEvents(account: "222222222222"))
        #expect(policy.allowsPutEvents(account: "333333333333"))
        #expect(!policy.allowsPutEvents(account: "444444444444"))
        #expect(BusPolicy(stored: policy.document) == policy)
    }

    @Test("the stored document round-trips, statements keep their order, an empty policy is none")
    func storage() async throws {
        let stack = try BusTestStack()
        defer { stack.removeFiles() }
        _ = try await stack.events("CreateEventBus", ["Name": "orders"])
        _ = try await stack.events("PutPermission", ["EventBusName": "orders", "Action": "events:PutEvents",
                                                     "Principal": "111122223333", "StatementId": "s1"])
        #expect(await stack.bus.policyAllowsPutEvents(bus: "orders", account: "111122223333"))
        #expect(!(await stack.bus.policyAllowsPutEvents(bus: "orders", account: "999999999999")))
        #expect(await stack.bus.policyAllowsPutEvents(bus: "orders", account: "000000000000"))
        #expect(!(await stack.bus.policyAllowsPutEvents(bus: "missing", account: "111122223333")))
        let described = try await stack.events("DescribeEventBus", ["Name": "orders"])
        let policy = try #require(BusPolicy(stored: described["Policy"]?.stringValue))
        #expect(policy.statements.map { $0["Sid"] } == ["s1"])
        _ = try await stack.events("RemovePermission", ["EventBusName": "orders", "StatementId": "s1"])
        #expect(try await stack.events("DescribeEventBus", ["Name": "orders"])["Policy"] == nil)
    }
}
