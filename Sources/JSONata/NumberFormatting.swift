#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A number as JavaScript's `String(number)` writes it, which is what JSONata results show:
/// plain decimals between 1e-7 and 1e21, `1e+21` / `1.5e-7` style beyond.
func numberText(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity") }
    if value == 0 { return "0" }
    if value.rounded() == value, abs(value) < 9.0e18 { return String(Int64(value)) }
    // Swift's description is the shortest text that reads back the same double, as JS's is;
    // only the layout differs. Split it into digits and a decimal exponent.
    let text = abs(value).description
    var digits = ""
    var exponent = 0
    var mantissa = Substring(text)
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        exponent = Int(text[text.index(after: e)...]) ?? 0
        mantissa = text[..<e]
    }
    var pointOffset = mantissa.count
    if let point = mantissa.firstIndex(of: ".") {
        pointOffset = mantissa.distance(from: mantissa.startIndex, to: point)
    }
    digits = mantissa.replacingOccurrences(".", "")
    // Strip leading zeros (0.00123 → digits 123), adjusting where the point sits.
    while digits.count > 1, digits.first == "0" { digits.removeFirst(); pointOffset -= 1 }
    while digits.count > 1, digits.last == "0" { digits.removeLast() }
    // The value is 0.DIGITS × 10^decimalExponent.
    let decimalExponent = pointOffset + exponent
    let sign = value < 0 ? "-" : ""
    if decimalExponent > 21 || decimalExponent < -5 {
        var result = String(digits.first!)
        if digits.count > 1 { result += "." + digits.dropFirst() }
        let shown = decimalExponent - 1
        return sign + result + "e" + (shown >= 0 ? "+" : "-") + String(abs(shown))
    }
    if decimalExponent <= 0 {
        return sign + "0." + String(repeating: "0", count: -decimalExponent) + digits
    }
    if digits.count <= decimalExponent {
        return sign + digits + String(repeating: "0", count: decimalExponent - digits.count)
    }
    let split = digits.index(digits.startIndex, offsetBy: decimalExponent)
    return sign + digits[..<split] + "." + digits[split...]
}

private extension Substring {
    func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var result = ""
        for ch in self { if ch == target { result += replacement } else { result.append(ch) } }
        return result
    }
}

/// JavaScript's `Number(value.toPrecision(15))`: what `$string` and `&` do to numbers, so that
/// `0.1 + 0.2` shows as `0.3`.
func roundToPrecision15(_ value: Double) -> Double {
    guard value.isFinite, value != 0 else { return value }
    let magnitude = floor(log10(abs(value)))
    let scale = pow(10, 14 - magnitude)
    guard scale.isFinite, scale > 0 else { return value }
    let scaled = (value * scale).rounded()
    let result = scale >= 1 ? scaled / scale : scaled * pow(10, magnitude - 14)
    return result.isFinite ? result : value
}

func mathPow(_ base: Double, _ exponent: Double) -> Double { pow(base, exponent) }
func mathLog10(_ value: Double) -> Double { log10(value) }
