import Wire

/// Where a client's signing keys come from when they can change while it runs: temporary
/// credentials (AssumeRole, IAM Identity Center, `credential_process`) expire and are fetched
/// again. The client asks before every call, so a provider that refreshes ahead of expiry is
/// never caught signing with a dead key.
///
/// A reference type: every copy of a `StackEndpoint` shares the one cache of keys.
public protocol AWSCredentialProvider: AnyObject, Sendable {
    /// Keys valid for at least the next call; fetches new ones when the current ones are about
    /// to expire. Throws `StackClientError.credentials` with a one-line fix when none can be had.
    func credentials() async throws(StackClientError) -> AWSCredentials
}
