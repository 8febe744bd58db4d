import Testing
@testable import Wire

/// The credential scope read unverified: the region a client signed for, in either form.
@Suite struct CredentialScopeTests {
    @Test func readsTheHeaderForm() throws {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/sqs/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=5fa0"
        let scope = try #require(SigV4CredentialScope.of(authorization: header, query: ""))
        #expect(scope.accessKeyId == "AKIDEXAMPLE")
        #expect(scope.date == "20150830")
        #expect(scope.region == "eu-west-1")
        #expect(scope.service == "sqs")
        #expect(scope.scope == "20150830/eu-west-1/sqs/aws4_request")
    }

    @Test func readsThePresignedQueryForm() throws {
        let query = "Action=ListQueues&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKID%2F20240101%2Fap-southeast-2%2Fsqs%2Faws4_request&X-Amz-Signature=ab"
        let scope = try #require(SigV4CredentialScope.of(authorization: nil, query: query))
        #expect(scope.accessKeyId == "AKID")
        #expect(scope.region == "ap-southeast-2")
    }

    /// An Authorization header wins over the query (it is what the verifier checks), and text
    /// that is not a five-part scope ending in aws4_request names no region.
    @Test func refusesWhatIsNotAScope() {
        let query = "X-Amz-Credential=AKID%2F20240101%2Feu-west-1%2Fsqs%2Faws4_request"
        #expect(SigV4CredentialScope.of(authorization: "Bearer token", query: query) == nil)
        #expect(SigV4CredentialScope.of(authorization: nil, query: "") == nil)
        for credential in ["AKID/20240101/eu-west-1/sqs", "AKID/2024/eu-west-1/sqs/aws4_request",
                           "/20240101/eu-west-1/sqs/aws4_request", "AKID/20240101//sqs/aws4_request",
                           "AKID/20240101/eu-west-1/sqs/aws4_request/extra", "AKID/20240101/eu-west-1/sqs/aws5_request"] {
            #expect(SigV4CredentialScope(credential: credential) == nil, "\(credential)")
            #expect(SigV4CredentialScope.of(authorization: "AWS4-HMAC-SHA256 Credential=\(credential), Signature=x",
                                            query: "") == nil, "\(credential)")
        }
    }

    /// The verifier reports the region of the scope it verified.
    @Test func theVerifierReportsTheSignedRegion() throws {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret"),
                                 region: "eu-central-1", service: "events")
        let request = signer.sign(SigV4Request(method: "POST", path: "/", headers: [("Host", "127.0.0.1")], body: [UInt8]()),
                                  unixSeconds: 1_700_000_000)
        let identity = try SigV4Verifier(secrets: ["AKID": "secret"]).verify(request, nowUnixSeconds: 1_700_000_010)
        #expect(identity.region == "eu-central-1")
        #expect(SigV4CredentialScope.of(authorization: request.header("Authorization"), query: "")?.region == "eu-central-1")
    }
}
