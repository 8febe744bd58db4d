import JSON

/// An EventBridge event pattern, compiled once and matched many times.
///
/// The stack's router matches every rule of a bus with it, `TestEventPattern` answers with it,
/// and the console filters its live event tail with it, so all three agree with AWS and with
/// each other. It implements AWS's full syntax: exact values (strings, numbers, booleans, null),
/// `prefix`, `suffix`, `equals-ignore-case` (alone and inside `prefix`/`suffix`), `wildcard`,
/// `anything-but` (value, list, `prefix`, `suffix`, `equals-ignore-case`, `wildcard`),
/// `numeric`, `exists`, `cidr` (IPv4 and IPv6), `$or`, nested fields, and AWS's array rules:
/// an event array matches when any element does, and arrays of objects are traversed with one
/// element chosen for all the fields of a pattern object.
public struct EventPattern: Sendable, Hashable, CustomStringConvertible {
    /// AWS's default quota on a rule's pattern text (raisable to 4096 there).
    public static let defaultMaximumLength = 2048

    /// The pattern as given, for echoing back (`DescribeRule`) and display.
    public let json: JSONValue
    let root: ObjectMatcher
    /// The members this pattern reads, so event text is parsed no further than needed.
    let fields: JSONFieldTree
    private let bound: BoundMatcher

    /// Compiles a pattern's JSON text. Text longer than `maximumLength` UTF-16 code units
    /// (AWS counts characters) is refused; pass nil for no limit (console filters).
    public init(parsing text: String, maximumLength: Int? = EventPattern.defaultMaximumLength) throws(EventPatternError) {
        if let maximumLength, text.utf16.count > maximumLength {
            throw EventPatternError(reason: "Event pattern is longer than \(maximumLength) characters")
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw EventPatternError(reason: error.description)
        }
        try self.init(json)
    }

    /// Compiles a pattern already parsed as JSON.
    public init(_ json: JSONValue) throws(EventPatternError) {
        var compiler = PatternCompiler()
        let root = try compiler.compileRoot(json)
        try WildcardComplexity.check(root)
        self.root = root
        self.json = json
        var tree = JSONFieldTree(joiningDottedKeys: true)
        self.bound = BoundMatcher(root, tree: &tree, node: JSONFieldTree.root)
        self.fields = tree
    }

    /// Whether the event (a whole envelope: `source`, `detail-type`, `detail`, …) matches.
    public func matches(_ event: JSONValue) -> Bool {
        bound.matches(JSONDocument(event, keeping: fields), JSONDocument.root)
    }

    /// Parses the event text and matches it; false when the text is not JSON. Only the
    /// members the pattern reads are built, so large events cost little more than a scan.
    public func matches(eventText: String) -> Bool {
        guard let event = try? JSONDocument(parsing: eventText.utf8, keeping: fields) else { return false }
        return bound.matches(event, JSONDocument.root)
    }

    /// The pattern's compact JSON text.
    public var description: String { json.serialized }

    public static func == (a: EventPattern, b: EventPattern) -> Bool { a.json == b.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}
