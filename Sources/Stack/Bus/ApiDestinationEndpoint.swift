import Foundation
import Wire

/// An API destination's `InvocationEndpoint` (and a connection's `AuthorizationEndpoint`): AWS's
/// `HttpsEndpoint` constraints, and the URL a call goes to once the target's path parameter
/// values fill the `*` wildcards and the query-string parameters are appended. Pure.
///
/// AWS takes HTTPS endpoints only; the local stack also takes `http://`, so a local service's
/// webhook (which rarely has a certificate) can be a target.
enum ApiDestinationEndpoint {
    static let pattern = #"^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@\x26=+$,A-Za-z0-9])+)([).!';/?:,])?$"#

    /// Checks an endpoint member: AWS's length and pattern, then that it is an HTTP(S) URL with a host.
    static func check(_ endpoint: String, member: String) throws(AWSError) {
        guard !endpoint.isEmpty, endpoint.utf8.count <= 2048 else {
            throw BusError.constraint(endpoint, member: member, "Member must have length between 1 and 2048")
        }
        guard endpoint.range(of: pattern, options: .regularExpression) != nil else {
            throw BusError.constraint(endpoint, member: member, "Member must satisfy regular expression pattern: \(pattern)")
        }
        let lower = endpoint.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"),
              let host = URLComponents(string: endpoint.replacingOccurrences(of: "*", with: "x"))?.host, !host.isEmpty else {
            throw BusError.validation("Parameter \(member) is not valid. Reason: \(endpoint) is not an HTTPS (or, locally, HTTP) URL with a host.")
        }
    }

    /// Why a call could not be addressed; the delivery fails for good (retrying cannot fix it).
    struct AddressError: Error, Equatable {
        var message: String
    }

    /// The URL for one call: each `*` of the path replaced, in order, by the next of
    /// `pathValues` (percent-encoded as a path segment), then `query` appended to any query
    /// the endpoint has. There must be exactly one value per wildcard.
    static func url(_ endpoint: String, pathValues: [String], query: [(String, String)]) throws(AddressError) -> String {
        let queryStart = endpoint.firstIndex(of: "?") ?? endpoint.endIndex
        let path = endpoint[..<queryStart]
        let existingQuery = endpoint[queryStart...].dropFirst()
        let wildcards = path.filter { $0 == "*" }.count
        guard wildcards == pathValues.count else {
            throw AddressError(message: "The endpoint has \(wildcards) path parameter wildcards and the target gives \(pathValues.count) PathParameterValues.")
        }
        var filled = ""
        var values = pathValues.makeIterator()
        for character in path {
            if character == "*", let value = values.next() {
                filled += value.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? value
            } else {
                filled.append(character)
            }
        }
        var pairs = existingQuery.isEmpty ? [] : [String(existingQuery)]
        for (key, value) in query {
            pairs.append(encodeQueryComponent(key) + "=" + encodeQueryComponent(value))
        }
        return pairs.isEmpty ? filled : filled + "?" + pairs.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters: everything else in a path value is percent-encoded
    /// (a `/` in a value stays inside its segment).
    private static let segmentCharacters = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encodeQueryComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? text
    }
}
