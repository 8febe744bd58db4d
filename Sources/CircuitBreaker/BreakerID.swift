/// Which breaker: the service that makes the calls and the dependency it calls
/// (`payment` → `payment-gateway`). The breaker board keys breakers by this pair.
public struct BreakerID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var service: String
    public var dependency: String

    public init(service: String, dependency: String) {
        self.service = service
        self.dependency = dependency
    }

    /// The longest service or dependency name accepted, in UTF-8 bytes.
    public static let maximumNameLength = 256

    /// Checks both names: non-empty, at most `maximumNameLength` bytes, and free of control
    /// characters (names end up on an operator's terminal and in URLs of the breaker board).
    public func validate() throws(BreakerConfigurationError) {
        for (field, name) in [("service", service), ("dependency", dependency)] {
            if name.isEmpty {
                throw BreakerConfigurationError(field: field, message: "must not be empty")
            }
            if name.utf8.count > Self.maximumNameLength {
                throw BreakerConfigurationError(
                    field: field, message: "must be at most \(Self.maximumNameLength) bytes, got \(name.utf8.count)")
            }
            if let bad = name.unicodeScalars.first(where: \.isControlCharacter) {
                throw BreakerConfigurationError(
                    field: field, message: "must not contain control character U+\(bad.hexCode)")
            }
        }
    }

    public var description: String { "\(service) → \(dependency)" }
}

extension Unicode.Scalar {
    var isControlCharacter: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
    }

    var hexCode: String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
