import JSON

extension Builtin {
    func numericFunction(_ evaluator: Evaluator, _ args: Arguments) throws(JSONataError) -> Value {
        switch self {
        case .number:
            switch args[0] {
            case .undefined: return .undefined
            case .number(let number): return .number(number)
            case .bool(let flag): return .number(flag ? 1 : 0)
            case .string(let text):
                if let number = Self.parseNumber(text) { return .number(number) }
                throw JSONataError("D3030", "Unable to cast value to a number: \"\(text)\"")
            default: throw JSONataError("D3030", "Unable to cast value to a number: \(describe(args[0]))")
            }
        case .abs: return try args.number(0).map { .number(Swift.abs($0)) } ?? .undefined
        case .floor: return try args.number(0).map { .number($0.rounded(.down)) } ?? .undefined
        case .ceil: return try args.number(0).map { .number($0.rounded(.up)) } ?? .undefined
        case .round:
            guard let number = try args.number(0) else { return .undefined }
            return .number(Self.roundHalfEven(number, precision: try args.integer(1) ?? 0))
        case .power:
            guard let base = try args.number(0) else { return .undefined }
            guard let exponent = try args.number(1) else { throw args.mismatch(1) }
            let result = mathPow(base, exponent)
            guard result.isFinite else {
                throw JSONataError("D3061", "The power function has resulted in a value that cannot be represented as a JSON number: base=\(numberText(base)), exponent=\(numberText(exponent))")
            }
            return .number(result)
        case .sqrt:
            guard let number = try args.number(0) else { return .undefined }
            guard number >= 0 else { throw JSONataError("D3060", "The sqrt function cannot be applied to a negative number: \(numberText(number))") }
            return .number(number.squareRoot())
        case .random:
            return .number(Double(evaluator.random.next() >> 11) / Double(1 << 53))
        case .formatNumber:
            guard let number = try args.number(0) else { return .undefined }
            guard let picture = try args.string(1) else { throw args.mismatch(1) }
            // `positive;negative`: the second sub-picture formats negatives, without a minus sign.
            let subPictures = picture.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if subPictures.count == 2, number < 0 {
                return .string(try NumberPicture(subPictures[1]).format(-number))
            }
            return .string(try NumberPicture(subPictures[0]).format(number))
        case .formatBase:
            guard let number = try args.number(0) else { return .undefined }
            let radix = try args.integer(1) ?? 10
            guard (2...36).contains(radix) else {
                throw JSONataError("D3100", "The radix of the formatBase function must be between 2 and 36.  It was given \(radix)")
            }
            let rounded = Self.roundHalfEven(number, precision: 0)
            guard Swift.abs(rounded) < 9e15 else { throw args.mismatch(0) }
            return .string(String(Int64(rounded), radix: radix))
        case .formatInteger:
            guard let number = try args.number(0) else { return .undefined }
            guard let picture = try args.string(1) else { throw args.mismatch(1) }
            return .string(try IntegerPicture.format(number, picture: picture))
        case .parseInteger:
            guard let text = try args.string(0) else { return .undefined }
            guard let picture = try args.string(1) else { throw args.mismatch(1) }
            return try IntegerPicture.parse(text, picture: picture).map(Value.number) ?? .undefined
        case .sum, .max, .min, .average:
            guard let items = args.array(0) else { return .undefined }
            var numbers: [Double] = []
            for item in items {
                guard case .number(let number) = item else {
                    throw JSONataError("T0412", "Argument 1 of function $\(rawValue) must be an array of numbers")
                }
                numbers.append(number)
            }
            if self == .sum { return .number(numbers.reduce(0, +)) }
            guard !numbers.isEmpty else { return .undefined }
            switch self {
            case .max: return .number(numbers.max()!)
            case .min: return .number(numbers.min()!)
            default: return .number(numbers.reduce(0, +) / Double(numbers.count))
            }
        default:
            preconditionFailure("not a numeric function: \(rawValue)")
        }
    }

    /// `$number`'s casting of strings: JSON number syntax, or 0x/0o/0b integers.
    static func parseNumber(_ text: String) -> Double? {
        let lower = text.lowercased()
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
            return Int64(lower.dropFirst(2), radix: radix).map(Double.init)
        }
        guard let json = try? JSONValue(parsing: text), case .number(let number) = json else { return nil }
        return number
    }

    /// `$round`: half to even, at a decimal precision, shifting the decimal point in text as
    /// the reference implementation does so that 2.675 at 2 digits sees the digits written.
    static func roundHalfEven(_ number: Double, precision: Int) -> Double {
        guard number.isFinite else { return number }
        let shifted = precision == 0 ? number : (Double("\(number)e\(precision)") ?? number)
        var rounded = shifted.rounded(.toNearestOrEven)
        if rounded == 0 { rounded = 0 } // no negative zero
        return precision == 0 ? rounded : (Double("\(rounded)e\(-precision)") ?? rounded)
    }
}

/// The decimal-digit subset of XPath's number pictures that `$formatNumber` documents:
/// optional prefix and suffix, `#` and `0` digits, `,` grouping, `.` decimal separator,
/// `%` / `‰` scaling, and an `e` exponent.
struct NumberPicture {
    var prefix = "", suffix = ""
    var minimumInteger = 0
    var groupingSizes: [Int] = []
    var minimumFraction = 0, maximumFraction = 0
    var scale = 1.0
    var minimumExponent: Int?

    init(_ picture: String) throws(JSONataError) {
        let active: Set<Character> = ["#", "0", ",", ".", "e"]
        let chars = Array(picture)
        guard let first = chars.firstIndex(where: { $0 == "#" || $0.isASCII && $0.isNumber }) else {
            throw JSONataError("D3085", "The picture string must contain at least one digit or the optional digit sign")
        }
        var last = chars.lastIndex(where: { $0 == "#" || $0.isASCII && $0.isNumber })!
        // Keep a trailing exponent's digits inside the active part.
        while last + 1 < chars.count, active.contains(chars[last + 1]) || chars[last + 1].isNumber { last += 1 }
        prefix = String(chars[..<first])
        suffix = String(chars[(last + 1)...])
        if suffix.contains("%") { scale = 100 } else if suffix.contains("‰") { scale = 1000 }
        if prefix.contains("%") { scale = 100 } else if prefix.contains("‰") { scale = 1000 }
        var body = String(chars[first...last])
        if let e = body.firstIndex(of: "e") {
            minimumExponent = body[body.index(after: e)...].filter { $0 == "0" || $0.isNumber }.count
            body = String(body[..<e])
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw JSONataError("D3081", "The sub-picture must not contain more than one instance of the 'decimal-separator' character")
        }
        let integer = Array(parts[0])
        minimumInteger = integer.filter { $0.isNumber }.count
        var size = 0
        for ch in integer.reversed() {
            if ch == "," { groupingSizes.append(size) } else { size += 1 }
        }
        if parts.count == 2 {
            let fraction = parts[1]
            minimumFraction = fraction.filter { $0.isNumber }.count
            maximumFraction = fraction.filter { $0.isNumber || $0 == "#" }.count
        }
        if minimumInteger == 0, maximumFraction == 0 { minimumInteger = 1 }
    }

    func format(_ value: Double) throws(JSONataError) -> String {
        var number = value * scale
        var exponentText = ""
        if let minimumExponent {
            var exponent = 0
            if number != 0 {
                let target = Swift.max(minimumInteger, 1)
                while Swift.abs(number) >= mathPow(10, Double(target)) { number /= 10; exponent += 1 }
                while Swift.abs(number) < mathPow(10, Double(target - 1)) { number *= 10; exponent -= 1 }
            }
            let digits = String(Swift.abs(exponent))
            exponentText = "e" + (exponent < 0 ? "-" : "") + String(repeating: "0", count: Swift.max(0, minimumExponent - digits.count)) + digits
        }
        let rounded = Builtin.roundHalfEven(Swift.abs(number), precision: maximumFraction)
        var text = numberText(rounded)
        if text.contains("e") { text = numberText(rounded.rounded()) }
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        var integer = String(pieces[0])
        var fraction = pieces.count > 1 ? String(pieces[1]) : ""
        if integer == "0", minimumInteger == 0 { integer = "" }
        if integer.count < minimumInteger { integer = String(repeating: "0", count: minimumInteger - integer.count) + integer }
        while fraction.count < minimumFraction { fraction += "0" }
        if let firstGroup = groupingSizes.first, firstGroup > 0 {
            // Regular grouping when every separator is the same distance apart.
            let regular = groupingSizes.enumerated().allSatisfy { $0.element == firstGroup * ($0.offset + 1) }
            var digits = Array(integer)
            var result: [Character] = []
            var count = 0
            while let digit = digits.popLast() {
                if count > 0, regular ? count % firstGroup == 0 : groupingSizes.contains(count) { result.append(",") }
                result.append(digit)
                count += 1
            }
            integer = String(result.reversed())
        }
        let sign = value < 0 && (rounded != 0) ? "-" : ""
        return sign + prefix + integer + (fraction.isEmpty ? "" : "." + fraction) + exponentText + suffix
    }
}

/// `$formatInteger` / `$parseInteger` pictures: decimal digits (with grouping), roman
/// numerals (`I`, `i`) and letters (`A`, `a`).
enum IntegerPicture {
    static func format(_ value: Double, picture: String) throws(JSONataError) -> String {
        let number = Int64(value.rounded(.towardZero))
        switch picture {
        case "I", "i":
            let text = roman(Int(Swift.abs(number)))
            return picture == "I" ? text : text.lowercased()
        case "A", "a":
            var n = Int(Swift.abs(number))
            var letters = ""
            let base: UInt8 = picture == "A" ? 65 : 97
            while n > 0 {
                n -= 1
                letters = String(UnicodeScalar(base + UInt8(n % 26))) + letters
                n /= 26
            }
            return letters
        default:
            guard picture.allSatisfy({ $0 == "#" || $0 == "," || $0.isASCII && $0.isNumber }), picture.contains(where: \.isNumber) else {
                throw JSONataError("D3130", "The picture string \"\(picture)\" of $formatInteger is not supported by this evaluator")
            }
            let text = try NumberPicture(picture).format(Double(Swift.abs(number)))
            return (number < 0 ? "-" : "") + text
        }
    }

    static func parse(_ text: String, picture: String) throws(JSONataError) -> Double? {
        switch picture {
        case "I", "i":
            let values: [Character: Int] = ["I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000]
            var total = 0
            let digits = text.uppercased().compactMap { values[$0] }
            guard digits.count == text.count else { return nil }
            for (index, digit) in digits.enumerated() {
                total += index + 1 < digits.count && digits[index + 1] > digit ? -digit : digit
            }
            return Double(total)
        case "A", "a":
            var total = 0
            for scalar in text.lowercased().unicodeScalars {
                guard scalar.value >= 97, scalar.value <= 122 else { return nil }
                total = total * 26 + Int(scalar.value - 96)
            }
            return Double(total)
        default:
            guard picture.allSatisfy({ $0 == "#" || $0 == "," || $0.isASCII && $0.isNumber }) else {
                throw JSONataError("D3130", "The picture string \"\(picture)\" of $parseInteger is not supported by this evaluator")
            }
            let digits = text.filter { $0 != "," }
            return Int64(digits).map(Double.init)
        }
    }

    private static func roman(_ value: Int) -> String {
        let table: [(Int, String)] = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                                      (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        var remaining = value
        var text = ""
        for (amount, symbol) in table {
            while remaining >= amount { text += symbol; remaining -= amount }
        }
        return text
    }
}
