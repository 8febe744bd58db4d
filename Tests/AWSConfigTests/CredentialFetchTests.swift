@testable import AWSConfig
import Foundation
import Hummingbird
import StackClient
import Testing
import Wire

/// Every source of the chain carried out for real: a process, STS on moto_server, the SSO
/// portal on a small local server, with files in a temporary HOME.
@Suite("Fetching credentials from each source", .serialized)
struct CredentialFetchTests {
    @Test("credential_process: the command runs, its JSON is read, its Expiration makes the keys refresh")
    func credentialProcess() async throws {
        let home = try TemporaryHome()
        defer { home.remove() }
        try home.write("bin/creds", """
        #!/bin/sh
        echo '{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}'
        """, executable: true)
        try home.config("[profile tool]\ncredential_process = \"\(home.path)/bin/creds\" --flag 'two words'\nregion = eu-central-1\n")
        let attached = try await AWSAttachment.attach(.init(url: nil, profile: "tool", region: nil),
                                                      environment: home.environment(), mfaCode: noMFA)
        #expect(attached.endpoint.region == "eu-central-1")
        #expect(attached.endpoint.url == nil)
        #expect(try await attached.endpoint.currentCredentials()
            == AWSCredentials(accessKeyId: "AKIDPROC", secretAccessKey: "s", sessionToken: "t"))
        #expect(attached.endpoint.credentialProvider != nil)
    }

    @Test("credential_process that fails: its status and what it said")
    func credentialProcessFails() async throws {
        let home = try TemporaryHome()
        defer { home.remove() }
        try home.write("bin/creds", "#!/bin/sh\necho 'token expired, log in again' >&2\nexit 3\n", executable: true)
        try home.config("[profile tool]\ncredential_process = \(home.path)/bin/creds\n")
        do {
            _ = try await AWSAttachment.attach(.init(url: nil, profile: "tool", region: nil),
                                               environment: home.environment(), mfaCode: noMFA)
            Issue.record("attached")
        } catch {
            #expect("\(error)".contains("exited with status 3: token expired, log in again"), "\(error)")
        }
    }

    @Test("the printed JSON is checked", arguments: [
        (#"{"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "b"}"#, "Version 2"),
        (#"{"Version": 1, "AccessKeyId": "a"}"#, "no AccessKeyId and SecretAccessKey"),
        (#"{"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "b", "Expiration": "soon"}"#, "not ISO 8601"),
        ("nope", "not print a JSON object"),
    ])
    func processOutput(text: String, expected: String) {
        do {
            _ = try CredentialProcess.parse(Array(text.utf8), profile: "p")
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test("command lines split like a shell's, without a shell")
    func words() {
        #expect(CredentialProcess.splitWords(#"/bin/tool --a "b c" 'd e' f\ g"#) == ["/bin/tool", "--a", "b c", "d e", "f g"])
    }

    @Test("AssumeRole on STS (moto_server): external id, session name, duration; MFA code asked for first",
          .enabled(if: motoServer != nil, "moto_server is not installed"))
    func assumeRole() async throws {
        try await withMoto { moto in
            let home = try TemporaryHome()
            defer { home.remove() }
            try home.credentials("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base\n")
            try home.config("""
            [profile ops]
            role_arn = arn:aws:iam::123456789012:role/ops
            source_profile = base
            external_id = shared
            role_session_name = alice
            duration_seconds = 900
            mfa_serial = arn:aws:iam::123456789012:mfa/alice
            region = eu-west-1
            """)
            let asked = Asked()
            let attached = try await AWSAttachment.attach(
                .init(url: nil, profile: "ops", region: nil),
                environment: home.environment(["AWS_ENDPOINT_URL_STS": moto.absoluteString]),
                mfaCode: { serial throws(StackClientError) in await asked.record(serial); return "123456" })
            #expect(await asked.serials == ["arn:aws:iam::123456789012:mfa/alice"])
            let keys = try await attached.endpoint.currentCredentials()
            #expect(keys.accessKeyId.hasPrefix("ASIA"), "moto's temporary keys start ASIA: \(keys)")
            #expect(keys.sessionToken?.isEmpty == false)
            let expiration = try #require(await (attached.endpoint.credentialProvider as? RefreshingCredentials)?.expiration)
            #expect(expiration.timeIntervalSinceNow > 600 && expiration.timeIntervalSinceNow <= 901)
            // The assumed role is who STS now says we are.
            let identity = try await STSClient(region: "eu-west-1", endpoint: moto).callerIdentity(keys)
            #expect(identity.arn.contains("assumed-role/ops/alice"), "\(identity)")
            #expect(try await attached.accountId() == "123456789012")
        }
    }

    @Test("AssumeRoleWithWebIdentity on STS (moto_server) with the token from a file",
          .enabled(if: motoServer != nil, "moto_server is not installed"))
    func webIdentity() async throws {
        try await withMoto { moto in
            let home = try TemporaryHome()
            defer { home.remove() }
            try home.write("token", "eyJhbGciOi.token.sig\n")
            let attached = try await AWSAttachment.attach(
                .init(url: nil, profile: nil, region: "us-west-2"),
                environment: home.environment(["AWS_ENDPOINT_URL_STS": moto.absoluteString,
                                               "AWS_WEB_IDENTITY_TOKEN_FILE": home.path + "/token",
                                               "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/pod"]),
                mfaCode: noMFA)
            #expect(attached.endpoint.region == "us-west-2")
            #expect(try await attached.endpoint.currentCredentials().sessionToken?.isEmpty == false)
            #expect(attached.source.summary.contains("web identity"))
        }
    }

    @Test("a refused AssumeRole says which role and profile, and what STS said")
    func assumeRoleRefused() async throws {
        try await withSSOPortal(token: "unused") { portal in
            let home = try TemporaryHome()
            defer { home.remove() }
            try home.credentials("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base\n")
            try home.config("[profile ops]\nrole_arn = arn:aws:iam::1:role/ops\nsource_profile = base\n")
            do {
                _ = try await AWSAttachment.attach(.init(url: nil, profile: "ops", region: nil),
                                                   environment: home.environment(["AWS_ENDPOINT_URL_STS": portal.absoluteString]),
                                                   mfaCode: noMFA)
                Issue.record("attached")
            } catch {
                #expect("\(error)".contains("STS AssumeRole of arn:aws:iam::1:role/ops for profile 'ops' failed: AccessDenied: not this role"), "\(error)")
            }
        }
    }

    @Test("IAM Identity Center: the cached token, GetRoleCredentials on the portal (local server)")
    func sso() async throws {
        try await withSSOPortal(token: "cached-token") { portal in
            let home = try TemporaryHome()
            defer { home.remove() }
            try home.config("""
            [profile dev]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = ReadOnly
            region = ap-southeast-2
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            """)
            let settings = SSOSettings(profile: "dev", startURL: "https://corp.awsapps.com/start", region: "eu-west-1",
                                       accountId: "123456789012", roleName: "ReadOnly", sessionName: "corp")
            let cache = SSOPortal.cacheFile(for: settings, home: home.path)
            // sha1("corp"), the name `aws sso login` gives the file.
            #expect(cache == home.path + "/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
            let environment = home.environment(["AWS_ENDPOINT_URL_SSO": portal.absoluteString])
            let request = AWSAttachment.Request(url: nil, profile: "dev", region: nil)
            func cacheToken(_ json: String) throws { try Data(json.utf8).write(to: URL(fileURLWithPath: cache)) }
            func expectRefusal(_ expected: String) async {
                do {
                    _ = try await AWSAttachment.attach(request, environment: environment, mfaCode: noMFA)
                    Issue.record("attached; expected: \(expected)")
                } catch {
                    #expect("\(error)".contains(expected), "\(error)")
                }
            }
            // No token yet, an expired one, one the portal no longer accepts: each gives the fix.
            await expectRefusal("no IAM Identity Center token for profile 'dev'; run: aws sso login --profile dev")
            try cacheToken(#"{"accessToken": "cached-token", "expiresAt": "2020-01-01T00:00:00Z"}"#)
            await expectRefusal("expired at 2020-01-01T00:00:00Z; run: aws sso login --profile dev")
            try cacheToken(#"{"accessToken": "revoked", "expiresAt": "2099-01-01T00:00:00Z"}"#)
            await expectRefusal("refused the token for profile 'dev' (HTTP 401); run: aws sso login --profile dev")
            // The cached token (older CLIs write a UTC suffix), then the role's keys from the portal.
            try cacheToken(#"{"accessToken": "cached-token", "expiresAt": "2099-01-01T00:00:00UTC"}"#)
            let attached = try await AWSAttachment.attach(request, environment: environment, mfaCode: noMFA)
            #expect(attached.endpoint.region == "ap-southeast-2")
            #expect(try await attached.endpoint.currentCredentials()
                == AWSCredentials(accessKeyId: "ASIASSO", secretAccessKey: "sso-secret", sessionToken: "sso-session"))
        }
    }

    @Test("endpoint overrides from the profile reach the StackEndpoint; an explicit URL beats them")
    func overridesReachEndpoint() async throws {
        let home = try TemporaryHome()
        defer { home.remove() }
        try home.config("""
        [profile local]
        aws_access_key_id = a
        aws_secret_access_key = b
        endpoint_url = http://127.0.0.1:4599
        services = split
        [services split]
        sqs =
          endpoint_url = http://127.0.0.1:4600
        """)
        let attached = try await AWSAttachment.attach(.init(url: nil, profile: "local", region: nil),
                                                      environment: home.environment(), mfaCode: noMFA)
        #expect(attached.endpoint.url?.absoluteString == "http://127.0.0.1:4599")
        #expect(attached.endpoint.baseURL(for: .sqs) == "http://127.0.0.1:4600")
        #expect(attached.endpoint.baseURL(for: .eventBridge) == "http://127.0.0.1:4599")
        #expect(attached.endpoint.credentialProvider == nil, "static keys need no refreshing")
        let explicit = try await AWSAttachment.attach(.init(url: URL(string: "http://127.0.0.1:9999"), profile: "local", region: nil),
                                                      environment: home.environment(), mfaCode: noMFA)
        #expect(explicit.endpoint.baseURL(for: .sqs) == "http://127.0.0.1:9999")
    }
}

actor Asked {
    var serials: [String] = []
    func record(_ serial: String) { serials.append(serial) }
}

/// A stand-in for the IAM Identity Center portal (GetRoleCredentials) and for an STS that
/// refuses every AssumeRole, on a loopback port for the length of `body`.
func withSSOPortal<T: Sendable>(token: String, _ body: @Sendable (URL) async throws -> T) async throws -> T {
    let router = Router()
    router.get("/federation/credentials") { request, _ -> Response in
        guard request.headers.first(where: { $0.name.canonicalName == "x-amz-sso_bearer_token" })?.value == token,
              request.uri.queryParameters["account_id"] == "123456789012",
              request.uri.queryParameters["role_name"] == "ReadOnly" else {
            return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: #"{"message":"Session token not found or invalid"}"#)))
        }
        let expiration = Int((Date().timeIntervalSince1970 + 3600) * 1000)
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: """
        {"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": "sso-secret", "sessionToken": "sso-session", "expiration": \(expiration)}}
        """)))
    }
    router.post("/") { _, _ -> Response in
        Response(status: .forbidden, body: .init(byteBuffer: ByteBuffer(string: """
        <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not this role</Message></Error></ErrorResponse>
        """)))
    }
    let (ports, sink) = AsyncStream.makeStream(of: Int.self)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { sink.yield($0.localAddress?.port ?? 0) })
    let serving = Task { try await app.runService() }
    defer { serving.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    return try await body(URL(string: "http://127.0.0.1:\(port)")!)
}
