import Wire

/// AWS's limits on names, instance ids and instance attributes, checked before anything is
/// stored so a rejected request changes nothing.
enum RegistryValidation {
    static let maximumAttributes = 30

    /// Printable ASCII without space: AWS's `[!-~]` class.
    static func isVisible(_ scalar: Unicode.Scalar) -> Bool { (0x21...0x7E).contains(scalar.value) }

    /// AWS's name rules per kind: an HTTP name is 1–1024 printable ASCII characters, a private
    /// DNS name 1–253 of them, neither starting with `arn:`; a public DNS name is a domain name
    /// of two or more dot-separated labels (letters, digits and `-`, not at a label's ends, at
    /// most 63 each), at most 253 characters.
    static func namespaceName(_ name: String, type: String = "HTTP") throws(AWSError) {
        let scalars = name.unicodeScalars
        switch type {
        case "DNS_PUBLIC":
            let labels = name.split(separator: ".", omittingEmptySubsequences: false)
            let valid = (1...253).contains(scalars.count) && labels.count >= 2 && labels.allSatisfy { label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.unicodeScalars.allSatisfy { $0.isASCII && (Character($0).isLetter || Character($0).isNumber || $0 == "-") }
            }
            guard valid else {
                throw RegistryError.invalidInput(
                    "Public DNS namespace name must be a domain name of two or more dot-separated labels of letters, digits and '-' (at most 253 characters): \(quoted(name))")
            }
        default:
            let limit = type == "DNS_PRIVATE" ? 253 : 1024
            guard (1...limit).contains(scalars.count), scalars.allSatisfy(isVisible), !name.hasPrefix("arn:") else {
                throw RegistryError.invalidInput(
                    "Namespace name must be 1 to \(limit) printable ASCII characters without spaces, not starting with 'arn:': \(quoted(name))")
            }
        }
    }

    /// A DNS-label style name: dot-separated labels of letters, digits, `_` and `-` (not at a
    /// label's ends), at most 127 characters.
    static func serviceName(_ name: String) throws(AWSError) {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = (1...127).contains(name.count) && labels.allSatisfy { label in
            guard (1...63).contains(label.count), label.unicodeScalars.allSatisfy({ $0.isASCII }) else { return false }
            let ok = label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            return ok && label.first != "-" && label.last != "-"
        }
        guard valid else {
            throw (RegistryError.invalidInput(
                "Service name must be dot-separated labels of letters, digits, '_' and '-' (at most 127 characters): \(quoted(name))"))
        }
    }

    static func instanceId(_ id: String) throws(AWSError) {
        let allowed: (Unicode.Scalar) -> Bool = { s in
            (s.isASCII && (Character(s).isLetter || Character(s).isNumber)) || "_/:.@-".unicodeScalars.contains(s)
        }
        guard (1...64).contains(id.unicodeScalars.count), id.unicodeScalars.allSatisfy(allowed) else {
            throw (RegistryError.invalidInput(
                "InstanceId must be 1 to 64 characters of letters, digits and _/:.@-: \(quoted(id))"))
        }
    }

    static func description(_ text: String?) throws(AWSError) {
        if let text, text.count > 1024 {
            throw (RegistryError.invalidInput("Description is longer than 1024 characters"))
        }
    }

    /// Checks an instance's attribute map: count, key and value syntax, and the reserved AWS
    /// attributes an HTTP namespace understands.
    static func attributes(_ attributes: [(String, String)], customHealth: Bool) throws(AWSError) {
        guard !attributes.isEmpty else {
            throw (RegistryError.invalidInput("Attributes must hold at least one attribute"))
        }
        guard attributes.count <= maximumAttributes else {
            throw (RegistryError.invalidInput(
                "An instance can have at most \(maximumAttributes) attributes; got \(attributes.count)"))
        }
        for (key, value) in attributes {
            guard (1...255).contains(key.unicodeScalars.count), key.unicodeScalars.allSatisfy(isVisible) else {
                throw (RegistryError.invalidInput(
                    "Attribute key must be 1 to 255 printable ASCII characters without spaces: \(quoted(key))"))
            }
            let scalars = Array(value.unicodeScalars)
            let inner: (Unicode.Scalar) -> Bool = { isVisible($0) || $0 == " " || $0 == "\t" }
            let valid = scalars.count <= 1024 && scalars.allSatisfy(inner)
                && (scalars.first.map(isVisible) ?? true) && (scalars.last.map(isVisible) ?? true)
            guard valid else {
                throw (RegistryError.invalidInput(
                    "Attribute \(key) has an invalid value: at most 1024 printable ASCII characters, no leading or trailing whitespace"))
            }
            try reserved(key: key, value: value, customHealth: customHealth)
        }
    }

    private static func reserved(key: String, value: String, customHealth: Bool) throws(AWSError) {
        switch key {
        case "AWS_INSTANCE_IPV4":
            guard isIPv4(value) else { throw (RegistryError.invalidInput("AWS_INSTANCE_IPV4 is not an IPv4 address: \(quoted(value))")) }
        case "AWS_INSTANCE_IPV6":
            guard RegistryDNS.isIPv6(value) else { throw (RegistryError.invalidInput("AWS_INSTANCE_IPV6 is not an IPv6 address: \(quoted(value))")) }
        case "AWS_INSTANCE_PORT":
            guard let port = Int(value), (1...65535).contains(port), value.allSatisfy(\.isNumber) else {
                throw (RegistryError.invalidInput("AWS_INSTANCE_PORT must be a port number from 1 to 65535: \(quoted(value))"))
            }
        case "AWS_INIT_HEALTH_STATUS":
            guard customHealth else {
                throw (RegistryError.invalidInput("AWS_INIT_HEALTH_STATUS is only allowed for services with HealthCheckCustomConfig"))
            }
            guard value == "HEALTHY" || value == "UNHEALTHY" else {
                throw (RegistryError.invalidInput("AWS_INIT_HEALTH_STATUS must be HEALTHY or UNHEALTHY: \(quoted(value))"))
            }
        case RegistryHealth.ttlAttribute:
            guard customHealth else {
                throw (RegistryError.invalidInput("\(RegistryHealth.ttlAttribute) needs a service with HealthCheckCustomConfig"))
            }
            guard let seconds = Int(value), RegistryHealth.ttlRange.contains(seconds) else {
                throw (RegistryError.invalidInput(
                    "\(RegistryHealth.ttlAttribute) must be whole seconds from 1 to \(RegistryHealth.ttlRange.upperBound): \(quoted(value))"))
            }
        default:
            break
        }
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(part) else { return false }
            return n <= 255 && (part.count == 1 || part.first != "0")
        }
    }

    /// Untrusted text in an error message: bounded and with controls escaped.
    static func quoted(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(80) {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return "'\(out)\(text.unicodeScalars.count > 80 ? "…" : "")'"
    }
}
