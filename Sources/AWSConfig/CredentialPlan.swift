import StackClient
import Wire

/// Picks where a profile's credentials come from, in the AWS CLI's order (botocore's
/// `create_credential_resolver`): environment, assume role, web identity, IAM Identity Center,
/// the credentials file, `credential_process`, the config file. Pure: the caller supplies the
/// environment and the parsed files. Container and instance metadata, the CLI's last sources,
/// need AWS's link-local services, which signalbox does not call; a profile that relies on
/// them gets an error that says so.
public struct CredentialPlan: Sendable {
    public var environment: [String: String]
    public var files: AWSSharedConfig

    public init(environment: [String: String], files: AWSSharedConfig) {
        self.environment = environment
        self.files = files
    }

    /// The profile in effect: `--profile`, else `AWS_PROFILE`, else `default`.
    public func profileName(explicit: String?) -> String {
        explicit.nonEmpty ?? environment["AWS_PROFILE"].nonEmpty ?? environment["AWS_DEFAULT_PROFILE"].nonEmpty
            ?? "default"
    }

    /// The source for `profile`. `explicitProfile`: the profile was named on the command line
    /// (or in the console's configuration), which — as in the CLI — skips the environment's keys.
    /// - Throws: `.credentials` with the fix when nothing provides keys.
    public func resolve(profile: String, explicitProfile: Bool) throws(StackClientError) -> CredentialSource {
        if !explicitProfile, let keys = try environmentKeys() { return .environment(keys) }
        if let source = try resolveProfile(profile, visited: [], allowAssumeRole: true) { return source }
        if !files.hasProfile(profile), profile != "default" || explicitProfile {
            throw .credentials("the profile '\(profile)' is not in \(files.configPath) or \(files.credentialsPath); "
                + "create it with: aws configure --profile \(profile)")
        }
        throw .credentials("no credentials found for profile '\(profile)' (environment, \(files.credentialsPath), "
            + "\(files.configPath)); set them up with: aws configure"
            + (profile == "default" ? "" : " --profile \(profile)"))
    }

    /// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`); one without the
    /// other is an error, as in the CLI.
    public func environmentKeys() throws(StackClientError) -> AWSCredentials? {
        let key = environment["AWS_ACCESS_KEY_ID"].nonEmpty
        let secret = environment["AWS_SECRET_ACCESS_KEY"].nonEmpty
        switch (key, secret) {
        case (nil, nil): return nil
        case (let key?, let secret?):
            return AWSCredentials(accessKeyId: key, secretAccessKey: secret,
                                  sessionToken: environment["AWS_SESSION_TOKEN"].nonEmpty
                                      ?? environment["AWS_SECURITY_TOKEN"].nonEmpty)
        case (nil, _): throw .credentials("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case (_, nil): throw .credentials("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
    }

    /// The profile-based sources in order; nil when the profile provides no keys at all.
    private func resolveProfile(_ name: String, visited: [String],
                                allowAssumeRole: Bool) throws(StackClientError) -> CredentialSource? {
        let settings = files.profile(name)
        if allowAssumeRole, settings["role_arn"] != nil, settings["web_identity_token_file"] == nil {
            return try assumeRole(name, settings, visited: visited)
        }
        if let web = webIdentity(settings) { return .webIdentity(web) }
        if let sso = try sso(name, settings) { return .sso(sso) }
        if let keys = try staticKeys(name, in: files.credentialProfiles[name]?.compactMapValues(\.text) ?? [:],
                                     file: files.credentialsPath) {
            return .staticKeys(profile: name, file: files.credentialsPath, keys)
        }
        if let command = settings["credential_process"].nonEmpty { return .process(profile: name, command: command) }
        if let keys = try staticKeys(name, in: files.configProfiles[name]?.compactMapValues(\.text) ?? [:],
                                     file: files.configPath) {
            return .staticKeys(profile: name, file: files.configPath, keys)
        }
        return nil
    }

    private func assumeRole(_ name: String, _ settings: [String: String],
                            visited: [String]) throws(StackClientError) -> CredentialSource {
        let chain = visited + [name]
        let roleArn = settings["role_arn"] ?? ""
        var duration: Int?
        if let text = settings["duration_seconds"] {
            guard let seconds = Int(text), (900...43_200).contains(seconds) else {
                throw .credentials("profile '\(name)': duration_seconds must be a whole number of seconds from 900 to 43200, not '\(text)'")
            }
            duration = seconds
        }
        let role = AssumeRoleSettings(profile: name, roleArn: roleArn, sessionName: settings["role_session_name"].nonEmpty,
                                      externalId: settings["external_id"].nonEmpty, durationSeconds: duration,
                                      mfaSerial: settings["mfa_serial"].nonEmpty)
        switch (settings["source_profile"].nonEmpty, settings["credential_source"].nonEmpty) {
        case (nil, nil):
            throw .credentials("profile '\(name)' has role_arn but neither source_profile nor credential_source")
        case (.some, .some):
            throw .credentials("profile '\(name)' has both source_profile and credential_source; keep one")
        case (nil, let credentialSource?):
            guard credentialSource == "Environment" else {
                if ["Ec2InstanceMetadata", "EcsContainer"].contains(credentialSource) {
                    throw .credentials("profile '\(name)': credential_source = \(credentialSource) needs the instance or container metadata service, which signalbox does not call; use source_profile or environment keys")
                }
                throw .credentials("profile '\(name)': credential_source must be Environment, Ec2InstanceMetadata or EcsContainer, not '\(credentialSource)'")
            }
            guard let keys = try environmentKeys() else {
                throw .credentials("profile '\(name)' takes its source keys from the environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
            }
            return .assumeRole(role, source: .environment(keys))
        case (let sourceName?, nil):
            guard files.hasProfile(sourceName) else {
                throw .credentials("profile '\(name)': its source_profile '\(sourceName)' is not in \(files.configPath) or \(files.credentialsPath)")
            }
            let source = files.profile(sourceName)
            let sourceHasKeys = source["aws_access_key_id"] != nil && source["aws_secret_access_key"] != nil
            // A source that is itself a role (and has no keys of its own) is assumed first:
            // role chaining. A profile naming itself uses its own static keys.
            let chained = !sourceHasKeys && source["role_arn"] != nil && source["web_identity_token_file"] == nil
            if chained, chain.contains(sourceName) {
                throw .credentials("profiles form a loop of source_profile: \((chain + [sourceName]).joined(separator: " → "))")
            }
            guard let resolved = try resolveProfile(sourceName, visited: chain, allowAssumeRole: chained) else {
                throw .credentials("the source profile '\(sourceName)' (of profile '\(name)') must have credentials")
            }
            return .assumeRole(role, source: resolved)
        }
    }

    private func webIdentity(_ settings: [String: String]) -> WebIdentitySettings? {
        // The environment wins over the profile, key by key, as in botocore.
        let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"].nonEmpty ?? settings["web_identity_token_file"].nonEmpty
        let roleArn = environment["AWS_ROLE_ARN"].nonEmpty ?? settings["role_arn"].nonEmpty
        guard let tokenFile, let roleArn else { return nil }
        return WebIdentitySettings(roleArn: roleArn, tokenFile: AWSSharedConfig.expand(tokenFile, environment),
                                   sessionName: environment["AWS_ROLE_SESSION_NAME"].nonEmpty ?? settings["role_session_name"].nonEmpty)
    }

    private func sso(_ name: String, _ settings: [String: String]) throws(StackClientError) -> SSOSettings? {
        var startURL = settings["sso_start_url"].nonEmpty
        var region = settings["sso_region"].nonEmpty
        let sessionName = settings["sso_session"].nonEmpty
        if let sessionName {
            guard let session = files.ssoSession(sessionName) else {
                throw .credentials("profile '\(name)' names sso_session '\(sessionName)', but \(files.configPath) has no [sso-session \(sessionName)]")
            }
            startURL = session["sso_start_url"].nonEmpty ?? startURL
            region = session["sso_region"].nonEmpty ?? region
        }
        guard startURL != nil || sessionName != nil else { return nil }
        var missing: [String] = []
        if startURL == nil { missing.append("sso_start_url") }
        if region == nil { missing.append("sso_region") }
        if settings["sso_account_id"].nonEmpty == nil { missing.append("sso_account_id") }
        if settings["sso_role_name"].nonEmpty == nil { missing.append("sso_role_name") }
        guard missing.isEmpty, let startURL, let region, let account = settings["sso_account_id"],
              let role = settings["sso_role_name"] else {
            throw .credentials("profile '\(name)' is missing \(missing.joined(separator: ", ")) for IAM Identity Center; set it up with: aws configure sso --profile \(name)")
        }
        return SSOSettings(profile: name, startURL: startURL, region: region, accountId: account, roleName: role,
                           sessionName: sessionName)
    }

    private func staticKeys(_ name: String, in settings: [String: String],
                            file: String) throws(StackClientError) -> AWSCredentials? {
        let key = settings["aws_access_key_id"].nonEmpty
        let secret = settings["aws_secret_access_key"].nonEmpty
        switch (key, secret) {
        case (nil, nil): return nil
        case (let key?, let secret?):
            return AWSCredentials(accessKeyId: key, secretAccessKey: secret,
                                  sessionToken: settings["aws_session_token"].nonEmpty ?? settings["aws_security_token"].nonEmpty)
        default:
            throw .credentials("profile '\(name)' in \(file) has only one of aws_access_key_id and aws_secret_access_key")
        }
    }
}
