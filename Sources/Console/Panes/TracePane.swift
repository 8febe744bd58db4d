import Foundation
import JSON
import Provider
import SagaTimeline
import Synchronization
import Terminal

/// One business key, end to end: in time order, the events whose detail carries it (with the
/// rules they matched and each delivery's outcome), the SQS messages those deliveries sent and
/// what became of them, the saga executions whose input carries it (their timelines folded in)
/// and the breaker changes within that window. Only what the snapshot holds: no SDK in the
/// services, no guessed links. Each entry says what tied it to the key: one of the Sagas
/// pane's key paths (`saga_key_paths`), the key's text somewhere in its JSON, the event that
/// sent it, or (breakers) the time window.
///
/// The key is the pane's `/` filter: `t` on a row of Flows, Queues or Sagas, and `:trace KEY`,
/// open the pane with it (ConsoleState); typing `/` here traces another key.
struct TracePane: Pane {
    enum RowID: Sendable, Hashable {
        case event(String)
        case message(String)
        case execution(String)
        /// A breaker (`service/dependency`) and when it changed.
        case breaker(String, Date)
    }

    struct ViewState: Sendable, Hashable {
        /// Entries shown whole: a saga's timeline, an event's detail, a message's body.
        var unfolded: Set<RowID> = []
    }

    let id = PaneID.trace
    let title = "Trace"
    /// No digit: a trace is of a key, opened by `t` or `:trace KEY` (config `pane-7` can bind one).
    let defaultKey: Key? = nil
    let dataSections: Set<DataSection> = [.flows, .queues, .sagas, .breakers]
    let initialViewState = ViewState()
    let settings: SagaSettings

    /// The most entries one trace shows: the newest, the others counted.
    static let entryLimit = 300

    init(settings: SagaSettings = SagaSettings()) {
        self.settings = settings
    }

    var actions: [PaneAction<RowID, ViewState>] {
        [
            .move("trace-unfold", [.enter], "Trace: unfold / fold the entry (a saga's timeline, an event's detail, a message's body)") { row, view, _ in
                guard let row else { return nil }
                if view.unfolded.remove(row) == nil { view.unfolded.insert(row) }
                return nil
            },
        ]
    }

    // MARK: which key a row of another pane carries

    /// The key `subject` (a row of Flows, Queues or Sagas) carries, or why there is none.
    func key(for subject: TraceSubject, _ context: PaneContext) -> Result<String, TraceRefusal> {
        let snapshot = context.snapshot
        switch subject {
        case .event(let id):
            guard let event = snapshot.recentEvents.first(where: { $0.id == id }) else {
                return .failure(TraceRefusal("the event is no longer held"))
            }
            guard let key = Self.key(ofEvent: event, settings) else {
                return .failure(TraceRefusal("no business key in this event at " + settings.keyPaths.map(\.text).joined(separator: ", ")))
            }
            return .success(key)
        case .queue(let arn):
            let name = snapshot.queues.first { $0.arn == arn }?.name ?? String(arn.split(separator: ":").last ?? "")
            // The newest message seen on the queue that carries a key.
            for message in snapshot.recentMessages.messages.reversed() where message.queue == name || message.changes.contains(where: { $0.queue == name }) {
                if let body = message.body, let value = try? JSONValue(parsing: body), let found = BusinessKey.locate(in: value, paths: settings.keyPaths) {
                    return .success(found.key)
                }
            }
            if snapshot.recentMessages.changesSeen == 0 {
                return .failure(TraceRefusal("no message seen on \(name): the console learns messages from the stack's stream (messages topic) since it attached"))
            }
            return .failure(TraceRefusal("no message seen on \(name) carries a business key at " + settings.keyPaths.map(\.text).joined(separator: ", ")))
        case .execution(let arn):
            let board = SagaBoard.of(snapshot, settings: settings, now: context.now)
            guard let saga = board.saga(arn) else { return .failure(TraceRefusal("the execution is no longer listed")) }
            guard let key = saga.businessKey else {
                return .failure(TraceRefusal("no business key: " + (saga.keyProblem ?? "unknown")))
            }
            return .success(key)
        }
    }

    static func key(ofEvent event: FlowEvent, _ settings: SagaSettings) -> String? {
        BusinessKey.find(in: event.detail, paths: settings.keyPaths) ?? BusinessKey.find(in: ["detail": event.detail], paths: settings.keyPaths)
    }

    // MARK: the trace

    /// What tied an entry to the key.
    enum Tie: Sendable, Hashable {
        /// One of `saga_key_paths` selects the key.
        case path(String)
        /// The key's text is in its JSON (a value or a member name), no key path selects it.
        case text
        /// A message whose body does not carry the key, sent by a delivery of a tied event.
        case sender(String)
        /// A message whose body does not carry the key, sent by a step of a tied saga (its ARN).
        case saga(String)
        /// A breaker change between the trace's first and last entry.
        case window

        /// The tag at the end of the entry's line (the legend above the entries names them).
        var text: String {
            switch self {
            case .path(let path): path
            case .text: "text"
            case .sender: "sender"
            case .saga: "saga"
            case .window: "window"
            }
        }
    }

    struct Entry: Sendable {
        enum Item: Sendable {
            case event(FlowEvent)
            case message(QueueMessage)
            case saga(SagaAnalysis)
            case breaker(BreakerChangeSeen)
        }

        var id: RowID
        var time: Date
        var item: Item
        var tie: Tie
        /// Sorts entries of the same instant: an event before the messages and sagas it caused.
        var order: Int
        /// `time` has milliseconds. An event's envelope `time` has whole seconds (EventBridge's
        /// shape); when the stack's message frames tell when its deliveries were written (the
        /// PutEvents commit), the event is placed there instead, to the millisecond.
        var precise = true
    }

    struct Trace: Sendable {
        var key: String
        /// Time order, at most `entryLimit`: the newest.
        var entries: [Entry]
        /// How many entries tied, before the limit.
        var total: Int
        var events = 0, messages = 0, sagas = 0, breakers = 0
    }

    /// The trace of `key` in `snapshot`: kept in `memory` for the snapshot it was built from
    /// (a render, a key press and the status bar ask for it several times a frame).
    func trace(_ key: String, _ context: PaneContext) -> Trace {
        let stamp = Stamp(key: key, taken: context.snapshot.takenAt, events: context.snapshot.recentEvents.count,
                          messages: context.snapshot.recentMessages.changesSeen, executions: context.snapshot.executions.count,
                          breakers: context.snapshot.breakerChanges.count)
        if let kept = context.memory?.value(for: id, as: Kept.self), kept.stamp == stamp { return kept.trace }
        let trace = Self.build(key: key, snapshot: context.snapshot, settings: settings, now: context.now)
        context.memory?.set(Kept(stamp: stamp, trace: trace), for: id)
        return trace
    }

    private struct Stamp: Hashable {
        var key: String
        var taken: Date?
        var events: Int, messages: Int, executions: Int, breakers: Int
    }

    private struct Kept: Sendable {
        var stamp: Stamp
        var trace: Trace
    }

    static func build(key: String, snapshot: SystemSnapshot, settings: SagaSettings, now: Date) -> Trace {
        var entries: [Entry] = []
        var tiedEvents: Set<String> = []
        var delivered: [String: Date] = [:]
        for message in snapshot.recentMessages.messages {
            guard let sender = message.sender, let sent = message.changes.first(where: { $0.kind == .sent }) else { continue }
            delivered[sender.eventId] = min(delivered[sender.eventId] ?? sent.at, sent.at)
        }
        for event in snapshot.recentEvents {
            guard let tie = tie(event, key: key, settings) else { continue }
            tiedEvents.insert(event.id)
            entries.append(Entry(id: .event(event.id), time: delivered[event.id] ?? event.time, item: .event(event), tie: tie, order: 0,
                                 precise: delivered[event.id] != nil))
        }
        var tiedSagas: Set<String> = []
        for saga in SagaBoard.of(snapshot, settings: settings, now: now).sagas {
            guard let tie = tie(saga, key: key, settings) else { continue }
            tiedSagas.insert(saga.execution.arn)
            entries.append(Entry(id: .execution(saga.execution.arn), time: saga.execution.startDate, item: .saga(saga), tie: tie, order: 2))
        }
        for message in snapshot.recentMessages.messages {
            var tie = message.body.flatMap { body in Self.tie(text: body, key: key, settings) }
            if tie == nil, let sender = message.sender, tiedEvents.contains(sender.eventId) { tie = .sender(sender.eventId) }
            if tie == nil, let execution = message.execution, tiedSagas.contains(execution.executionArn) { tie = .saga(execution.executionArn) }
            guard let tie, let first = message.changes.first else { continue }
            entries.append(Entry(id: .message(message.id), time: first.at, item: .message(message), tie: tie, order: 1))
        }
        // The window the tied entries span: a saga lasts until it stopped (or now), a message
        // until its last change.
        let ends = entries.map { entry -> Date in
            switch entry.item {
            case .saga(let saga): saga.execution.stopDate ?? saga.spans.lastEvent ?? entry.time
            case .message(let message): message.changes.last?.at ?? entry.time
            default: entry.time
            }
        }
        if let start = entries.map(\.time).min(), let end = ends.max() {
            var seen: Set<RowID> = []
            // The stream's changes, and each breaker's last change as polled (the only one known
            // without the stream).
            let polled = snapshot.breakers.compactMap { breaker in breaker.lastTransition.map { BreakerChangeSeen(breaker: breaker.id, transition: $0) } }
            for change in snapshot.breakerChanges + polled where start <= change.transition.at && change.transition.at <= end {
                let id = RowID.breaker(change.breaker, change.transition.at)
                guard seen.insert(id).inserted else { continue }
                entries.append(Entry(id: id, time: change.transition.at, item: .breaker(change), tie: .window, order: 3))
            }
        }
        entries.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        var trace = Trace(key: key, entries: Array(entries.suffix(entryLimit)), total: entries.count)
        for entry in entries {
            switch entry.item {
            case .event: trace.events += 1
            case .message: trace.messages += 1
            case .saga: trace.sagas += 1
            case .breaker: trace.breakers += 1
            }
        }
        return trace
    }

    /// An event is tied when a key path selects the key in its detail (or in `{"detail":…}`,
    /// for paths written for envelopes), else when the key's text is in its detail or resources.
    static func tie(_ event: FlowEvent, key: String, _ settings: SagaSettings) -> Tie? {
        for value in [event.detail, ["detail": event.detail] as JSONValue] {
            if let found = BusinessKey.locate(in: value, paths: settings.keyPaths), found.key == key { return .path(found.path.text) }
        }
        if contains(event.detail, key) || event.resources.contains(where: { $0.contains(key) }) { return .text }
        return nil
    }

    /// A JSON text (a message body, an execution's input) is tied by a key path when it is JSON,
    /// else by the key's text. Text without the key is never parsed.
    static func tie(text: String, key: String, _ settings: SagaSettings) -> Tie? {
        guard !key.isEmpty, text.contains(key) else { return nil }
        if let value = try? JSONValue(parsing: text), let found = BusinessKey.locate(in: value, paths: settings.keyPaths), found.key == key {
            return .path(found.path.text)
        }
        return .text
    }

    static func tie(_ saga: SagaAnalysis, key: String, _ settings: SagaSettings) -> Tie? {
        guard let input = saga.spans.executionInput else { return nil }
        return tie(text: input, key: key, settings)
    }

    /// Whether `key`'s text is in a string, a number or a member name of `value`.
    static func contains(_ value: JSONValue, _ key: String) -> Bool {
        switch value {
        case .string(let text): text.contains(key)
        case .number: value.serialized == key
        case .array(let items): items.contains { contains($0, key) }
        case .object(let object): object.contains { $0.key.contains(key) || contains($0.value, key) }
        default: false
        }
    }

    // MARK: drawing

    func body(_ context: PaneContext, view: ViewState) -> PaneBody<RowID> {
        let key = context.filter
        guard !key.isEmpty else {
            return .canvas(PaneCanvas { buffer, rect, _, _ in
                let lines = [
                    "Trace one business key end to end: its events, the messages they sent, its sagas, and the breaker changes meanwhile.",
                    "t on a row of Flows (an event), Queues (a queue's newest keyed message) or Sagas (an execution) traces its key;",
                    ":trace KEY (or / here) traces any key. Keys are read at " + settings.keyPaths.map(\.text).joined(separator: ", ")
                        + " (saga_key_paths), or matched as text.",
                ]
                var y = rect.y
                for line in lines where y < rect.maxY {
                    for part in Self.wrap(line, width: rect.width) where y < rect.maxY {
                        _ = buffer.put(part, x: rect.x, y: y, role: .muted, maxWidth: rect.width)
                        y += 1
                    }
                }
            })
        }
        let trace = self.trace(key, context)
        let targets = trace.entries.map { PaneCanvas<RowID>.Target(id: $0.id, title: Self.title(of: $0)) }
        let notes = Self.notes(trace, context.snapshot)
        return .canvas(PaneCanvas(targets: targets) { buffer, rect, selected, _ in
            Self.draw(trace, notes: notes, view: view, selected: selected, into: &buffer, rect: rect)
        })
    }

    /// What the trace cannot show, said plainly.
    static func notes(_ trace: Trace, _ snapshot: SystemSnapshot) -> [String] {
        var notes: [String] = []
        var legend = "tied by [$.path] of saga_key_paths · [text] in its JSON · [sender] a tied event sent it"
        // Said only when it is used: most traces have no such entry.
        if trace.entries.contains(where: { if case .saga = $0.tie { true } else { false } }) { legend += " · [saga] a tied saga's step sent it" }
        notes.append(legend + " · [window] meanwhile")
        if trace.total > trace.entries.count {
            notes.append("showing the newest \(trace.entries.count) of \(trace.total) entries")
        }
        if !snapshot.liveStream {
            notes.append("no live stream from this endpoint: events, messages and breaker changes are not known; sagas are from polling")
        } else {
            var held = "from the stream since the console attached: the newest \(snapshot.recentEvents.count) events"
            held += ", \(snapshot.recentMessages.messages.count) messages"
            if snapshot.recentMessages.evicted > 0 { held += " (\(snapshot.recentMessages.evicted) older let go)" }
            if snapshot.droppedEvents > 0 { held += "; \(snapshot.droppedEvents) frames dropped" }
            notes.append(held)
            if snapshot.recentMessages.changesSeen == 0 {
                notes.append("no message frames seen: a stack without the messages topic, or no message sent since attaching")
            }
        }
        return notes
    }

    static func title(of entry: Entry) -> String {
        switch entry.item {
        case .event(let event): event.detailType
        case .message(let message): "message " + short(message.id)
        case .saga(let saga): saga.execution.name
        case .breaker(let change): change.breaker
        }
    }

    /// Column of the time, then the kind, then what; continuation lines are indented past them.
    static let indent = 14

    static func draw(_ trace: Trace, notes: [String], view: ViewState, selected: RowID?, into buffer: inout CellBuffer, rect: Rect) {
        guard rect.width > 0, rect.height > 0 else { return }
        var header = "key \(trace.key) · \(trace.events) event\(trace.events == 1 ? "" : "s") · \(trace.messages) message\(trace.messages == 1 ? "" : "s")"
        header += " · \(trace.sagas) saga\(trace.sagas == 1 ? "" : "s") · \(trace.breakers) breaker change\(trace.breakers == 1 ? "" : "s")"
        var top = rect.y
        _ = buffer.put(header, x: rect.x, y: top, role: .title, maxWidth: rect.width)
        top += 1
        for note in notes where top < rect.maxY {
            _ = buffer.put(note, x: rect.x, y: top, role: .muted, maxWidth: rect.width)
            top += 1
        }
        guard top < rect.maxY else { return }
        if trace.entries.isEmpty {
            _ = buffer.put("Nothing held carries this key.", x: rect.x, y: top, role: .warn, maxWidth: rect.width)
            return
        }
        // Every entry's lines; the selected entry is kept on screen.
        var lines: [(text: String, role: Role, entry: Int)] = []
        var firstLine: [Int] = []
        for (index, entry) in trace.entries.enumerated() {
            firstLine.append(lines.count)
            for (text, role) in Self.lines(entry, unfolded: view.unfolded.contains(entry.id), width: rect.width) {
                lines.append((text, role, index))
            }
        }
        let selectedIndex = selected.flatMap { id in trace.entries.firstIndex { $0.id == id } } ?? 0
        let height = rect.maxY - top
        let start = firstLine[selectedIndex]
        let end = selectedIndex + 1 < firstLine.count ? firstLine[selectedIndex + 1] : lines.count
        // Scroll so the whole selected entry shows when it fits, its first line otherwise.
        let offset = end - start > height ? start : max(0, min(start, end - height))
        for (row, line) in lines.dropFirst(offset).prefix(height).enumerated() {
            let mark = line.entry == selectedIndex && firstLine[selectedIndex] == offset + row ? "▶ " : "  "
            let role: Role = line.entry == selectedIndex && firstLine[selectedIndex] == offset + row ? .selection : line.role
            _ = buffer.put(mark + line.text, x: rect.x, y: top + row, role: role, maxWidth: rect.width)
        }
    }

    /// The lines of one entry: a first line (time, kind, what, and what tied it, right-aligned
    /// when there is room), then its details indented.
    static func lines(_ entry: Entry, unfolded: Bool, width: Int) -> [(String, Role)] {
        let pad = String(repeating: " ", count: indent)
        func first(_ kind: String, _ what: String) -> String {
            // A whole-second time leaves its milliseconds blank rather than showing ".000".
            let time = entry.precise ? Self.clockMillis(entry.time) : Format.clock(entry.time) + "    "
            let head = time + " " + kind.padding(toLength: 7, withPad: " ", startingAt: 0) + " "
            let left = Sanitizer.sanitize(head + what)
            let tie = Sanitizer.sanitize("[" + entry.tie.text + "]")
            let room = width - 2 - DisplayWidth.of(left) - DisplayWidth.of(tie)
            // Right-aligned when it fits; else before what, so a narrow screen still says it.
            return room >= 2 ? left + String(repeating: " ", count: room) + tie : Sanitizer.sanitize(head) + tie + " " + Sanitizer.sanitize(what)
        }
        var out: [(String, Role)] = []
        switch entry.item {
        case .event(let event):
            out.append((first("EVENT", "\(event.eventBusName)  \(event.source)  \(event.detailType)"), event.hasFailedDelivery ? .error : .accent))
            out.append((pad + "rules " + (event.matchedRules.isEmpty ? "none matched" : event.matchedRules.joined(separator: ", ")),
                        event.matchedRules.isEmpty ? .warn : .text))
            for delivery in event.deliveries {
                let outcome = switch delivery.status {
                case .delivered: "✓ delivered"
                case .retrying: "retrying"
                case .deadLettered: "dead-lettered"
                case .failed: "✗ failed"
                }
                let role: Role = switch delivery.status {
                case .delivered: .ok
                case .retrying: .warn
                case .deadLettered, .failed: .error
                }
                out.append((pad + "→ \(delivery.rule) → \(Topology.shortName(ofArn: delivery.targetArn)) \(outcome)" + (delivery.error.map { ": " + $0 } ?? ""), role))
            }
            if unfolded { out += Format.prettyJSON(event.detail).map { (pad + $0, Role.text) } }
        case .message(let message):
            let sender = message.sender.map { "sent by \($0.rule) (event \(short($0.eventId)))" }
                ?? message.execution.map { "sent by saga step \($0.stateName) (\(short(Topology.shortName(ofArn: $0.executionArn))))" }
                ?? (message.body == nil ? "send not seen" : "sent directly")
            // Dead-lettered, expired, purged or deleted with its queue: it was never consumed.
            let ended = message.changes.last.map { $0.kind != .deleted && ($0.kind.ends || $0.kind == .deadLettered) } ?? false
            out.append((first("MESSAGE", "\(message.queue)  \(short(message.id))  \(sender)"), ended ? .error : .text))
            out.append((pad + message.changes.map(change).joined(separator: " · "), ended ? .warn : .muted))
            if unfolded {
                if let body = message.body {
                    if let value = try? JSONValue(parsing: body) {
                        out += Format.prettyJSON(value).map { (pad + $0, Role.text) }
                    } else {
                        out.append((pad + body, .text))
                    }
                    if message.truncated { out.append((pad + "(the first 16 KiB of \(message.bodySize ?? 0) bytes)", .muted)) }
                } else {
                    out.append((pad + "body not known: its send happened before the console attached", .muted))
                }
            }
        case .saga(let saga):
            let e = saga.execution
            let duration = SagaDuration.text(saga.age(now: e.stopDate ?? saga.spans.lastEvent ?? e.startDate))
            out.append((first("SAGA", "\(e.stateMachineName)  \(short(e.name))  \(saga.status.rawValue) \(duration)"), SagasPane.role(saga.status)))
            let spans = saga.spans.spans
            if spans.isEmpty {
                out.append((pad + (saga.historyProblem ?? "history not read yet"), .muted))
            } else if unfolded {
                // The Sagas pane's state spans, one line each, in the timeline's order.
                for index in saga.spans.treeOrder {
                    let span = spans[index]
                    let depth = String(repeating: "  ", count: span.depth)
                    let took = span.exited.map { SagaDuration.text($0.timeIntervalSince(span.entered)) } ?? "…"
                    let retries = span.retries.isEmpty ? "" : "  \(span.retries.count) retr\(span.retries.count == 1 ? "y" : "ies")"
                    let error = span.error.map { "  " + $0 } ?? ""
                    out.append((pad + Self.clockMillis(span.entered) + " " + depth + span.name + "  " + outcome(span) + " " + took + retries + error,
                                span.outcome == .failed ? .error : (saga.compensation.contains(span.name) ? .warn : .text)))
                }
            } else {
                let path = saga.spans.treeOrder.filter { spans[$0].depth == 0 }.map { spans[$0].name + " " + outcome(spans[$0]) }
                out.append((pad + path.joined(separator: " → ") + "   (Enter: timeline)", saga.status.isFailure ? .warn : .muted))
            }
        case .breaker(let change):
            let t = change.transition
            out.append((first("BREAKER", change.breaker.replacingOccurrences(of: "/", with: " → ") + "  \(t.from.rawValue) → \(t.to.rawValue)"),
                        t.to == .closed ? .ok : .warn))
            if !t.reason.isEmpty { out.append((pad + t.reason, .muted)) }
        }
        return out
    }

    static func outcome(_ span: StateSpan) -> String {
        switch span.outcome {
        case .succeeded: "✓"
        case .failed: "✗"
        case .running: "…"
        }
    }

    static func change(_ change: QueueMessage.Change) -> String {
        let at = Self.clockMillis(change.at)
        switch change.kind {
        case .sent: return "sent \(at)"
        case .received:
            let count = change.receiveCount ?? 1
            return (count > 1 ? "retried (receive \(count))" : "received") + " \(at)"
        case .deleted: return "deleted (consumed) \(at)"
        case .deadLettered: return "moved to DLQ \(change.deadLetterQueue ?? "?") \(at)"
        case .expired: return "expired \(at)"
        case .moved: return "redriven to \(change.toQueue ?? "?") as \(short(change.toMessageId ?? "?")) \(at)"
        case .purged: return "purged with \(change.queue) \(at)"
        case .queueDeleted: return "gone with its queue \(change.queue) (deleted) \(at)"
        }
    }

    /// `HH:MM:SS.mmm` in UTC.
    static func clockMillis(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let inDay = ((millis % 86_400_000) + 86_400_000) % 86_400_000
        let ms = inDay % 1000
        return Format.clock(date) + "." + (ms < 10 ? "00" : ms < 100 ? "0" : "") + String(ms)
    }

    /// An id's first 8 characters: enough to tell entries apart on screen.
    static func short(_ id: String) -> String { id.count > 12 ? String(id.prefix(8)) + "…" : id }

    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 8 else { return [text] }
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, DisplayWidth.of(line) + 1 + DisplayWidth.of(String(word)) > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    func traceKey(for subject: TraceSubject, _ context: PaneContext) -> Result<String, TraceRefusal>? {
        key(for: subject, context)
    }

    func argumentCompletions(_ context: PaneContext) -> [String] {
        Self.knownKeys(context.snapshot, settings: settings, now: context.now)
    }

    /// How many of the newest events and messages a completion reads keys from, so that a Tab
    /// press does bounded work however full the ring is (each message body read is parsed).
    static let completionEventScan = 2_000
    static let completionMessageScan = 300

    /// The business keys the console holds, each once, the most recently seen first: those
    /// of the sagas listed (by start), of the newest events and of the newest messages' bodies,
    /// read at `saga_key_paths` as the trace reads them.
    static func knownKeys(_ snapshot: SystemSnapshot, settings: SagaSettings, now: Date) -> [String] {
        var seen: [String: Date] = [:]
        func note(_ key: String?, _ at: Date) {
            guard let key, !key.isEmpty else { return }
            if let held = seen[key], held >= at { return }
            seen[key] = at
        }
        for saga in SagaBoard.of(snapshot, settings: settings, now: now).sagas {
            note(saga.businessKey, saga.execution.startDate)
        }
        let events = snapshot.recentEvents
        for index in stride(from: events.count - 1, through: max(0, events.count - completionEventScan), by: -1) {
            note(key(ofEvent: events[index], settings), events[index].time)
        }
        let messages = snapshot.recentMessages.messages
        for index in stride(from: messages.count - 1, through: max(0, messages.count - completionMessageScan), by: -1) {
            let message = messages[index]
            guard let body = message.body, let at = message.changes.first?.at, let value = try? JSONValue(parsing: body) else { continue }
            note(BusinessKey.locate(in: value, paths: settings.keyPaths)?.key, at)
        }
        return seen.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }

    func detail(of row: RowID, _ context: PaneContext) -> [DetailLine]? {
        let key = context.filter
        guard !key.isEmpty, let entry = trace(key, context).entries.first(where: { $0.id == row }) else { return nil }
        return Self.lines(entry, unfolded: true, width: 200).map { ($0.0.trimmingCharacters(in: .whitespaces), $0.1) }
    }
}

/// What a row of another pane is, for `t`: the Trace pane reads its business key.
public enum TraceSubject: Sendable, Hashable {
    case event(id: String)
    case queue(arn: String)
    case execution(arn: String)
}

/// Why a row has no key to trace.
public struct TraceRefusal: Error, Sendable, Hashable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

extension PaneID {
    public static let trace = PaneID("trace")
}

extension FlowsPane {
    func traceSubject(of row: RowID, _ context: PaneContext) -> TraceSubject? { .event(id: row.id) }
}

extension QueuesPane {
    func traceSubject(of row: String, _ context: PaneContext) -> TraceSubject? { .queue(arn: row) }
}

extension SagasPane {
    func traceSubject(of row: String, _ context: PaneContext) -> TraceSubject? { .execution(arn: row) }
}
