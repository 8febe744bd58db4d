import Foundation
import Stack
import StackClient
import Testing
import Wire

/// Temporary keys (as STS issues them) against `signalbox serve --auth` with a session token
/// in its key file: the token must come along, signed.
@Suite("SigV4 with session tokens against a stack that checks them")
struct SessionTokenTests {
    func withAuthStack(_ body: @Sendable (Int) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-token-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = try AuthFile.parseKeys("AKIDPERM permsecret\nASIATEMP tempsecret the-session-token\n")
        var configuration = StackConfiguration(port: 0, dataDirectory: directory, credentials: keys.secrets)
        configuration.sessionTokens = keys.sessionTokens
        let server = try StackAssembly.makeServer(configuration: configuration)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run { sink.yield($0) } }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        try await body(try #require(await iterator.next()))
    }

    /// The error code ListQueues answers with these keys; nil when it succeeds.
    func code(port: Int, _ credentials: AWSCredentials) async -> String? {
        let endpoint = StackEndpoint(url: URL(string: "http://127.0.0.1:\(port)"), credentials: credentials)
        do {
            _ = try await AWSClient(endpoint: endpoint).call(.sqs, "ListQueues")
            return nil
        } catch {
            return error.code ?? "\(error)"
        }
    }

    @Test("temporary keys work with their token and are refused without it or with another")
    func tokens() async throws {
        try await withAuthStack { port in
            #expect(await code(port: port, AWSCredentials(accessKeyId: "ASIATEMP", secretAccessKey: "tempsecret",
                                                              sessionToken: "the-session-token")) == nil)
            #expect(await code(port: port, AWSCredentials(accessKeyId: "ASIATEMP", secretAccessKey: "tempsecret"))
                == "InvalidClientTokenId")
            #expect(await code(port: port, AWSCredentials(accessKeyId: "ASIATEMP", secretAccessKey: "tempsecret",
                                                              sessionToken: "stolen")) == "InvalidClientTokenId")
            // Permanent keys carry no token; one that sends a token is refused, as AWS does.
            #expect(await code(port: port, AWSCredentials(accessKeyId: "AKIDPERM", secretAccessKey: "permsecret")) == nil)
            #expect(await code(port: port, AWSCredentials(accessKeyId: "AKIDPERM", secretAccessKey: "permsecret",
                                                              sessionToken: "x")) == "InvalidClientTokenId")
        }
    }

    @Test("a token added after signing (not among the signed headers) is refused")
    func unsignedToken() throws {
        let verifier = SigV4Verifier(secrets: ["ASIATEMP": "tempsecret"], sessionTokens: ["ASIATEMP": "tok"])
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: "ASIATEMP", secretAccessKey: "tempsecret"),
                                 region: "us-east-1", service: "sqs")
        var request = signer.sign(SigV4Request(method: "POST", path: "/", headers: [(name: "Host", value: "h")], body: [UInt8]()),
                                  unixSeconds: 1_800_000_000)
        request.headers.append((name: "X-Amz-Security-Token", value: "tok"))
        #expect(throws: AWSError.incompleteSignature("X-Amz-Security-Token must be among the signed headers")) {
            try verifier.verify(request, nowUnixSeconds: 1_800_000_000)
        }
        let signed = SigV4Signer(credentials: AWSCredentials(accessKeyId: "ASIATEMP", secretAccessKey: "tempsecret", sessionToken: "tok"),
                                 region: "us-east-1", service: "sqs")
            .sign(SigV4Request(method: "POST", path: "/", headers: [(name: "Host", value: "h")], body: [UInt8]()),
                  unixSeconds: 1_800_000_000)
        #expect(try verifier.verify(signed, nowUnixSeconds: 1_800_000_000).accessKeyId == "ASIATEMP")
    }

    @Test("the key file's three-column lines and JSON objects carry session tokens")
    func keyFile() throws {
        #expect(try AuthFile.parseKeys("A s\nB t tok\n") == AuthFile.Keys(secrets: ["A": "s", "B": "t"], sessionTokens: ["B": "tok"]))
        #expect(try AuthFile.parseKeys(#"{"A": "s", "B": {"secret": "t", "sessionToken": "tok"}}"#)
            == AuthFile.Keys(secrets: ["A": "s", "B": "t"], sessionTokens: ["B": "tok"]))
        #expect(throws: AuthFile.Error.self) { try AuthFile.parseKeys(#"{"B": {"secret": "t"}}"#) }
        #expect(throws: AuthFile.Error.self) { try AuthFile.parseKeys("A s tok extra\n") }
    }
}
