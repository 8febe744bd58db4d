@testable import AWSConfig
import Foundation
import StackClient
import Testing
import Wire

@Suite("~/.aws files and the profile they describe")
struct SharedFileTests {
    @Test("sections, comments, key: value, and an indented block under an empty key")
    func iniDialect() throws {
        let file = try INIFile(parsing: """
        # a comment
        [profile dev]
        region = eu-west-1
        ; another comment
        output: json
        [services local]
        sqs =
          endpoint_url = http://127.0.0.1:4599
          other = x
        empty =
        """)
        #expect(file.sections["profile dev"]?["region"] == .text("eu-west-1"))
        #expect(file.sections["profile dev"]?["output"] == .text("json"))
        #expect(file.sections["services local"]?["sqs"] == .nested(["endpoint_url": "http://127.0.0.1:4599", "other": "x"]))
        #expect(file.sections["services local"]?["empty"] == .text(""))
    }

    @Test("a setting before any section is refused with its line")
    func settingOutsideSection() {
        #expect(throws: INIFile.ParseError(line: 2, message: "a setting before any [section]")) {
            try INIFile(parsing: "\nregion = x\n[default]\n")
        }
    }

    @Test("the credentials file's settings win over the config file's for the same profile")
    func credentialsFileWins() throws {
        let files = try AWSSharedConfig(configText: "[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n",
                                        credentialsText: "[dev]\naws_access_key_id = FROMCREDS\n",
                                        configPath: "config", credentialsPath: "credentials")
        #expect(files.profile("dev") == ["region": "eu-west-1", "aws_access_key_id": "FROMCREDS"])
        #expect(files.hasProfile("dev"))
        #expect(!files.hasProfile("prod"))
    }
}

@Suite("The credential chain's order, as the AWS CLI documents it")
struct CredentialPlanTests {
    let keys = ["aws_access_key_id = AKIDFILE", "aws_secret_access_key = secretfile"].joined(separator: "\n")

    func plan(config: String = "", credentials: String = "", environment: [String: String] = [:]) throws -> CredentialPlan {
        CredentialPlan(environment: environment, files: try AWSSharedConfig(
            configText: config, credentialsText: credentials, configPath: "~/.aws/config", credentialsPath: "~/.aws/credentials"))
    }

    let environmentKeys = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secretenv", "AWS_SESSION_TOKEN": "tokenenv"]

    @Test("environment keys (with the session token) come first unless a profile is named explicitly")
    func environmentFirst() throws {
        let plan = try plan(credentials: "[default]\n\(keys)\n[dev]\n\(keys)\n", environment: environmentKeys)
        #expect(try plan.resolve(profile: "default", explicitProfile: false)
            == .environment(AWSCredentials(accessKeyId: "AKIDENV", secretAccessKey: "secretenv", sessionToken: "tokenenv")))
        // AWS_PROFILE is not explicit: the keys still win, as in the CLI.
        let fromVariable = try self.plan(credentials: "[dev]\n\(keys)\n", environment: environmentKeys.merging(["AWS_PROFILE": "dev"]) { $1 })
        #expect(fromVariable.profileName(explicit: nil) == "dev")
        #expect(try fromVariable.resolve(profile: "dev", explicitProfile: false).summary == "environment")
        // --profile dev: the profile's keys.
        #expect(try plan.resolve(profile: "dev", explicitProfile: true)
            == .staticKeys(profile: "dev", file: "~/.aws/credentials",
                           AWSCredentials(accessKeyId: "AKIDFILE", secretAccessKey: "secretfile")))
    }

    @Test("half a key pair in the environment is an error naming the missing variable")
    func partialEnvironment() throws {
        let plan = try plan(environment: ["AWS_ACCESS_KEY_ID": "AKID"])
        #expect(throws: StackClientError.self) { try plan.resolve(profile: "default", explicitProfile: false) }
        do { _ = try plan.resolve(profile: "default", explicitProfile: false) } catch {
            #expect("\(error)".contains("AWS_SECRET_ACCESS_KEY is not"))
        }
    }

    @Test("credentials file before credential_process before the config file's keys")
    func fileOrder() throws {
        let process = "credential_process = /bin/echo hi"
        let both = try plan(config: "[profile dev]\n\(process)\naws_access_key_id = C\naws_secret_access_key = c\n",
                            credentials: "[dev]\n\(keys)\n")
        #expect(try both.resolve(profile: "dev", explicitProfile: true).summary == "profile dev")
        guard case .staticKeys(_, let file, _) = try both.resolve(profile: "dev", explicitProfile: true) else {
            Issue.record("expected static keys"); return
        }
        #expect(file == "~/.aws/credentials")
        let processAndConfig = try plan(config: "[profile dev]\n\(process)\naws_access_key_id = C\naws_secret_access_key = c\n")
        #expect(try processAndConfig.resolve(profile: "dev", explicitProfile: true) == .process(profile: "dev", command: "/bin/echo hi"))
        let configOnly = try plan(config: "[profile dev]\naws_access_key_id = C\naws_secret_access_key = c\n")
        #expect(try configOnly.resolve(profile: "dev", explicitProfile: true)
            == .staticKeys(profile: "dev", file: "~/.aws/config", AWSCredentials(accessKeyId: "C", secretAccessKey: "c")))
    }

    @Test("role_arn with source_profile, external_id, session name, duration and MFA serial")
    func assumeRole() throws {
        let plan = try plan(config: """
        [profile ops]
        role_arn = arn:aws:iam::123456789012:role/ops
        source_profile = base
        external_id = shared-secret
        role_session_name = alice
        duration_seconds = 1800
        mfa_serial = arn:aws:iam::123456789012:mfa/alice
        [profile chained]
        role_arn = arn:aws:iam::123456789012:role/second
        source_profile = ops
        """, credentials: "[base]\n\(keys)\n")
        let base = CredentialSource.staticKeys(profile: "base", file: "~/.aws/credentials",
                                               AWSCredentials(accessKeyId: "AKIDFILE", secretAccessKey: "secretfile"))
        let ops = AssumeRoleSettings(profile: "ops", roleArn: "arn:aws:iam::123456789012:role/ops", sessionName: "alice",
                                     externalId: "shared-secret", durationSeconds: 1800,
                                     mfaSerial: "arn:aws:iam::123456789012:mfa/alice")
        #expect(try plan.resolve(profile: "ops", explicitProfile: true) == .assumeRole(ops, source: base))
        // A source that is itself a role is assumed first (role chaining).
        guard case .assumeRole(let second, let source) = try plan.resolve(profile: "chained", explicitProfile: true) else {
            Issue.record("expected a role"); return
        }
        #expect(second.roleArn.hasSuffix("role/second"))
        #expect(source == .assumeRole(ops, source: base))
    }

    @Test("credential_source = Environment takes the source keys from the environment even for a named profile")
    func credentialSourceEnvironment() throws {
        let plan = try plan(config: "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\ncredential_source = Environment\n",
                            environment: environmentKeys)
        guard case .assumeRole(_, let source) = try plan.resolve(profile: "ci", explicitProfile: true) else {
            Issue.record("expected a role"); return
        }
        #expect(source.summary == "environment")
    }

    @Test("the errors say what is wrong and how to fix it", arguments: [
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\n", "a", "neither source_profile nor credential_source"),
        ("[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n", "a", "loop of source_profile: a → b → a"),
        ("[profile a]\nrole_arn = r\nsource_profile = nowhere\n", "a", "source_profile 'nowhere' is not in"),
        ("[profile a]\nrole_arn = r\ncredential_source = Ec2InstanceMetadata\n", "a", "metadata service, which signalbox does not call"),
        ("[profile a]\nsso_start_url = https://x.awsapps.com/start\n", "a", "missing sso_region, sso_account_id, sso_role_name"),
        ("[profile a]\nsso_session = corp\n", "a", "has no [sso-session corp]"),
        ("[profile a]\nrole_arn = r\nsource_profile = a\nduration_seconds = 60\n", "a", "duration_seconds must be"),
        ("", "prod", "the profile 'prod' is not in ~/.aws/config or ~/.aws/credentials; create it with: aws configure --profile prod"),
        ("[profile empty]\nregion = x\n", "empty", "no credentials found for profile 'empty'"),
    ])
    func errors(config: String, profile: String, expected: String) throws {
        let plan = try plan(config: config)
        do {
            let source = try plan.resolve(profile: profile, explicitProfile: true)
            Issue.record("resolved to \(source)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test("web identity from the profile, the environment's variables winning")
    func webIdentity() throws {
        let plan = try plan(config: "[profile eks]\nrole_arn = arn:aws:iam::1:role/file\nweb_identity_token_file = /tmp/t\n",
                            environment: ["AWS_ROLE_ARN": "arn:aws:iam::1:role/env", "AWS_ROLE_SESSION_NAME": "pod"])
        #expect(try plan.resolve(profile: "eks", explicitProfile: true)
            == .webIdentity(WebIdentitySettings(roleArn: "arn:aws:iam::1:role/env", tokenFile: "/tmp/t", sessionName: "pod")))
    }

    @Test("IAM Identity Center through an sso-session section, and the legacy profile form")
    func sso() throws {
        let plan = try plan(config: """
        [profile dev]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = ReadOnly
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        [profile legacy]
        sso_start_url = https://old.awsapps.com/start
        sso_region = us-east-2
        sso_account_id = 123456789012
        sso_role_name = Admin
        """)
        #expect(try plan.resolve(profile: "dev", explicitProfile: true) == .sso(SSOSettings(
            profile: "dev", startURL: "https://corp.awsapps.com/start", region: "eu-west-1", accountId: "123456789012",
            roleName: "ReadOnly", sessionName: "corp")))
        guard case .sso(let legacy) = try plan.resolve(profile: "legacy", explicitProfile: true) else {
            Issue.record("expected SSO"); return
        }
        #expect(legacy.cacheKey == "https://old.awsapps.com/start")
    }
}

@Suite("Endpoint overrides, most specific first")
struct EndpointOverrideTests {
    let config = """
    [profile dev]
    endpoint_url = http://127.0.0.1:5000
    services = local
    [services local]
    sqs =
      endpoint_url = http://127.0.0.1:5001
    """

    func overrides(_ environment: [String: String] = [:]) throws -> EndpointOverrides {
        EndpointOverrides(environment: environment, files: try AWSSharedConfig(
            configText: config, credentialsText: nil, configPath: "config", credentialsPath: "credentials"), profile: "dev")
    }

    @Test("service variable, global variable, services section, profile endpoint_url")
    func precedence() throws {
        #expect(try overrides().url(serviceId: "SQS")?.absoluteString == "http://127.0.0.1:5001")
        #expect(try overrides().url(serviceId: "EventBridge")?.absoluteString == "http://127.0.0.1:5000")
        let global = try overrides(["AWS_ENDPOINT_URL": "http://127.0.0.1:6000"])
        #expect(try global.url(serviceId: "SQS")?.absoluteString == "http://127.0.0.1:6000")
        let specific = try overrides(["AWS_ENDPOINT_URL": "http://127.0.0.1:6000", "AWS_ENDPOINT_URL_SFN": "http://127.0.0.1:7000"])
        #expect(try specific.url(serviceId: "SFN")?.absoluteString == "http://127.0.0.1:7000")
        #expect(try specific.url(serviceId: "SQS")?.absoluteString == "http://127.0.0.1:6000")
        #expect(try overrides(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]).url(serviceId: "SQS") == nil)
    }

    @Test("an override that is not a URL names where it came from")
    func badOverride() throws {
        do {
            _ = try overrides(["AWS_ENDPOINT_URL_SQS": "not a url"]).url(serviceId: "SQS")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("AWS_ENDPOINT_URL_SQS"))
        }
    }

    @Test("a StackEndpoint sends each service to its override, the rest to the shared URL or AWS")
    func stackEndpointRouting() throws {
        var endpoint = StackEndpoint(url: nil, region: "eu-west-1")
        #expect(endpoint.baseURL(for: .sqs) == "https://sqs.eu-west-1.amazonaws.com")
        #expect(endpoint.baseURL(for: .stepFunctions) == "https://states.eu-west-1.amazonaws.com")
        #expect(endpoint.extensionBaseURL == nil)
        endpoint.serviceURLs["SQS"] = URL(string: "http://127.0.0.1:5001/")
        #expect(endpoint.baseURL(for: .sqs) == "http://127.0.0.1:5001")
        #expect(endpoint.baseURL(for: .eventBridge) == "https://events.eu-west-1.amazonaws.com")
    }
}
