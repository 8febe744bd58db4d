import OrderedCollections

/// The standard library of JSONata 2.0 (the version Step Functions runs), by name.
enum Builtin: String, CaseIterable {
    // Strings
    case string, length, substring, substringBefore, substringAfter, uppercase, lowercase, trim, pad
    case contains, split, join, match, replace, eval
    case base64encode, base64decode, encodeUrlComponent, encodeUrl, decodeUrlComponent, decodeUrl
    // Numbers
    case number, abs, floor, ceil, round, power, sqrt, random, formatNumber, formatBase, formatInteger, parseInteger
    // Aggregation
    case sum, max, min, average
    // Boolean
    case boolean, not, exists
    // Arrays
    case count, append, sort, reverse, shuffle, distinct, zip
    // Objects
    case keys, lookup, spread, merge, sift, each, error, assert, type
    // Higher-order
    case map, filter, single, reduce
    // Dates and times
    case now, millis, fromMillis, toMillis

    /// `$eval` is the one function Step Functions leaves out (it offers `$parse` instead);
    /// this evaluator serves Step Functions, so it is left out here too.
    var isAvailable: Bool { self != .eval }

    /// How many arguments a call may pass (higher-order functions pass a callback this many).
    var maximumArguments: Int {
        switch self {
        case .random, .millis: 0
        case .length, .uppercase, .lowercase, .trim, .base64encode, .base64decode, .encodeUrlComponent, .encodeUrl,
             .decodeUrlComponent, .decodeUrl, .number, .abs, .floor, .ceil, .sqrt, .sum, .max, .min, .average,
             .boolean, .not, .exists, .count, .reverse, .shuffle, .distinct, .keys, .spread, .merge, .error, .type, .eval:
            1
        case .string, .substringBefore, .substringAfter, .contains, .join, .round, .power, .formatBase, .formatInteger,
             .parseInteger, .append, .sort, .lookup, .sift, .each, .assert, .map, .filter, .single, .now, .toMillis:
            2
        case .substring, .pad, .split, .match, .formatNumber, .reduce, .fromMillis: 3
        case .replace: 4
        case .zip: 8
        }
    }

    /// The arguments a call must pass (before the context value is taken as the first).
    var minimumArguments: Int {
        switch self {
        case .random, .millis, .now, .zip: 0
        case .substring, .substringBefore, .substringAfter, .contains, .split, .match, .power, .formatInteger,
             .parseInteger, .append, .lookup, .each, .map, .filter, .reduce, .pad, .assert:
            2
        case .replace: 3
        default: 1
        }
    }

    /// Functions whose signature lets the context value stand in for a missing first argument.
    var usesContext: Bool {
        switch self {
        case .string, .length, .substring, .substringBefore, .substringAfter, .uppercase, .lowercase, .trim, .pad,
             .contains, .split, .match, .replace, .base64encode, .base64decode, .encodeUrlComponent, .encodeUrl,
             .decodeUrlComponent, .decodeUrl, .number, .abs, .floor, .ceil, .round, .power, .sqrt, .formatNumber,
             .formatBase, .formatInteger, .parseInteger, .boolean, .not, .keys, .lookup, .spread, .sift, .each,
             .fromMillis, .toMillis:
            true
        default: false
        }
    }

    func invoke(_ evaluator: Evaluator, _ args: Arguments, input: Value) throws(JSONataError) -> Value {
        switch self {
        case .string, .length, .substring, .substringBefore, .substringAfter, .uppercase, .lowercase, .trim, .pad,
             .contains, .split, .join, .match, .replace, .eval, .base64encode, .base64decode, .encodeUrlComponent,
             .encodeUrl, .decodeUrlComponent, .decodeUrl:
            return try stringFunction(evaluator, args, input: input)
        case .number, .abs, .floor, .ceil, .round, .power, .sqrt, .random, .formatNumber, .formatBase, .formatInteger,
             .parseInteger, .sum, .max, .min, .average:
            return try numericFunction(evaluator, args)
        case .now, .millis, .fromMillis, .toMillis:
            return try dateFunction(evaluator, args)
        default:
            return try collectionFunction(evaluator, args, input: input)
        }
    }
}
