import JSON
import JSONata
import Timekeeping

/// The functions Step Functions adds to JSONata (and its seedable `$random`, which replaces
/// the standard one): the JSONata counterparts of the intrinsics.
enum StepFunctionsFunctions {
    static let all: [String: JSONataFunction] = [
        "partition": JSONataFunction(name: "partition", maximumArguments: 2, body: partition),
        "range": JSONataFunction(name: "range", maximumArguments: 3, body: range),
        "hash": JSONataFunction(name: "hash", maximumArguments: 2, body: hash),
        "random": JSONataFunction(name: "random", maximumArguments: 1, body: random),
        "uuid": JSONataFunction(name: "uuid", maximumArguments: 0, body: uuid),
        "parse": JSONataFunction(name: "parse", maximumArguments: 1, body: parse),
    ]

    private static func mismatch(_ name: String, _ index: Int) -> JSONataError {
        JSONataError("T0410", "Argument \(index + 1) of function \"\(name)\" does not match function signature")
    }

    private static func argument(_ arguments: [JSONValue?], _ index: Int) -> JSONValue? {
        index < arguments.count ? arguments[index] : nil
    }

    /// `$partition(array, size)`: consecutive chunks of `size`, the last one shorter.
    @Sendable static func partition(_ arguments: [JSONValue?], _ random: inout any RandomNumberGenerator) throws(JSONataError) -> JSONValue? {
        guard case .array(let items)? = argument(arguments, 0) else { throw mismatch("partition", 0) }
        guard let size = argument(arguments, 1)?.intValue, size > 0 else { throw mismatch("partition", 1) }
        return .array(stride(from: 0, to: items.count, by: size).map { .array(Array(items[$0..<min($0 + size, items.count)])) })
    }

    /// `$range(start, end, step)`: from start to end inclusive, at most 1,000 numbers.
    @Sendable static func range(_ arguments: [JSONValue?], _ random: inout any RandomNumberGenerator) throws(JSONataError) -> JSONValue? {
        guard let start = argument(arguments, 0)?.intValue else { throw mismatch("range", 0) }
        guard let end = argument(arguments, 1)?.intValue else { throw mismatch("range", 1) }
        guard let step = argument(arguments, 2)?.intValue, step != 0 else { throw mismatch("range", 2) }
        let values = Array(stride(from: start, through: end, by: step))
        guard values.count <= 1000 else {
            throw JSONataError("D3137", "The $range function can return at most 1000 elements; this range has \(values.count)")
        }
        return .array(values.map { .number(Double($0)) })
    }

    /// `$hash(text, algorithm)`: hex digest with MD5, SHA-1, SHA-256, SHA-384 or SHA-512.
    @Sendable static func hash(_ arguments: [JSONValue?], _ random: inout any RandomNumberGenerator) throws(JSONataError) -> JSONValue? {
        guard case .string(let text)? = argument(arguments, 0) else { throw mismatch("hash", 0) }
        guard case .string(let algorithm)? = argument(arguments, 1) else { throw mismatch("hash", 1) }
        let bytes = Array(text.utf8)
        let digest: [UInt8]
        switch algorithm {
        case "MD5": digest = Digest.md5(bytes)
        case "SHA-1": digest = Digest.sha1(bytes)
        case "SHA-256": digest = Digest.sha256(bytes)
        case "SHA-384": digest = Digest.sha384(bytes)
        case "SHA-512": digest = Digest.sha512(bytes)
        default:
            throw JSONataError("D3137", "The hash algorithm '\(algorithm)' is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
        }
        return .string(Digest.hex(digest))
    }

    /// `$random([seed])`: a number in [0, 1); the same seed always gives the same number.
    @Sendable static func random(_ arguments: [JSONValue?], _ random: inout any RandomNumberGenerator) throws(JSONataError) -> JSONValue? {
        var word: UInt64
        if let seedValue = argument(arguments, 0) {
            guard let seed = seedValue.intValue else { throw mismatch("random", 0) }
            var seeded = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
            word = seeded.next()
        } else {
            word = random.next()
        }
        return .number(Double(word >> 11) / Double(1 << 53))
    }

    /// `$uuid()`: a version-4 UUID from the execution's generator.
    @Sendable static func uuid(_ arguments: [JSONValue?], _ random: inout any RandomNumberGenerator) throws(JSONataError) -> JSONValue? {
        var generator = SplitMix64(seed: random.next())
        return .string(generator.uuid())
    }

    /// `$parse(text)`: JSON text to its value (Step Functions' stand-in for `$eval`).
    @Sendable static func parse(_ arguments: [JSONValue?], _ random: inout any RandomNumberGenerator) throws(JSONataError) -> JSONValue? {
        guard case .string(let text)? = argument(arguments, 0) else { throw mismatch("parse", 0) }
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw JSONataError("D3137", "The string passed to $parse is not valid JSON: \(error.message)")
        }
    }
}
