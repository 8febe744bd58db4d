import Timekeeping
import Wire

/// Who sent a request and which partition it acts in: the one check every entrance shares (the
/// AWS front door and the live stream's upgrade). With `--auth` the SigV4 signature is verified
/// and the key chooses the account; without it the credential scope is read unverified, for its
/// region only.
public struct RequestAuthenticator: Sendable {
    /// Who sent a request, as far as it says: its key and the region it signed for.
    struct Caller: Sendable {
        var accessKeyId: String
        var region: String
        /// Whether the signature was verified (`--auth`): only then does the key choose the account.
        var verified: Bool
    }

    let verifier: SigV4Verifier?
    /// Access key id → the account its requests act in (`--auth` keys that name one); other
    /// keys act in the default partition's account.
    let accounts: [String: String]
    let defaultPartition: StackPartition
    /// Signature times are checked against its wall clock.
    let clock: any TimeSource

    /// `credentials` nil: the stack runs without `--auth`.
    public init(credentials: [String: String]?, sessionTokens: [String: String] = [:], accounts: [String: String] = [:],
                defaultPartition: StackPartition, clock: any TimeSource = SystemClock()) {
        verifier = credentials.map { SigV4Verifier(secrets: $0, sessionTokens: sessionTokens) }
        self.accounts = accounts
        self.defaultPartition = defaultPartition
        self.clock = clock
    }

    /// Whether requests must be signed with a known key (`--auth`).
    var verifies: Bool { verifier != nil }

    /// Verifies the signature under `--auth`; otherwise reads the credential scope unverified
    /// (nil when there is none or it is unreadable).
    func authenticate(_ request: FrontDoorRequest) throws(AWSError) -> Caller? {
        guard let verifier else {
            return SigV4CredentialScope.of(authorization: request.header("Authorization"), query: request.query)
                .map { Caller(accessKeyId: $0.accessKeyId, region: $0.region, verified: false) }
        }
        let sigRequest = SigV4Request(method: request.method, path: request.path, query: request.query,
                                      headers: request.headers, body: request.body)
        let identity = try verifier.verify(sigRequest, nowUnixSeconds: clock.wallClockNow.wholeSeconds)
        return Caller(accessKeyId: identity.accessKeyId, region: identity.region, verified: true)
    }

    /// The partition a request acts in: the region it signed for when that can name one (else
    /// the default region), and its verified key's account (else the default account).
    func partition(of caller: Caller?) -> StackPartition {
        guard let caller else { return defaultPartition }
        let region = StackPartition.isValidRegion(caller.region) ? caller.region : defaultPartition.region
        let account = caller.verified ? accounts[caller.accessKeyId] ?? defaultPartition.accountId : defaultPartition.accountId
        return StackPartition(accountId: account, region: region)
    }
}
