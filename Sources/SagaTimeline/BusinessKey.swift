import JSON
import StatesLanguage

/// The business key (an order id) in a JSON document: the first of the operator's
/// `saga_key_paths` that selects a string or a number. The one extractor: a saga's key is read
/// from its input with it, an event's from its envelope, so the same paths find the same key.
public enum BusinessKey {
    public static func find(in value: JSONValue, paths: [JSONPath]) -> String? {
        locate(in: value, paths: paths)?.key
    }

    /// The key and the path that selected it (the Trace pane says which one tied an entry).
    public static func locate(in value: JSONValue, paths: [JSONPath]) -> (key: String, path: JSONPath)? {
        for path in paths {
            switch path.select(in: value) {
            case .string(let text)?: return (text, path)
            case .number(let number)?: return (StuckRules.number(number), path)
            default: continue
            }
        }
        return nil
    }
}
