/// Verifies SigV4 signatures on incoming requests (the stack's `--auth FILE`), in both the
/// header form (`Authorization: AWS4-HMAC-SHA256 ...`) and the presigned query form
/// (`X-Amz-Signature=...`). Failures are AWS's errors, so SDKs report them as AWS would.
public struct SigV4Verifier: Sendable {
    /// Access key id → secret access key.
    public var secrets: [String: String]
    /// Access key id → the session token its requests must carry, signed (temporary keys, as
    /// STS issues them). A key without one here must not send a token at all.
    public var sessionTokens: [String: String]
    /// How far the request's clock may be from ours, as AWS allows (15 minutes).
    public var allowedSkewSeconds: Int64

    public init(secrets: [String: String], sessionTokens: [String: String] = [:], allowedSkewSeconds: Int64 = 900) {
        self.secrets = secrets
        self.sessionTokens = sessionTokens
        self.allowedSkewSeconds = allowedSkewSeconds
    }

    /// What a verified request was signed as.
    public struct Identity: Sendable, Hashable {
        public var accessKeyId: String
        public var region: String
        public var service: String
    }

    public func verify(_ request: SigV4Request, nowUnixSeconds: Int64) throws(AWSError) -> Identity {
        let queryItems = SigV4.queryItems(request.query)
        if let authorization = request.header("Authorization") {
            return try verifyHeaderForm(request, authorization: authorization, queryItems: queryItems,
                                        now: nowUnixSeconds)
        }
        if queryItems.contains(where: { $0.name == "X-Amz-Signature" }) {
            return try verifyQueryForm(request, queryItems: queryItems, now: nowUnixSeconds)
        }
        throw AWSError.missingAuthentication()
    }

    private func parseCredential(_ text: String) throws(AWSError) -> SigV4CredentialScope {
        guard let credential = SigV4CredentialScope(credential: text) else {
            throw AWSError.incompleteSignature(
                "Credential should be scoped to a valid region and service, and end in aws4_request: '\(text)'")
        }
        return credential
    }

    private func verifyHeaderForm(_ request: SigV4Request, authorization: String,
                                  queryItems: [(name: String, value: String)],
                                  now: Int64) throws(AWSError) -> Identity {
        guard authorization.hasPrefix(SigV4.algorithm + " ") else {
            throw AWSError.incompleteSignature("Authorization header requires the \(SigV4.algorithm) algorithm")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(SigV4.algorithm.count + 1).split(separator: ",") {
            let trimmed = part.trimmedHorizontalSpace
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        guard let credentialText = fields["Credential"], let signedText = fields["SignedHeaders"],
              let signature = fields["Signature"] else {
            throw AWSError.incompleteSignature(
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters")
        }
        guard let amzDate = request.header("X-Amz-Date") ?? request.header("Date"),
              let signedAt = SigV4.unixSeconds(amzDate: amzDate) else {
            throw AWSError.incompleteSignature("Authorization requires a valid 'X-Amz-Date' header")
        }
        let credential = try parseCredential(credentialText)
        guard abs(now - signedAt) <= allowedSkewSeconds else {
            throw AWSError.signatureExpired(
                "Signature expired: \(amzDate) is more than \(allowedSkewSeconds / 60) minutes from the server time \(SigV4.amzDate(unixSeconds: now))")
        }
        let signedHeaders = signedText.split(separator: ";").map { String($0) }
        guard signedHeaders.contains("host") else {
            throw AWSError.incompleteSignature("SignedHeaders must include 'host'")
        }
        guard let secret = secrets[credential.accessKeyId] else { throw AWSError.unrecognizedClient() }
        try checkSessionToken(request.header("X-Amz-Security-Token"), signed: signedHeaders.contains("x-amz-security-token"),
                              accessKeyId: credential.accessKeyId)
        var payloaded = request
        if let declared = request.header("X-Amz-Content-Sha256"), declared == "UNSIGNED-PAYLOAD" {
            payloaded.payloadHash = declared
        } else if let declared = request.header("X-Amz-Content-Sha256"), declared != request.payloadHash {
            throw AWSError.signatureDoesNotMatch()
        }
        let canonical = SigV4.canonicalRequest(payloaded, signedHeaders: signedHeaders, queryItems: queryItems)
        let key = SigV4.signingKey(secret: secret, date: credential.date, region: credential.region,
                                   service: credential.service)
        let expected = SigV4.signature(
            stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: credential.scope, canonicalRequest: canonical),
            key: key)
        guard constantTimeEqual(expected, signature) else { throw AWSError.signatureDoesNotMatch() }
        return Identity(accessKeyId: credential.accessKeyId, region: credential.region, service: credential.service)
    }

    private func verifyQueryForm(_ request: SigV4Request, queryItems: [(name: String, value: String)],
                                 now: Int64) throws(AWSError) -> Identity {
        func value(_ name: String) -> String? { queryItems.first { $0.name == name }?.value }
        guard value("X-Amz-Algorithm") == SigV4.algorithm else {
            throw AWSError.incompleteSignature("X-Amz-Algorithm must be \(SigV4.algorithm)")
        }
        guard let credentialText = value("X-Amz-Credential"), let signedText = value("X-Amz-SignedHeaders"),
              let signature = value("X-Amz-Signature"), let amzDate = value("X-Amz-Date") else {
            throw AWSError.incompleteSignature(
                "Presigned requests require X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature")
        }
        guard let signedAt = SigV4.unixSeconds(amzDate: amzDate) else {
            throw AWSError.incompleteSignature("X-Amz-Date is not a valid ISO 8601 basic timestamp: '\(amzDate)'")
        }
        let credential = try parseCredential(credentialText)
        let expires = value("X-Amz-Expires").flatMap { Int64($0) } ?? 900
        guard expires >= 1, expires <= 604_800 else {
            throw AWSError.incompleteSignature("X-Amz-Expires must be between 1 and 604800 seconds")
        }
        guard now >= signedAt - allowedSkewSeconds, now <= signedAt + expires else {
            throw AWSError.signatureExpired("Request has expired: signed at \(amzDate), valid for \(expires) s")
        }
        guard let secret = secrets[credential.accessKeyId] else { throw AWSError.unrecognizedClient() }
        // In the presigned form the token travels in the query, which the signature covers.
        try checkSessionToken(value("X-Amz-Security-Token") ?? request.header("X-Amz-Security-Token"),
                              signed: value("X-Amz-Security-Token") != nil, accessKeyId: credential.accessKeyId)
        let signedHeaders = signedText.split(separator: ";").map { String($0) }
        // Non-S3 presigned requests hash the actual body unless a hash header says otherwise.
        var presigned = request
        if let declared = request.header("X-Amz-Content-Sha256") { presigned.payloadHash = declared }
        let canonical = SigV4.canonicalRequest(presigned, signedHeaders: signedHeaders,
                                               queryItems: queryItems.filter { $0.name != "X-Amz-Signature" })
        let key = SigV4.signingKey(secret: secret, date: credential.date, region: credential.region,
                                   service: credential.service)
        let expected = SigV4.signature(
            stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: credential.scope, canonicalRequest: canonical),
            key: key)
        guard constantTimeEqual(expected, signature) else { throw AWSError.signatureDoesNotMatch() }
        return Identity(accessKeyId: credential.accessKeyId, region: credential.region, service: credential.service)
    }

    /// Temporary keys are only good with their token, and the token only counts when the
    /// signature covers it (else anyone could swap it); permanent keys carry none.
    private func checkSessionToken(_ token: String?, signed: Bool, accessKeyId: String) throws(AWSError) {
        switch (sessionTokens[accessKeyId], token) {
        case (nil, nil): return
        case (let expected?, let token?) where signed && constantTimeEqual(expected, token): return
        case (_?, _?) where !signed:
            throw AWSError.incompleteSignature("X-Amz-Security-Token must be among the signed headers")
        default: throw AWSError.unrecognizedClient()
        }
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
