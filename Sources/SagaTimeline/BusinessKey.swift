import JSON
import StatesLanguage

/// The business key (an order id) in a JSON document: the first of the operator's
/// `saga_key_paths` that selects a string or a number. The one extractor: a saga's key is read
/// from its input with it, an event's from its envelope, so the same paths find the same key.
public enum BusinessKey {
    public static func find(in value: JSONValue, paths: [JSONPath]) -> String? {
        for path in paths {
            switch path.select(in: value) {
            case .string(let text)?: return text
            case .number(let number)?: return StuckRules.number(number)
            default: continue
            }
        }
        return nil
    }
}
