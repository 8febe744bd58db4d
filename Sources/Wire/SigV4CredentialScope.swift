/// The credential a SigV4 request names, `AKID/DATE/REGION/SERVICE/aws4_request`, read as
/// text: nothing is verified here. The stack reads the region a client signed for from it
/// whether or not it checks signatures (an unsigned stack still places resources in the
/// region the SDK was configured for), and the verifier reads it before checking.
public struct SigV4CredentialScope: Sendable, Hashable {
    public var accessKeyId: String
    /// `YYYYMMDD`.
    public var date: String
    public var region: String
    public var service: String

    /// The scope as it enters the string to sign: `DATE/REGION/SERVICE/aws4_request`.
    public var scope: String { "\(date)/\(region)/\(service)/aws4_request" }

    /// Reads `AKID/DATE/REGION/SERVICE/aws4_request`; nil unless it has exactly those five
    /// parts, a non-empty key id, region and service, and an eight-character date.
    public init?(credential text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[4] == "aws4_request", parts[1].count == 8, !parts[0].isEmpty,
              !parts[2].isEmpty, !parts[3].isEmpty else { return nil }
        accessKeyId = String(parts[0])
        date = String(parts[1])
        region = String(parts[2])
        service = String(parts[3])
    }

    /// The credential of a request: the `Credential=` of an `Authorization` header (header
    /// form), else the `X-Amz-Credential` query parameter (presigned form); nil when neither
    /// is there or readable.
    public static func of(authorization: String?, query: String) -> SigV4CredentialScope? {
        if let authorization {
            return credentialText(authorization: authorization).flatMap { SigV4CredentialScope(credential: $0) }
        }
        guard query.contains("X-Amz-Credential") else { return nil }
        return SigV4.queryItems(query).first { $0.name == "X-Amz-Credential" }
            .flatMap { SigV4CredentialScope(credential: $0.value) }
    }

    /// The text after `Credential=` in an `Authorization` header, up to the next comma.
    static func credentialText(authorization: String) -> String? {
        guard let range = authorization.range(of: "Credential=") else { return nil }
        let rest = authorization[range.upperBound...]
        return rest[..<(rest.firstIndex(of: ",") ?? rest.endIndex)].trimmedHorizontalSpace
    }
}
