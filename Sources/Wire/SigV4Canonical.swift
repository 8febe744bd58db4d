import Crypto
import Timekeeping

/// The parts of an HTTP request that SigV4 covers, in the form they travel on the wire
/// (path and query still percent-encoded). Both the signer and the verifier canonicalise this
/// one shape, so the two cannot drift apart.
public struct SigV4Request: Sendable {
    public var method: String
    /// The request path as sent, percent-encoded (`/` for AWS JSON services).
    public var path: String
    /// The raw query string without `?` (empty when there is none).
    public var query: String
    /// Header names in any case; repeated names are joined with `,` as AWS does.
    public var headers: [(name: String, value: String)]
    /// Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)],
                payloadHash: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)],
                body: some Collection<UInt8>) {
        self.init(method: method, path: path, query: query, headers: headers,
                  payloadHash: SigV4.hexSHA256(body))
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// SigV4 primitives (AWS Signature Version 4, `AWS4-HMAC-SHA256`).
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"

    public static func hexSHA256(_ bytes: some Collection<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The derived signing key for one day, region and service.
    public static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    static func signature(stringToSign: String, key: SymmetricKey) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters (and `/` when asked).
    public static func uriEncode(_ text: some StringProtocol, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes (and `+` as space in queries); invalid escapes stay literal.
    public static func percentDecode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = nibble(bytes[index + 1]), let low = nibble(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else if byte == UInt8(ascii: "+"), plusAsSpace {
                out.append(UInt8(ascii: " "))
                index += 1
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits a raw query string into decoded (name, value) pairs, in order.
    public static func queryItems(_ query: String) -> [(name: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (percentDecode(pair[..<equals], plusAsSpace: true),
                        percentDecode(pair[pair.index(after: equals)...], plusAsSpace: true))
            }
            return (percentDecode(pair, plusAsSpace: true), "")
        }
    }

    /// The canonical URI: the wire path encoded once more (non-S3 services double-encode),
    /// keeping `/`; an empty path is `/`.
    static func canonicalURI(_ path: String) -> String {
        path.isEmpty ? "/" : uriEncode(path, keepSlash: true)
    }

    static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items.map { (uriEncode($0.name), uriEncode($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    static func canonicalHeaderValue(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for character in value.trimmedHorizontalSpace {
            if character == " " || character == "\t" {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(character)
                lastWasSpace = false
            }
        }
        return out
    }

    /// The canonical request for the given signed header names (lowercase, sorted).
    static func canonicalRequest(_ request: SigV4Request, signedHeaders: [String],
                                 queryItems: [(name: String, value: String)]) -> String {
        var grouped: [String: [String]] = [:]
        for (name, value) in request.headers {
            grouped[name.lowercased(), default: []].append(canonicalHeaderValue(value))
        }
        var lines = [request.method.uppercased(), canonicalURI(request.path), canonicalQuery(queryItems)]
        lines.append(signedHeaders.map { "\($0):\((grouped[$0] ?? []).joined(separator: ","))\n" }.joined())
        lines.append(signedHeaders.joined(separator: ";"))
        lines.append(request.payloadHash)
        return lines.joined(separator: "\n")
    }

    static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope, hexSHA256(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` for a Unix time, without Foundation's formatters.
    public static func amzDate(unixSeconds: Int64) -> String {
        CivilTime(UnixTime(nanosecondsSince1970: unixSeconds &* 1_000_000_000)).iso8601Basic
    }

    /// Parses an `X-Amz-Date` value back to Unix seconds; nil when malformed.
    public static func unixSeconds(amzDate: String) -> Int64? {
        let bytes = Array(amzDate.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              let civil = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        return civil.unixTime.wholeSeconds
    }
}
