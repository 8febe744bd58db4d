import Testing
@testable import Stack

/// The question a rule target in another account asks of a queue's access policy: may this
/// rule send messages here? Principals, actions, resources, conditions and Deny as SQS reads them.
@Suite("SQS access policies for EventBridge rules")
struct QueuePolicyTests {
    static let queueArn = "arn:aws:sqs:us-east-1:111122223333:inbox"
    static let ruleArn = "arn:aws:events:us-east-1:000000000000:rule/forward"
    static let sender = QueuePolicy.RuleSender(ruleArn: ruleArn, accountId: "000000000000", roleArn: nil)

    static func policy(_ statements: String) throws -> QueuePolicy {
        try #require(QueuePolicy(stored: #"{"Version":"2012-10-17","Statement":\#(statements)}"#))
    }

    @Test("no policy, or one naming another account, denies; the account, its root or * allows")
    func principals() throws {
        #expect(QueuePolicy(stored: nil) == nil)
        let other = try Self.policy(#"[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"SQS:SendMessage","Resource":"\#(Self.queueArn)"}]"#)
        #expect(!other.allowsSendMessage(from: Self.sender, queueArn: Self.queueArn))
        for principal in [#""*""#, #"{"AWS":"*"}"#, #"{"AWS":"000000000000"}"#, #"{"AWS":["x","arn:aws:iam::000000000000:root"]}"#] {
            let policy = try Self.policy(#"{"Effect":"Allow","Principal":\#(principal),"Action":"sqs:SendMessage"}"#)
            #expect(policy.allowsSendMessage(from: Self.sender, queueArn: Self.queueArn), "\(principal)")
        }
    }

    @Test("the EventBridge service principal with aws:SourceArn allows that rule only")
    func sourceArn() throws {
        let policy = try Self.policy(#"""
            [{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage",
              "Resource":"\#(Self.queueArn)","Condition":{"ArnEquals":{"aws:SourceArn":"\#(Self.ruleArn)"}}}]
            """#)
        #expect(policy.allowsSendMessage(from: Self.sender, queueArn: Self.queueArn))
        var otherRule = Self.sender
        otherRule.ruleArn = "arn:aws:events:us-east-1:000000000000:rule/elsewhere"
        #expect(!policy.allowsSendMessage(from: otherRule, queueArn: Self.queueArn))
        #expect(!policy.allowsSendMessage(from: Self.sender, queueArn: "arn:aws:sqs:us-east-1:111122223333:other"))
        let like = try Self.policy(#"""
            [{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:Send*","Resource":"arn:aws:sqs:*:111122223333:*",
              "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:events:us-east-1:000000000000:rule/*"},"StringEquals":{"aws:SourceAccount":"000000000000"}}}]
            """#)
        #expect(like.allowsSendMessage(from: otherRule, queueArn: Self.queueArn))
        let unknownCondition = try Self.policy(#"""
            [{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]
            """#)
        #expect(!unknownCondition.allowsSendMessage(from: Self.sender, queueArn: Self.queueArn))
    }

    @Test("an execution role named as principal allows a target that names that role; other actions do not count; Deny wins")
    func rolesActionsAndDeny() throws {
        let role = "arn:aws:iam::000000000000:role/eventbridge-to-inbox"
        let byRole = try Self.policy(#"[{"Effect":"Allow","Principal":{"AWS":"\#(role)"},"Action":["sqs:ReceiveMessage","sqs:SendMessage"]}]"#)
        #expect(!byRole.allowsSendMessage(from: Self.sender, queueArn: Self.queueArn))
        #expect(byRole.allowsSendMessage(from: .init(ruleArn: Self.ruleArn, accountId: "000000000000", roleArn: role),
                                         queueArn: Self.queueArn))
        let receiveOnly = try Self.policy(#"[{"Effect":"Allow","Principal":"*","Action":"sqs:ReceiveMessage"}]"#)
        #expect(!receiveOnly.allowsSendMessage(from: Self.sender, queueArn: Self.queueArn))
        let denied = try Self.policy(#"""
            [{"Effect":"Allow","Principal":"*","Action":"sqs:*"},
             {"Effect":"Deny","Principal":{"AWS":"000000000000"},"Action":"*"}]
            """#)
        #expect(!denied.allowsSendMessage(from: Self.sender, queueArn: Self.queueArn))
    }

    @Test("IAM wildcards: * any run, ? one character")
    func globs() {
        #expect(QueuePolicy.globMatches("sqs:sendmessage", pattern: "sqs:*"))
        #expect(QueuePolicy.globMatches("abc", pattern: "a?c"))
        #expect(!QueuePolicy.globMatches("abbc", pattern: "a?c"))
        #expect(QueuePolicy.globMatches("abc", pattern: "*"))
        #expect(!QueuePolicy.globMatches("abc", pattern: "ab"))
    }
}
