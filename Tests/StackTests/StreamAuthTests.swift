import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSON
import Testing
import Wire
@testable import Stack

/// The live stream under `--auth`: its requests are signed as API calls are, and a key reads
/// only its own account's streams. A real server on a loopback port, plain HTTP GETs of the
/// stream's path (the same check runs before a WebSocket upgrade).
@Suite("Live stream authentication")
struct StreamAuthTests {
    static let keys = ["AKIDA": "secret-a", "AKIDB": "secret-b"]
    static let accountB = "111122223333"

    /// Runs the assembled stack on 127.0.0.1:0 (with `--auth` keys when given) for `body`.
    func withServer(credentials: [String: String]?, _ body: @Sendable (String) async throws -> Void) async throws {
        try await withStackServer(label: "stream-auth-test", configure: { configuration in
            configuration.credentials = credentials
            configuration.accounts = ["AKIDB": Self.accountB]
        }, body)
    }

    /// GETs the stream with `query`, signed by `key` (id, secret) when given.
    func get(_ host: String, query: String = "", key: (id: String, secret: String)? = nil) async throws -> (status: Int, body: JSONValue?) {
        let path = "/_signalbox/stream"
        var request = URLRequest(url: try #require(URL(string: "http://\(host)\(path)\(query.isEmpty ? "" : "?" + query)")))
        if let key {
            let signed = SigV4Signer(credentials: AWSCredentials(accessKeyId: key.id, secretAccessKey: key.secret),
                                     region: "us-east-1", service: "signalbox")
                .sign(SigV4Request(method: "GET", path: path, query: query, headers: [(name: "Host", value: host)], body: [UInt8]()),
                      unixSeconds: Int64(Date().timeIntervalSince1970))
            for header in signed.headers where header.name != "Host" {
                request.setValue(header.value, forHTTPHeaderField: header.name)
            }
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, data.isEmpty ? nil : try? JSONValue(parsing: [UInt8](data)))
    }

    @Test("with --auth: unsigned, wrongly signed and other-account requests are refused in AWS's shape; a signed one is served")
    func refusedUnlessSignedForItsOwnAccount() async throws {
        try await withServer(credentials: Self.keys) { host in
            let unsigned = try await get(host, query: "topics=events")
            #expect(unsigned.status == 403)
            #expect(unsigned.body?["__type"]?.stringValue?.hasSuffix("MissingAuthenticationTokenException") == true)

            let wrongSecret = try await get(host, query: "topics=events", key: ("AKIDA", "not-the-secret"))
            #expect(wrongSecret.status == 403)
            #expect(wrongSecret.body?["__type"]?.stringValue?.hasSuffix("InvalidSignatureException") == true)

            let unknownKey = try await get(host, query: "topics=events", key: ("AKIDX", "secret-x"))
            #expect(unknownKey.status == 403)
            #expect(unknownKey.body?["__type"]?.stringValue?.hasSuffix("UnrecognizedClientException") == true)

            let otherAccount = try await get(host, query: "account=000000000000&topics=events", key: ("AKIDB", "secret-b"))
            #expect(otherAccount.status == 403)
            #expect(otherAccount.body?["__type"] == "AccessDeniedException")
            #expect(otherAccount.body?["message"]
                == "The live stream of account 000000000000 is not readable with a key of account 111122223333.")

            #expect(try await get(host, query: "topics=events", key: ("AKIDA", "secret-a")).status == 200)
            #expect(try await get(host, query: "account=\(Self.accountB)&region=eu-west-1", key: ("AKIDB", "secret-b")).status == 200)
        }
    }

    @Test("without --auth nothing changes: unsigned requests and any account are served")
    func openWithoutAuth() async throws {
        try await withServer(credentials: nil) { host async throws in
            #expect(try await get(host, query: "topics=events").status == 200)
            #expect(try await get(host, query: "account=\(Self.accountB)").status == 200)
            #expect(try await get(host, query: "account=1234").status == 400)
        }
    }
}
