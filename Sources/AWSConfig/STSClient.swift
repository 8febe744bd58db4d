import AsyncHTTPClient
import Foundation
import NIOCore
import StackClient
import Wire

/// The three STS calls the credential chain and the status bar need, in STS's AWS Query
/// protocol (form-encoded POST, XML answer): AssumeRole (signed with the source keys),
/// AssumeRoleWithWebIdentity (unsigned: the token is the proof), GetCallerIdentity.
public struct STSClient: Sendable {
    /// `https://sts.REGION.amazonaws.com` unless overridden (`AWS_ENDPOINT_URL_STS`, moto).
    public var baseURL: String
    public var region: String
    public var timeout: Duration = .seconds(15)
    private let http: HTTPClient

    public init(region: String, endpoint: URL?, httpClient: HTTPClient = .shared) {
        self.region = region
        let text = endpoint?.absoluteString ?? "https://sts.\(region).amazonaws.com"
        self.baseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        self.http = httpClient
    }

    public func assumeRole(_ settings: AssumeRoleSettings, sessionName: String, mfaCode: String?,
                           with source: AWSCredentials) async throws(StackClientError) -> TemporaryCredentials {
        var form = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", settings.roleArn),
                    ("RoleSessionName", sessionName)]
        if let externalId = settings.externalId { form.append(("ExternalId", externalId)) }
        if let duration = settings.durationSeconds { form.append(("DurationSeconds", "\(duration)")) }
        if let serial = settings.mfaSerial, let mfaCode {
            form.append(("SerialNumber", serial))
            form.append(("TokenCode", mfaCode))
        }
        return try Self.credentials(from: try await post(form, signedWith: source), action: "AssumeRole")
    }

    public func assumeRoleWithWebIdentity(_ settings: WebIdentitySettings, sessionName: String,
                                          token: String) async throws(StackClientError) -> TemporaryCredentials {
        let form = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"),
                    ("RoleArn", settings.roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        return try Self.credentials(from: try await post(form, signedWith: nil), action: "AssumeRoleWithWebIdentity")
    }

    /// The account and ARN the keys belong to.
    public func callerIdentity(_ credentials: AWSCredentials) async throws(StackClientError) -> (account: String, arn: String) {
        let xml = try await post([("Action", "GetCallerIdentity"), ("Version", "2011-06-15")], signedWith: credentials)
        guard let account = xml["Account"], let arn = xml["Arn"] else {
            throw .badResponse("STS GetCallerIdentity answered without Account and Arn")
        }
        return (account, arn)
    }

    /// Reads `Credentials/{AccessKeyId, SecretAccessKey, SessionToken, Expiration}`. Pure.
    static func credentials(from xml: QueryXML, action: String) throws(StackClientError) -> TemporaryCredentials {
        guard let key = xml["AccessKeyId"], let secret = xml["SecretAccessKey"], let token = xml["SessionToken"] else {
            throw .badResponse("STS \(action) answered without AccessKeyId, SecretAccessKey and SessionToken")
        }
        guard let expirationText = xml["Expiration"], let expiration = Timestamps.parse(expirationText) else {
            throw .badResponse("STS \(action) answered without a readable Expiration")
        }
        return TemporaryCredentials(AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token),
                                    expiration: expiration)
    }

    private func post(_ form: [(String, String)], signedWith credentials: AWSCredentials?) async throws(StackClientError) -> QueryXML {
        let body = Array(form.map { "\(SigV4.uriEncode($0.0))=\(SigV4.uriEncode($0.1))" }.joined(separator: "&").utf8)
        var headers: [(name: String, value: String)] = [
            (name: "Host", value: StackEndpoint.hostHeader(of: baseURL)),
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
        ]
        if let credentials {
            let signer = SigV4Signer(credentials: credentials, region: region, service: "sts")
            headers = signer.sign(SigV4Request(method: "POST", path: "/", headers: headers, body: body),
                                  unixSeconds: Int64(Date().timeIntervalSince1970)).headers
        }
        var request = HTTPClientRequest(url: baseURL + "/")
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let (status, _, bytes) = try await HTTPExchange.send(request, on: http, timeout: timeout)
        let xml = QueryXML(bytes)
        guard (200..<300).contains(status) else {
            let code = xml?["Code"] ?? "HTTP\(status)"
            let message = xml?["Message"] ?? String(decoding: bytes.prefix(300), as: UTF8.self)
            throw .service(AWSError(code: code, message: message, status: status,
                                    fault: status >= 500 ? .receiver : .sender))
        }
        guard let xml else { throw .badResponse("STS answered with a body that is not XML") }
        return xml
    }
}

/// Keys with the time they stop working (nil: they never expire).
public struct TemporaryCredentials: Sendable, Hashable {
    public var credentials: AWSCredentials
    public var expiration: Date?

    public init(_ credentials: AWSCredentials, expiration: Date?) {
        self.credentials = credentials
        self.expiration = expiration
    }
}

/// The timestamp forms these sources write: ISO 8601 with or without fractional seconds
/// (`2026-12-06T10:00:00Z`, `…00.000Z`) and with a `UTC` suffix (older `aws sso login` caches).
enum Timestamps {
    static func parse(_ text: String) -> Date? {
        var normalised = text.trimmingCharacters(in: .whitespaces)
        if normalised.hasSuffix("UTC") { normalised = normalised.dropLast(3).trimmingCharacters(in: .whitespaces) + "Z" }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: normalised) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: normalised)
    }
}
