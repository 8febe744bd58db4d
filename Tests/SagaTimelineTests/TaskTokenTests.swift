import Testing
@testable import SagaTimeline

/// The task token a waiting step's parameters carry, which the console sends task success,
/// failure and heartbeats with.
@Suite struct TaskTokenTests {
    @Test("a token is found under any key named like a task token, at any depth")
    func tokensAreFound() {
        #expect(StateSpan.token(in: #"{"QueueUrl":"q","MessageBody":{"taskToken":"tok-1"}}"#) == "tok-1")
        #expect(StateSpan.token(in: #"{"Payload":[{"TaskToken":"tok-2"}]}"#) == "tok-2")
        #expect(StateSpan.token(in: #"{"Token":"tok-3"}"#) == "tok-3")
    }

    @Test("parameters without a token, or not JSON, give none")
    func noToken() {
        #expect(StateSpan.token(in: #"{"FunctionName":"payment-charge","Payload":{"orderId":"ord-1"}}"#) == nil)
        #expect(StateSpan.token(in: #"{"broken":"taskToken"#) == nil)
        #expect(StateSpan.token(in: "oke") == nil)
        #expect(StateSpan.token(in: "") == nil)
        // A key that only ends in "oken" is no task token.
        #expect(StateSpan.token(in: #"{"spoken":"yes"}"#) == nil)
    }

    @Test("the quick test before parsing finds the word wherever it is")
    func quickTest() {
        #expect(StateSpan.mentionsToken("oken"))
        #expect(StateSpan.mentionsToken(String(repeating: "x", count: 40_000) + "taskToken"))
        #expect(StateSpan.mentionsToken("é \u{1F600} Token"))
        #expect(!StateSpan.mentionsToken("oke"))
        #expect(!StateSpan.mentionsToken("OKEN"))
        #expect(!StateSpan.mentionsToken(""))
    }
}
