import JSON

extension TimelineEntry {
    /// `GetExecutionHistory` events (oldest first) as timeline entries, the way the provider
    /// reads them: an event that names no state is credited to the state entered last.
    public static func entries(fromHistory events: [JSONValue]) -> [TimelineEntry] {
        var state: String?
        var entries: [TimelineEntry] = []
        for event in events {
            guard let entry = WireDecoding.timelineEntry(event, state: state) else { continue }
            if entry.type.hasSuffix("StateEntered") { state = entry.stateName }
            entries.append(entry)
        }
        return entries
    }
}
