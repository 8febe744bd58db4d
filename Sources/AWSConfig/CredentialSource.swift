import Wire

/// Where a profile's credentials come from, decided from the environment and the shared files
/// alone (no I/O): `CredentialPlan` picks one, `CredentialFetcher` carries it out.
public indirect enum CredentialSource: Sendable, Hashable {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    case environment(AWSCredentials)
    /// `aws_access_key_id`/`aws_secret_access_key` (and `aws_session_token`) of a profile in
    /// the credentials file or the config file (`file` names which, for messages).
    case staticKeys(profile: String, file: String, AWSCredentials)
    /// A profile's `credential_process` command line.
    case process(profile: String, command: String)
    /// STS AssumeRole with keys from `source`.
    case assumeRole(AssumeRoleSettings, source: CredentialSource)
    /// STS AssumeRoleWithWebIdentity with the token in a file (EKS, GitHub Actions).
    case webIdentity(WebIdentitySettings)
    /// IAM Identity Center: the cached `aws sso login` token, then GetRoleCredentials.
    case sso(SSOSettings)

    /// Says where the keys come from, for the status bar and `--help`-like messages.
    public var summary: String {
        switch self {
        case .environment: "environment"
        case .staticKeys(let profile, _, _): "profile \(profile)"
        case .process(let profile, _): "profile \(profile) (credential_process)"
        case .assumeRole(let settings, _): "profile \(settings.profile) (role \(settings.roleArn))"
        case .webIdentity(let settings): "web identity (role \(settings.roleArn))"
        case .sso(let settings): "profile \(settings.profile) (IAM Identity Center)"
        }
    }
}

/// A profile's `role_arn` and the settings that go with it.
public struct AssumeRoleSettings: Sendable, Hashable {
    public var profile: String
    public var roleArn: String
    public var sessionName: String?
    public var externalId: String?
    public var durationSeconds: Int?
    /// The MFA device whose current code must accompany the call (`mfa_serial`).
    public var mfaSerial: String?
}

/// `web_identity_token_file` with `role_arn` (or `AWS_WEB_IDENTITY_TOKEN_FILE`/`AWS_ROLE_ARN`).
public struct WebIdentitySettings: Sendable, Hashable {
    public var roleArn: String
    public var tokenFile: String
    public var sessionName: String?
}

/// A profile's IAM Identity Center settings, from the profile or its `[sso-session NAME]`.
public struct SSOSettings: Sendable, Hashable {
    public var profile: String
    public var startURL: String
    /// The region of the SSO portal (not necessarily the profile's region).
    public var region: String
    public var accountId: String
    public var roleName: String
    /// The `sso_session` name, when the profile uses one: the token cache is keyed by it
    /// (else by the start URL, the legacy form).
    public var sessionName: String?

    /// The cache file's name (without `.json`) that `aws sso login` writes: the SHA-1 of the
    /// session name, or of the start URL for legacy profiles.
    public var cacheKey: String { sessionName ?? startURL }
}
