import AsyncHTTPClient
import Crypto
import Foundation
import JSON
import NIOCore
import StackClient
import Wire

/// IAM Identity Center: the token `aws sso login` cached, and the portal's GetRoleCredentials.
public struct SSOPortal: Sendable {
    /// `https://portal.sso.REGION.amazonaws.com` unless overridden (`AWS_ENDPOINT_URL_SSO`).
    public var baseURL: String
    public var timeout: Duration = .seconds(15)
    private let http: HTTPClient

    public init(region: String, endpoint: URL?, httpClient: HTTPClient = .shared) {
        let text = endpoint?.absoluteString ?? "https://portal.sso.\(region).amazonaws.com"
        self.baseURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        self.http = httpClient
    }

    /// `~/.aws/sso/cache/<sha1>.json`, where `aws sso login` writes the token for `settings`.
    public static func cacheFile(for settings: SSOSettings, home: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array(settings.cacheKey.utf8))
        return home + "/.aws/sso/cache/" + digest.map { String(format: "%02x", $0) }.joined() + ".json"
    }

    /// The cached access token, checked against `now`. Pure apart from nothing: the caller reads the file.
    /// - Throws: `.credentials` with `aws sso login --profile P` when it is missing, unreadable or expired.
    public static func token(fromCache text: String?, settings: SSOSettings, now: Date) throws(StackClientError) -> String {
        let fix = "run: aws sso login --profile \(settings.profile)"
        guard let text else {
            throw .credentials("no IAM Identity Center token for profile '\(settings.profile)'; \(fix)")
        }
        guard let cached = try? JSONValue(parsing: text), let token = cached["accessToken"]?.stringValue,
              let expiresText = cached["expiresAt"]?.stringValue, let expires = Timestamps.parse(expiresText) else {
            throw .credentials("the IAM Identity Center token cache for profile '\(settings.profile)' is not readable; \(fix)")
        }
        guard expires > now else {
            throw .credentials("the IAM Identity Center token for profile '\(settings.profile)' expired at \(expiresText); \(fix)")
        }
        return token
    }

    /// GetRoleCredentials: the role's keys for the signed-in user.
    public func roleCredentials(_ settings: SSOSettings, token: String) async throws(StackClientError) -> TemporaryCredentials {
        let query = "account_id=\(SigV4.uriEncode(settings.accountId))&role_name=\(SigV4.uriEncode(settings.roleName))"
        var request = HTTPClientRequest(url: baseURL + "/federation/credentials?" + query)
        request.method = .GET
        request.headers.add(name: "x-amz-sso_bearer_token", value: token)
        let (status, headers, bytes) = try await HTTPExchange.send(request, on: http, timeout: timeout)
        if status == 401 || status == 403 {
            throw .credentials("IAM Identity Center refused the token for profile '\(settings.profile)' (HTTP \(status)); run: aws sso login --profile \(settings.profile)")
        }
        guard (200..<300).contains(status) else {
            throw .service(AWSError(status: status, headers: headers, body: bytes))
        }
        return try Self.roleCredentials(fromBody: bytes)
    }

    /// `{"roleCredentials": {accessKeyId, secretAccessKey, sessionToken, expiration (ms)}}`. Pure.
    static func roleCredentials(fromBody bytes: [UInt8]) throws(StackClientError) -> TemporaryCredentials {
        guard let body = try? JSONValue(parsing: bytes), let role = body["roleCredentials"],
              let key = role["accessKeyId"]?.stringValue, let secret = role["secretAccessKey"]?.stringValue,
              let milliseconds = role["expiration"]?.doubleValue else {
            throw .badResponse("the IAM Identity Center portal answered without roleCredentials")
        }
        return TemporaryCredentials(
            AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: role["sessionToken"]?.stringValue),
            expiration: Date(timeIntervalSince1970: milliseconds / 1000))
    }
}
