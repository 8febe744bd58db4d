/// Credentials a client signs with (the console, the bench, tests).
public struct AWSCredentials: Sendable, Hashable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// Signs requests with SigV4 in the header form, as AWS SDKs do.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// The signing name, e.g. `sqs`, `events`, `states`, `servicediscovery`.
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Returns the request with `X-Amz-Date`, `X-Amz-Security-Token` (when present) and
    /// `Authorization` added. `Host` must already be among the headers.
    public func sign(_ request: SigV4Request, unixSeconds: Int64) -> SigV4Request {
        var signed = request
        let amzDate = SigV4.amzDate(unixSeconds: unixSeconds)
        signed.headers.removeAll { ["x-amz-date", "authorization", "x-amz-security-token"].contains($0.name.lowercased()) }
        signed.headers.append((name: "X-Amz-Date", value: amzDate))
        if let token = credentials.sessionToken {
            signed.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        let date = String(amzDate.prefix(8))
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let signedHeaders = Array(Set(signed.headers.map { $0.name.lowercased() })).sorted()
        let canonical = SigV4.canonicalRequest(signed, signedHeaders: signedHeaders,
                                               queryItems: SigV4.queryItems(signed.query))
        let key = SigV4.signingKey(secret: credentials.secretAccessKey, date: date, region: region, service: service)
        let signature = SigV4.signature(
            stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical), key: key)
        signed.headers.append((
            name: "Authorization",
            value: "\(SigV4.algorithm) Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
        ))
        return signed
    }
}
