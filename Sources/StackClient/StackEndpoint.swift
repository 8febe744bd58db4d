import Foundation
import Wire

/// Where a client's calls go: the local stack on loopback, moto, LocalStack, or a real AWS
/// account. One value carries everything a call needs, so the console, the demo and tests hand
/// the same thing around instead of URL, region and keys separately.
public struct StackEndpoint: Sendable, Hashable {
    /// The endpoint override every service is reached at (`http://127.0.0.1:4599`), or nil for
    /// AWS's own per-service endpoints (`https://sqs.REGION.amazonaws.com`, …).
    public var url: URL?
    public var region: String
    /// The keys calls are signed with, unless `credentialProvider` supplies fresher ones.
    public var credentials: AWSCredentials
    /// Per-service endpoint overrides by SDK service id (`SQS`, `EventBridge`, `SFN`,
    /// `ServiceDiscovery`), as `AWS_ENDPOINT_URL_SQS` or a profile's `services` section give
    /// them; they win over `url` for that service's AWS JSON calls.
    public var serviceURLs: [String: URL] = [:]
    /// Temporary credentials that refresh themselves (AssumeRole, SSO, `credential_process`);
    /// asked before every call. Nil: `credentials` never change.
    public var credentialProvider: (any AWSCredentialProvider)?
    /// A breaker board elsewhere (`[endpoints.NAME] board = URL`, a `signalbox serve`): breaker
    /// calls go there while everything else goes to `url` or AWS.
    public var boardURL: URL?

    /// What the stack accepts when it runs without `--auth`: any key signs, but SDKs always
    /// sign, so the client does too.
    public static let localCredentials = AWSCredentials(accessKeyId: "signalbox", secretAccessKey: "signalbox")

    public init(url: URL?, region: String = "us-east-1", credentials: AWSCredentials = StackEndpoint.localCredentials) {
        self.url = url
        self.region = region
        self.credentials = credentials
    }

    /// Parses an endpoint override as users type it (`http://127.0.0.1:4599`, with or without a
    /// trailing slash). Only http and https URLs with a host are endpoints.
    public init(parsing text: String, region: String = "us-east-1",
                credentials: AWSCredentials = StackEndpoint.localCredentials) throws(StackClientError) {
        guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else {
            throw .invalidEndpoint("'\(text)' is not an http:// or https:// URL with a host")
        }
        self.init(url: url, region: region, credentials: credentials)
    }

    /// The base URL for `service`'s AWS JSON calls.
    public func baseURL(for service: AWSService) -> String {
        if let override = serviceURLs[service.serviceId] { return Self.trimmed(override) }
        if let url { return url.absoluteString }
        return "https://\(service.endpointPrefix).\(region).amazonaws.com"
    }

    /// The keys to sign the next call with.
    public func currentCredentials() async throws(StackClientError) -> AWSCredentials {
        guard let credentialProvider else { return credentials }
        return try await credentialProvider.credentials()
    }

    public static func == (lhs: StackEndpoint, rhs: StackEndpoint) -> Bool {
        lhs.url == rhs.url && lhs.region == rhs.region && lhs.credentials == rhs.credentials
            && lhs.serviceURLs == rhs.serviceURLs && lhs.credentialProvider === rhs.credentialProvider
            && lhs.boardURL == rhs.boardURL
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(url)
        hasher.combine(region)
        hasher.combine(credentials)
        hasher.combine(serviceURLs)
        hasher.combine(boardURL)
        hasher.combine(credentialProvider.map(ObjectIdentifier.init))
    }

    /// `http://host:port/` as `http://host:port`: requests append their own `/`.
    private static func trimmed(_ url: URL) -> String {
        let text = url.absoluteString
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The base URL of the stack's own extensions (`/_signalbox/...`); nil against AWS, which
    /// has none.
    public var extensionBaseURL: String? { url?.absoluteString }

    /// Where an extension path is served: the board's paths (`/_signalbox/breakers…`) at
    /// `boardURL` when there is one, the rest at `extensionBaseURL`.
    public func extensionBaseURL(for path: String) -> String? {
        if path.hasPrefix("/_signalbox/breakers"), let boardURL { return Self.trimmed(boardURL) }
        return extensionBaseURL
    }

    /// The `Host` header value (and SigV4's signed host) for a base URL.
    public static func hostHeader(of base: String) -> String {
        guard let components = URLComponents(string: base), let host = components.host else { return base }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        if let port = components.port { return "\(bracketed):\(port)" }
        return bracketed
    }
}
