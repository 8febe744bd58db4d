import Foundation
import JSON
import Testing
@testable import Wire

@Suite struct SigV4Tests {
    let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    let vanillaTime: Int64 = 1_440_938_160 // 2015-08-30T12:36:00Z

    @Test func amzDateRoundTrips() {
        #expect(SigV4.amzDate(unixSeconds: vanillaTime) == "20150830T123600Z")
        #expect(SigV4.unixSeconds(amzDate: "20150830T123600Z") == vanillaTime)
        #expect(SigV4.amzDate(unixSeconds: 0) == "19700101T000000Z")
        #expect(SigV4.unixSeconds(amzDate: "20240229T235959Z").map(SigV4.amzDate(unixSeconds:)) == "20240229T235959Z")
        #expect(SigV4.unixSeconds(amzDate: "2015-08-30T12:36:00Z") == nil)
        #expect(SigV4.unixSeconds(amzDate: "20151330T123600Z") == nil)
    }

    /// AWS's published SigV4 test suite, "get-vanilla".
    @Test func signsTheAWSGetVanillaVector() {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let request = SigV4Request(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")], body: [UInt8]())
        let signed = signer.sign(request, unixSeconds: vanillaTime)
        #expect(signed.header("Authorization") ==
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    func signedJSONRequest(secret: String = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", at time: Int64) -> SigV4Request {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: secret),
                                 region: "us-east-1", service: "sqs")
        let body = Array(#"{"QueueName":"orders"}"#.utf8)
        return signer.sign(SigV4Request(method: "POST", path: "/", headers: [
            ("Host", "127.0.0.1:4599"), ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", "AmazonSQS.CreateQueue"),
        ], body: body), unixSeconds: time)
    }

    @Test func verifierAcceptsWhatTheSignerSigns() throws {
        let verifier = SigV4Verifier(secrets: ["AKIDEXAMPLE": credentials.secretAccessKey])
        let identity = try verifier.verify(signedJSONRequest(at: vanillaTime), nowUnixSeconds: vanillaTime + 60)
        #expect(identity.accessKeyId == "AKIDEXAMPLE" && identity.service == "sqs")
    }

    @Test func verifierRefusesTamperingAndWrongKeys() {
        let verifier = SigV4Verifier(secrets: ["AKIDEXAMPLE": credentials.secretAccessKey])
        var tampered = signedJSONRequest(at: vanillaTime)
        tampered.payloadHash = SigV4.hexSHA256(Array(#"{"QueueName":"other"}"#.utf8))
        #expect(throws: AWSError.signatureDoesNotMatch()) { try verifier.verify(tampered, nowUnixSeconds: vanillaTime) }
        #expect(throws: AWSError.signatureDoesNotMatch()) {
            try verifier.verify(signedJSONRequest(secret: "wrong", at: vanillaTime), nowUnixSeconds: vanillaTime)
        }
        let stranger = SigV4Verifier(secrets: ["SOMEONEELSE": "x"])
        #expect(throws: AWSError.unrecognizedClient()) {
            try stranger.verify(signedJSONRequest(at: vanillaTime), nowUnixSeconds: vanillaTime)
        }
        do {
            _ = try verifier.verify(signedJSONRequest(at: vanillaTime), nowUnixSeconds: vanillaTime + 3600)
            Issue.record("a signature an hour old was accepted")
        } catch {
            #expect(error.queryCode == "RequestExpired")
        }
        let unsigned = SigV4Request(method: "POST", path: "/", headers: [("Host", "h")], body: [UInt8]())
        #expect(throws: AWSError.missingAuthentication()) { try verifier.verify(unsigned, nowUnixSeconds: vanillaTime) }
    }

    @Test func verifierChecksThePresignedQueryForm() throws {
        // Build a presigned request by hand, the way SDKs do for the query form.
        let amzDate = SigV4.amzDate(unixSeconds: vanillaTime)
        let scope = "20150830/us-east-1/sqs/aws4_request"
        var items: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "AKIDEXAMPLE/\(scope)"),
            ("X-Amz-Date", amzDate), ("X-Amz-Expires", "60"), ("X-Amz-SignedHeaders", "host"),
        ]
        var request = SigV4Request(method: "GET", path: "/", query: "", headers: [("Host", "127.0.0.1:4599")], body: [UInt8]())
        let canonical = SigV4.canonicalRequest(request, signedHeaders: ["host"], queryItems: items)
        let key = SigV4.signingKey(secret: credentials.secretAccessKey, date: "20150830", region: "us-east-1", service: "sqs")
        let signature = SigV4.signature(stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical), key: key)
        items.append(("X-Amz-Signature", signature))
        request.query = items.map { "\(SigV4.uriEncode($0.name))=\(SigV4.uriEncode($0.value))" }.joined(separator: "&")
        let verifier = SigV4Verifier(secrets: ["AKIDEXAMPLE": credentials.secretAccessKey])
        #expect(try verifier.verify(request, nowUnixSeconds: vanillaTime + 30).accessKeyId == "AKIDEXAMPLE")
        #expect(throws: AWSError.self) { try verifier.verify(request, nowUnixSeconds: vanillaTime + 61) }
        var forged = request
        forged.query = request.query.replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=600")
        #expect(throws: AWSError.signatureDoesNotMatch()) { try verifier.verify(forged, nowUnixSeconds: vanillaTime + 30) }
    }

    @Test func uriEncodingFollowsRFC3986() {
        #expect(SigV4.uriEncode("a b/c~d_e.f-g*") == "a%20b%2Fc~d_e.f-g%2A")
        #expect(SigV4.uriEncode("/a b/", keepSlash: true) == "/a%20b/")
        #expect(SigV4.percentDecode("a%20b+c", plusAsSpace: true) == "a b c")
        #expect(SigV4.percentDecode("bad%zz%") == "bad%zz%")
    }
}

@Suite struct AWSErrorTests {
    @Test func bodyAndQueryHeader() {
        let error = AWSError(code: "QueueDoesNotExist", message: "gone", namespace: "com.amazonaws.sqs",
                             queryCode: "AWS.SimpleQueueService.NonExistentQueue")
        #expect(error.body == ["__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "gone"])
        #expect(error.queryErrorHeader == "AWS.SimpleQueueService.NonExistentQueue;Sender")
    }

    @Test func parsesResponsesTheWaySDKsDo() {
        let parsed = AWSError(status: 400, headers: ["X-Amzn-Query-Error": "AWS.SimpleQueueService.NonExistentQueue;Sender"],
                              body: Array(#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist:http://x","message":"m"}"#.utf8))
        #expect(parsed.code == "QueueDoesNotExist")
        #expect(parsed.namespace == "com.amazonaws.sqs")
        #expect(parsed.queryCode == "AWS.SimpleQueueService.NonExistentQueue")
        #expect(parsed.message == "m")
        let bare = AWSError(status: 500, headers: [:], body: Array("oops".utf8))
        #expect(bare.code == "HTTP500" && bare.fault == .receiver && bare.message == "oops")
    }
}

@Suite struct AWSJSONTests {
    @Test func targetsAndContentTypes() {
        #expect(AWSTarget(header: "AmazonSQS.SendMessage") == AWSTarget(prefix: "AmazonSQS", operation: "SendMessage"))
        #expect(AWSTarget(header: "Route53AutoNaming_v20170314.ListServices")?.prefix == "Route53AutoNaming_v20170314")
        #expect(AWSTarget(header: "NoDot") == nil)
        #expect(AWSTarget(header: "Trailing.") == nil)
        #expect(AWSJSONVersion(contentType: "application/x-amz-json-1.1; charset=utf-8") == .v1_1)
        #expect(AWSJSONVersion(contentType: "application/json") == nil)
    }

    @Test func bodies() throws {
        #expect(try AWSJSONCodec.decodeBody(Array("  ".utf8)) == .object([:]))
        #expect(try AWSJSONCodec.decodeBody(Array(#"{"a":1}"#.utf8)) == ["a": 1])
        #expect(throws: AWSError.self) { try AWSJSONCodec.decodeBody(Array("[1]".utf8)) }
        #expect(throws: AWSError.self) { try AWSJSONCodec.decodeBody(Array("{".utf8)) }
    }
}
