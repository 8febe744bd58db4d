import Foundation
import StackClient
import Timekeeping
import Wire

/// Carries out a `CredentialSource`: runs the process, calls STS or the SSO portal, reads the
/// token files. The only part of the chain that does I/O.
public struct CredentialFetcher: Sendable {
    /// Asks the operator for the current code of an MFA device (its ARN is the argument).
    public typealias MFAPrompt = @Sendable (String) async throws(StackClientError) -> String

    public var region: String
    public var overrides: EndpointOverrides
    public var home: String
    public var mfaCode: MFAPrompt
    public var clock: any TimeSource

    public init(region: String, overrides: EndpointOverrides, home: String, mfaCode: @escaping MFAPrompt,
                clock: any TimeSource = .system) {
        self.region = region
        self.overrides = overrides
        self.home = home
        self.mfaCode = mfaCode
        self.clock = clock
    }

    /// A prompt for use once the console owns the terminal: it cannot ask, so it says what to do.
    public static let noPrompt: MFAPrompt = { serial throws(StackClientError) in
        throw .credentials("the role's credentials expired and a new code for MFA device \(serial) is needed; restart signalbox to enter it")
    }

    public func fetch(_ source: CredentialSource) async throws(StackClientError) -> TemporaryCredentials {
        switch source {
        case .environment(let keys), .staticKeys(_, _, let keys):
            return TemporaryCredentials(keys, expiration: nil)
        case .process(let profile, let command):
            return try await CredentialProcess.run(command, profile: profile)
        case .assumeRole(let settings, let sourceOfKeys):
            let keys = try await fetch(sourceOfKeys).credentials
            let code: String? = if let serial = settings.mfaSerial { try await mfaCode(serial) } else { nil }
            do {
                return try await sts().assumeRole(settings, sessionName: settings.sessionName ?? defaultSessionName,
                                                  mfaCode: code, with: keys)
            } catch {
                throw Self.explain(error, "STS AssumeRole of \(settings.roleArn) for profile '\(settings.profile)'")
            }
        case .webIdentity(let settings):
            guard let data = FileManager.default.contents(atPath: settings.tokenFile) else {
                throw .credentials("cannot read the web identity token file \(settings.tokenFile)")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                return try await sts().assumeRoleWithWebIdentity(
                    settings, sessionName: settings.sessionName ?? defaultSessionName, token: token)
            } catch {
                throw Self.explain(error, "STS AssumeRoleWithWebIdentity of \(settings.roleArn)")
            }
        case .sso(let settings):
            let path = SSOPortal.cacheFile(for: settings, home: home)
            let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            let token = try SSOPortal.token(fromCache: text, settings: settings, now: clock.wallClockNow.date)
            let portal = SSOPortal(region: settings.region, endpoint: try overrides.url(serviceId: "SSO"))
            do {
                return try await portal.roleCredentials(settings, token: token)
            } catch {
                if case .credentials = error { throw error }
                throw Self.explain(error, "IAM Identity Center GetRoleCredentials for profile '\(settings.profile)'")
            }
        }
    }

    private func sts() throws(StackClientError) -> STSClient {
        STSClient(region: region, endpoint: try overrides.url(serviceId: "STS"))
    }

    /// `signalbox-<unix seconds>`, as botocore uses `botocore-session-<unix seconds>`.
    private var defaultSessionName: String { "signalbox-\(clock.wallClockNow.wholeSeconds)" }

    /// Any failure of a credential call, as a credentials error that names the call.
    private static func explain(_ error: StackClientError, _ call: String) -> StackClientError {
        if case .credentials = error { return error }
        return .credentials("\(call) failed: \(error)")
    }
}
