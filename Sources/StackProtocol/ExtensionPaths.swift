/// Where the stack's own extensions live: everything under `/_signalbox/`, beside the AWS JSON
/// APIs on the same port. AWS itself has none of them (see `StackClientError.noExtension`).
public enum ExtensionPaths {
    /// The version of every extension's JSON shapes (stream frames carry it as `"v":1`, the
    /// board's listing as `"version":1`). A change that breaks a reader raises it.
    public static let version = 1

    public static let prefix = "/_signalbox/"
    /// `GET`: `HealthAnswer`.
    public static let health = "/_signalbox/health"
    /// WebSocket: the live stream (`StreamFrame`, `StreamRequest`).
    public static let stream = "/_signalbox/stream"
    /// The breaker board: `breakers[?service=S]`, `breakers/{service}/{dependency}[/override]`,
    /// `breakers/audit`.
    public static let breakers = "/_signalbox/breakers"
    /// `GET`, `PUT ChaosRequest`, `DELETE`: `ChaosAnswer`.
    public static let chaos = "/_signalbox/chaos"

    /// `/_signalbox/breakers/{service}/{dependency}`, each name one percent-encoded segment.
    public static func breaker(service: String, dependency: String) -> String {
        "\(breakers)/\(segment(service))/\(segment(dependency))"
    }

    /// Where an operator's override of one breaker is posted.
    public static func breakerOverride(service: String, dependency: String) -> String {
        breaker(service: service, dependency: dependency) + "/override"
    }

    /// The audit trail, optionally narrowed.
    public static func breakerAudit(limit: Int? = nil, service: String? = nil, dependency: String? = nil) -> String {
        let query = [("limit", limit.map(String.init)), ("service", service), ("dependency", dependency)]
            .compactMap { name, value in value.map { "\(name)=\(segment($0))" } }
        return "\(breakers)/audit" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// The board's listing, optionally of one service.
    public static func breakerListing(service: String? = nil) -> String {
        service.map { "\(breakers)?service=\(segment($0))" } ?? breakers
    }

    /// One URL path segment or query value: everything but RFC 3986's unreserved characters
    /// percent-encoded (UTF-8), so a name with `/`, `?` or spaces addresses the right breaker.
    public static func segment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
