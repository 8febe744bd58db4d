import Foundation
import StackClient
import Timekeeping
import Wire

/// Everything the console needs to reach an account as the AWS CLI would: the profile in
/// effect, its region, the endpoints (AWS's own or the overrides), and keys that stay fresh.
/// Resolved once, before the console takes the terminal, so that a missing profile, an expired
/// SSO token or an MFA code is dealt with on a plain terminal.
public struct AWSAttachment: Sendable {
    public var endpoint: StackEndpoint
    /// The profile in effect (`--profile`, `AWS_PROFILE`, the configuration's, or `default`).
    public var profile: String
    /// Where the keys came from (`environment`, `profile dev (role …)`), for messages.
    public var source: CredentialSource
    /// The chain found nothing and the caller's fallback keys sign (a URL endpoint such as the
    /// local stack, which accepts any signature unless started with `--auth`).
    public var usedFallback = false
    /// STS's endpoint override (`AWS_ENDPOINT_URL_STS`, …), for GetCallerIdentity.
    public var stsURL: URL?

    /// What to attach to and the choices the operator made explicitly.
    public struct Request: Sendable {
        /// nil: AWS itself (with any configured endpoint overrides); else this URL for every service.
        public var url: URL?
        /// `--profile` or `[endpoints.NAME] profile`; named explicitly, it skips the environment's keys.
        public var profile: String?
        /// `--region` or `[endpoints.NAME] region`.
        public var region: String?

        public init(url: URL?, profile: String?, region: String?) {
            self.url = url
            self.profile = profile
            self.region = region
        }
    }

    /// Resolves the profile, region, endpoints and credentials; fetches the first keys
    /// (prompting for an MFA code through `mfaCode` if the role asks for one).
    /// - Throws: `.credentials` or `.invalidEndpoint` with the one-line fix.
    /// - Parameter fallback: keys to sign with when no profile was named (neither in `request`
    ///   nor `AWS_PROFILE`), the named-or-default profile does not exist and the environment has
    ///   none: the CLI would fail, but a local endpoint may not care.
    public static func attach(_ request: Request, environment: [String: String],
                              fallback: AWSCredentials? = nil,
                              mfaCode: @escaping CredentialFetcher.MFAPrompt,
                              clock: any TimeSource = .system) async throws(StackClientError) -> AWSAttachment {
        let files = try AWSSharedConfig.load(environment: environment)
        let plan = CredentialPlan(environment: environment, files: files)
        let profile = plan.profileName(explicit: request.profile)
        let region = request.region.nonEmpty ?? environment["AWS_REGION"].nonEmpty
            ?? environment["AWS_DEFAULT_REGION"].nonEmpty ?? files.profile(profile)["region"].nonEmpty ?? "us-east-1"
        let overrides = EndpointOverrides(environment: environment, files: files, profile: profile)
        let source: CredentialSource
        do {
            source = try plan.resolve(profile: profile, explicitProfile: request.profile != nil)
        } catch {
            guard let fallback, request.profile == nil, environment["AWS_PROFILE"].nonEmpty == nil,
                  !files.hasProfile(profile), try plan.environmentKeys() == nil else { throw error }
            var endpoint = StackEndpoint(url: request.url, region: region, credentials: fallback)
            if request.url == nil { endpoint.url = try overrides.global() }
            return AWSAttachment(endpoint: endpoint, profile: profile, source: .environment(fallback),
                                 usedFallback: true, stsURL: nil)
        }

        var endpoint = StackEndpoint(url: request.url, region: region)
        if request.url == nil {
            // An explicit URL is like the CLI's --endpoint-url: it beats every configured override.
            endpoint.url = try overrides.global()
            for service in AWSService.watched {
                if let url = try overrides.specific(serviceId: service.serviceId) { endpoint.serviceURLs[service.serviceId] = url }
            }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let fetcher = CredentialFetcher(region: region, overrides: overrides, home: home, mfaCode: mfaCode, clock: clock)
        let first = try await fetcher.fetch(source)
        endpoint.credentials = first.credentials
        if first.expiration != nil {
            // Later fetches happen while the console owns the terminal: no prompting then.
            var later = fetcher
            later.mfaCode = CredentialFetcher.noPrompt
            let refetcher = later
            endpoint.credentialProvider = RefreshingCredentials(initial: first, clock: clock) { () async throws(StackClientError) in
                try await refetcher.fetch(source)
            }
        }
        return AWSAttachment(endpoint: endpoint, profile: profile, source: source,
                             stsURL: try overrides.url(serviceId: "STS") ?? request.url)
    }

    /// The account the keys belong to (STS GetCallerIdentity), for the status bar.
    public func accountId() async throws(StackClientError) -> String {
        var sts = STSClient(region: endpoint.region, endpoint: stsURL)
        sts.timeout = .seconds(5)
        return try await sts.callerIdentity(try await endpoint.currentCredentials()).account
    }
}
