import Foundation
import JSON
import Patterns
import Provider
import SagaTimeline
import StatesLanguage
import Terminal

/// The live tail of the buses' events, newest last, as `aws logs tail --follow` and k9s' log
/// view show them: it follows the newest event until the operator pauses (`space`) or moves
/// up; while paused the rows stay still and the title counts what arrived since; `G` goes back
/// to live. The rows are the provider's ring (`tail_buffer` events), so the operator scrolls
/// back through all of them. `/` takes a substring, or an EventBridge pattern (`{…}`) matched
/// against each event's envelope.
struct FlowsPane: Pane {
    /// An event of the ring: its place in arrival order (which finds it in the ring at once)
    /// and its id.
    struct RowID: Hashable, Sendable {
        var sequence: Int
        var id: String
    }

    struct ViewState: Hashable, Sendable {
        /// While paused: the sequence number of the newest event shown (nil: live).
        var pausedAt: Int?
        /// The JSON members (by path) folded in the event detail.
        var folded: Set<String> = []
    }

    let id = PaneID.flows
    let title = "Flows"
    let defaultKey: Key? = .character("2")
    let onDashboard = true
    let dataSections: Set<DataSection> = [.flows]
    let initialViewState = ViewState()
    let anchorsSelection = true
    /// Where the business key is read: the Sagas pane's `saga_key_paths`, applied to the envelope.
    let keyPaths: [JSONPath]

    init(settings: SagaSettings = SagaSettings()) {
        self.keyPaths = settings.keyPaths
    }

    var actions: [PaneAction<RowID, ViewState>] {
        [
            .view("tail-pause", [.character(" ")], "Tail: pause / resume (while paused the rows stay still)") { view, context in
                view.pausedAt = view.pausedAt == nil ? context.snapshot.recentEvents.nextSequence - 1 : nil
            },
            .move("tail-live", [.character("G"), .end], "Tail: jump to the newest event and follow (resumes)") { _, view, context in
                view.pausedAt = nil
                let tail = self.tail(context, view: view)
                return tail.rows.last.map { RowID(sequence: $0, id: context.snapshot.recentEvents[tail.index($0)].id) }
            },
            .detail("tail-fold", [.character("f"), .enter], "Event: fold / unfold the JSON object or array at the cursor") { row, view, context in
                fold(row, &view, context, all: false)
            },
            .detail("tail-fold-all", [.character("a")], "Event: fold / unfold every object and array of the envelope") { row, view, context in
                fold(row, &view, context, all: true)
            },
            .export("tail-copy", [.character("y")], "Copy the event as JSON to the terminal's clipboard (OSC 52)",
                    to: .clipboard) { row, context in event(row, context).map { Self.export($0, pretty: false) } },
            .export("tail-write", [.character("w")], "Write the event as JSON to a file (asks for the path)",
                    to: .file) { row, context in event(row, context).map { Self.export($0, pretty: true) } },
            .system("tail-replay", [.character("R")], "Replay the bus's archived events from this event on") { row, context in
                guard let event = event(row, context) else { return .nothing }
                guard let bus = context.snapshot.buses.first(where: { $0.name == event.eventBusName }) else {
                    return .refuse("bus \(event.eventBusName) is not listed: nothing to replay into")
                }
                return ReplayOffer.decide(busArn: bus.arn, busName: bus.name, from: event.time, context)
            },
        ]
    }

    // MARK: filter

    func filterProblem(_ text: String) -> String? {
        Matcher(text, keyPaths: keyPaths).problem
    }

    /// A pattern filter is also the stream's subscription: the stack sends only matching events.
    func streamFilter(_ text: String) -> String? {
        guard case .pattern = Matcher(text, keyPaths: keyPaths).kind else { return nil }
        return text
    }

    // MARK: rows

    func body(_ context: PaneContext, view: ViewState) -> PaneBody<RowID> {
        let snapshot = context.snapshot
        let ring = snapshot.recentEvents
        let tail = tail(context, view: view)
        let sequences = tail.rows
        let keyPaths = keyPaths
        let throughTap = snapshot.tap != nil
        let rows = PaneRows<RowID>(count: sequences.count) { index in
            let event = ring[tail.index(sequences[index])]
            let (cells, roles) = Self.cells(event, keyPaths: keyPaths, throughTap: throughTap)
            return PaneRow(id: RowID(sequence: event.sequence, id: event.id), cells: cells, roles: roles, searchText: event.id)
        }
        // Narrow, the source goes first (the detail-type usually says where an event is from),
        // then the rules, the bus, the key.
        var table = PaneTable(columns: [Column("TIME", width: 12, priority: 1), Column("BUS", width: 8, flex: 1, priority: 3),
                                        Column("SOURCE", width: 10, flex: 2, priority: 5), Column("DETAIL-TYPE", width: 10, flex: 6, priority: 0),
                                        Column("KEY", width: 8, flex: 1, priority: 2), Column("RULES", width: 8, flex: 2, priority: 4),
                                        Column("OUTCOME", width: 9, flex: 1, priority: 0)],
                              rows: rows, emptyMessage: Self.emptyMessage(snapshot),
                              summary: summary(snapshot, tail: tail, view: view, filter: context.filter))
        table.filteredByPane = true
        table.strip = Self.tapLines(snapshot) + ReplayOffer.lines(snapshot, now: context.now)
            + Self.ratesStrip(snapshot, now: context.now, memory: context.memory)
        table.locate = { row in
            // Rows are in sequence order: a binary search, never a scan.
            var (low, high) = (0, sequences.count)
            while low < high {
                let middle = (low + high) / 2
                if sequences[middle] < row.sequence { low = middle + 1 } else { high = middle }
            }
            return low < sequences.count && sequences[low] == row.sequence ? low : nil
        }
        return .table(table)
    }

    /// `3,412 events · live`, `PAUSED · 17 new · G: live`, with what was evicted or dropped.
    private func summary(_ snapshot: SystemSnapshot, tail: TailRows, view: ViewState, filter: String) -> String? {
        let ring = snapshot.recentEvents
        if ring.isEmpty && snapshot.droppedEvents == 0 { return nil }
        var parts: [String]
        if view.pausedAt != nil {
            parts = ["PAUSED · \(tail.new) new · space resumes, G: live"]
        } else {
            parts = ["\(tail.rows.count) event\(tail.rows.count == 1 ? "" : "s")" + (filter.isEmpty ? "" : " match") + " · live"]
        }
        if let problem = tail.problem { parts.append(problem) }
        if streamFilter(filter) != nil {
            // Said plainly: the events held from before the filter were matched here.
            parts.append(snapshot.eventsFilteredOnStack == filter ? "filtered on the stack"
                         : snapshot.liveStream ? "filtered here; the stack has not confirmed the pattern yet"
                         : "filtered here (no live stream to filter at the source)")
        }
        if ring.evicted > 0 {
            // Which bound let them go: the count (`tail_buffer`), or the bytes (large events).
            let bound = ring.count >= ring.capacity ? "tail_buffer \(ring.capacity)" : "\(ring.byteLimit >> 20) MB of events at most"
            parts.append("\(ring.evicted) older evicted (\(bound))")
        }
        if snapshot.droppedEvents > 0 { parts.append("\(snapshot.droppedEvents) dropped (viewer fell behind)") }
        return parts.joined(separator: " · ")
    }

    // MARK: rates

    /// Bars per sparkline: 60 seconds, five to a bar (narrow enough for four outcomes on a
    /// 120-column tail).
    static let sparkWidth = 12
    /// The rate shown beside each sparkline is the mean of this many last seconds.
    static let rateSeconds = 10

    /// The rates strip: events a second per bus and per source (the busiest, the rest summed)
    /// and deliveries a second by outcome, each with its last minute as a sparkline. Counted by
    /// the provider from the stream's frames; marked `≥` while frames were dropped (events
    /// among them are not counted), and said to be unavailable without a stream.
    static func ratesStrip(_ snapshot: SystemSnapshot, now: Date) -> [DetailLine] {
        let rates = snapshot.rates.advanced(to: now)
        guard snapshot.liveStream || rates.latest != nil else {
            return [("RATES  unavailable without the live stream (the Signalbox stack's), which they are counted from", .muted)]
        }
        let atLeast = rates.dropped > 0 ? "≥" : ""
        func cell(_ name: String, _ series: [Int]) -> String {
            let recent = series.suffix(rateSeconds).reduce(0, +)
            return name + " " + atLeast + String(format: "%.1f", Double(recent) / Double(rateSeconds)) + "/s "
                + Format.sparkline(series, width: sparkWidth)
        }
        func line(_ label: String, _ key: (TrafficRates.Bucket) -> [String: Int], top: Int) -> String {
            let names = rates.busiest(key)
            guard !names.isEmpty else { return label + "none in the last minute" }
            var cells = names.prefix(top).map { name in cell(name.name, rates.series { key($0)[name.name] ?? 0 }) }
            let rest = Set(names.dropFirst(top).map(\.name))
            if !rest.isEmpty {
                cells.append(cell("\(rest.count) other\(rest.count == 1 ? "" : "s")",
                                  rates.series { bucket in key(bucket).reduce(0) { $0 + (rest.contains($1.key) ? $1.value : 0) } }))
            }
            return label + cells.joined(separator: "   ")
        }
        let outcomes: [(String, Delivery.Status)] = [("✓", .delivered), ("retrying", .retrying), ("dead-lettered", .deadLettered), ("✗", .failed)]
        let deliveries = "delivery  " + outcomes.map { name, status in cell(name, rates.series { $0.byOutcome[status] ?? 0 }) }
            .joined(separator: "   ")
        var caption = "RATES  last 60 s, \(60 / sparkWidth) s a bar · /s: mean of the last \(rateSeconds) s"
        if rates.dropped > 0 { caption += " · ≥: \(rates.dropped) frames dropped in the window, not counted" }
        if let pattern = snapshot.eventsFilteredOnStack { caption += " · only events matching " + pattern }
        return [(caption, .muted), (line("bus       ", \.byBus, top: 2), .text), (line("source    ", \.bySource, top: 3), .text),
                (deliveries, .text)]
    }

    /// `ratesStrip` as last built while everything it reads is the same (the rates moved on to
    /// `now`, whether the stream is live, the stack's filter): the tail's body is built several
    /// times a snapshot, and the strip's text changes at most once a second.
    static func ratesStrip(_ snapshot: SystemSnapshot, now: Date, memory: PaneMemory?) -> [DetailLine] {
        let key = RatesKey(rates: snapshot.rates.advanced(to: now), liveStream: snapshot.liveStream,
                           filteredOnStack: snapshot.eventsFilteredOnStack)
        if let kept = memory?.value(for: ratesMemoID, as: RatesMemo.self), kept.key == key { return kept.lines }
        let lines = ratesStrip(snapshot, now: now)
        memory?.set(RatesMemo(key: key, lines: lines), for: ratesMemoID)
        return lines
    }

    private struct RatesKey: Hashable, Sendable {
        var rates: TrafficRates
        var liveStream: Bool
        var filteredOnStack: String?
    }

    private struct RatesMemo: Sendable {
        var key: RatesKey
        var lines: [DetailLine]
    }

    private static let ratesMemoID = PaneID("flows.rates")

    /// The cells of one event's row, each outside string sanitised by the buffer when drawn.
    /// Read through a tap, an event's rules and outcome are not known: `?`, not "unmatched".
    static func cells(_ event: FlowEvent, keyPaths: [JSONPath], throughTap: Bool = false) -> (cells: [String], roles: [Role]) {
        let outcome = throughTap ? ("?", Role.muted) : Self.outcome(event)
        let rules = throughTap ? "?" : event.matchedRules.isEmpty ? "unmatched" : event.matchedRules.joined(separator: ",")
        // A replayed event (EventBridge adds `replay-name` to its envelope) is marked: it happened before.
        let detailType = event.envelope["replay-name"] == nil ? event.detailType : "⟲ " + event.detailType
        return ([Format.clockMilliseconds(event.time), event.eventBusName, event.source, detailType,
                 BusinessKey.find(in: event.envelope, paths: keyPaths) ?? "-", rules, outcome.0],
                [.muted, .muted, .accent, .text, .accent, throughTap ? .muted : event.matchedRules.isEmpty ? .warn : .text, outcome.1])
    }

    /// An empty tail still says what it is read through (the strip is not drawn without rows).
    static func emptyMessage(_ snapshot: SystemSnapshot) -> String {
        if let tap = snapshot.tap {
            return "No events yet through tap \(tap.ruleName) (queue \(tap.queueName)). Waiting for traffic…"
        }
        if let absent = snapshot.liveStreamAbsent {
            return "No live stream (\(absent)): events cannot be read back · :tap tails it through a tap"
        }
        return "No events yet. Waiting for traffic…"
    }

    /// What the tail is read through when the endpoint has no live stream: the tap, what it
    /// costs and what it cannot show; or that there is none, and how to open one. Nothing when
    /// the stream is up or not known to be absent.
    static func tapLines(_ snapshot: SystemSnapshot) -> [DetailLine] {
        if let tap = snapshot.tap {
            let buses = tap.buses.count == 1 ? "bus " + tap.buses[0] : "\(tap.buses.count) buses (\(tap.buses.joined(separator: ", ")))"
            var lines: [DetailLine] = [
                ("TAP  \(tap.ruleName) on \(buses) → queue \(tap.queueName) · costs \(tap.buses.count) rule\(tap.buses.count == 1 ? "" : "s") and "
                 + "\(tap.requestsLastMinute) SQS requests in the last minute (3 a minute idle, ~2 per 10 events) · removed on exit", .accent),
                ("     matched rules and delivery outcomes are not visible through a tap" + (tap.buses.count > 1 ? "; nor which bus an event came through" : ""),
                 .muted),
            ]
            if let problem = tap.problem { lines.append(("     tap: " + problem, .error)) }
            return lines
        }
        if let absent = snapshot.liveStreamAbsent {
            return [("NO LIVE STREAM  \(absent): events cannot be read back through its APIs · :tap tails it through a tap", .warn)]
        }
        return []
    }

    /// The delivery outcome cell: the worst delivery first, by symbol and word, so it reads
    /// without colour (NO_COLOR, the mono theme).
    static func outcome(_ event: FlowEvent) -> (text: String, role: Role) {
        let deliveries = event.deliveries
        if let failed = deliveries.first(where: { $0.status == .failed }) {
            return ("✗ " + Topology.shortName(ofArn: failed.targetArn), .error)
        }
        if let dead = deliveries.first(where: { $0.status == .deadLettered }) {
            return ("dead-lettered " + Topology.shortName(ofArn: dead.targetArn), .error)
        }
        if let retrying = deliveries.first(where: { $0.status == .retrying }) {
            return ("retrying " + Topology.shortName(ofArn: retrying.targetArn), .warn)
        }
        if !deliveries.isEmpty { return (deliveries.count == 1 ? "✓" : "✓ \(deliveries.count)", .ok) }
        return ("-", .muted)
    }

    // MARK: which events are rows

    /// The events the tail shows: sequence numbers, ascending.
    struct TailRows {
        var rows: [Int]
        /// Events (matching the filter) that arrived after the pause.
        var new: Int
        /// Why the filter matches nothing (an invalid pattern), when it cannot be applied.
        var problem: String?
        let firstSequence: Int

        func index(_ sequence: Int) -> Int { sequence - firstSequence }
    }

    /// The rows for the ring in `context`: those matching the filter, up to the pause.
    func tail(_ context: PaneContext, view: ViewState) -> TailRows {
        let ring = context.snapshot.recentEvents
        let matched = matching(context)
        let upTo = view.pausedAt ?? Int.max
        let shown = matched.sequences.prefix { $0 <= upTo }
        return TailRows(rows: Array(shown), new: matched.sequences.count - shown.count, problem: matched.problem,
                        firstSequence: ring.firstSequence)
    }

    /// The ring's events matching the pane's filter. Remembered between frames (the pane's
    /// memory): a new frame matches only the events that arrived since, not all 10,000.
    private func matching(_ context: PaneContext) -> FilterMemo {
        let ring = context.snapshot.recentEvents
        let filter = context.filter
        var memo = context.memory?.value(for: Self.memoID, as: FilterMemo.self) ?? FilterMemo(filter: filter)
        // Another filter, or a ring that is not the one remembered (it went back): start again.
        if memo.filter != filter || memo.scanned > ring.nextSequence || memo.capacity != ring.capacity {
            memo = FilterMemo(filter: filter)
        }
        memo.capacity = ring.capacity
        let firstHeld = ring.firstSequence
        if let drop = memo.sequences.firstIndex(where: { $0 >= firstHeld }) {
            if drop > 0 { memo.sequences.removeFirst(drop) }
        } else {
            memo.sequences.removeAll()
        }
        let matcher = Matcher(filter, keyPaths: keyPaths)
        memo.problem = matcher.problem
        for sequence in max(memo.scanned, firstHeld)..<ring.nextSequence {
            let event = ring[sequence - firstHeld]
            if matcher.matches(event) { memo.sequences.append(sequence) }
        }
        memo.scanned = ring.nextSequence
        context.memory?.set(memo, for: Self.memoID)
        return memo
    }

    private static let memoID = PaneID("flows.filter")

    private struct FilterMemo: Sendable {
        var filter: String
        var capacity = 0
        /// Every event numbered below this has been matched.
        var scanned = 0
        var sequences: [Int] = []
        var problem: String?
    }

    /// The `/` filter: an EventBridge pattern when it starts with `{`, else a substring of the
    /// row's cells or the event id.
    struct Matcher {
        enum Kind {
            case all
            case substring(String)
            case pattern(EventPattern)
            case invalid
        }
        let kind: Kind
        let keyPaths: [JSONPath]
        var problem: String?

        init(_ filter: String, keyPaths: [JSONPath]) {
            self.keyPaths = keyPaths
            if filter.isEmpty {
                kind = .all
            } else if filter.hasPrefix("{") {
                do {
                    kind = .pattern(try EventPattern(parsing: filter))
                } catch {
                    kind = .invalid
                    problem = "invalid pattern: " + error.message
                }
            } else {
                kind = .substring(filter)
            }
        }

        func matches(_ event: FlowEvent) -> Bool {
            switch kind {
            case .all: return true
            case .invalid: return false
            case .pattern(let pattern): return pattern.matches(event.envelope)
            case .substring(let text):
                let row = PaneRow(id: event.id, cells: FlowsPane.cells(event, keyPaths: keyPaths).cells, roles: [])
                return row.matches(text)
            }
        }
    }

    // MARK: detail

    /// One line of an event's detail; `fold` is the JSON container `f` folds there.
    struct DetailRow {
        var text: String
        var role: Role
        var fold: String?
    }

    /// The event's fields, each delivery with its target, outcome and error (and, for a queue,
    /// what became of the message it sent, when the stream told), then the envelope as JSON
    /// with the `folded` members folded.
    func detailRows(_ e: FlowEvent, folded: Set<String>, messages: RecentMessages = RecentMessages()) -> [DetailRow] {
        var rows: [DetailRow] = [
            .init(text: "id           " + e.id, role: .text), .init(text: "time         " + Format.clockMilliseconds(e.time) + " UTC", role: .text),
            .init(text: "bus          " + e.eventBusName, role: .text), .init(text: "source       " + e.source, role: .accent),
            .init(text: "detail-type  " + e.detailType, role: .text),
            .init(text: "key          " + (BusinessKey.find(in: e.envelope, paths: keyPaths)
                                           ?? "- (none at " + keyPaths.map(\.text).joined(separator: ", ") + ")"), role: .text),
            .init(text: "rules        " + (e.matchedRules.isEmpty ? "none matched" : e.matchedRules.joined(separator: ", ")), role: .text),
        ]
        for d in e.deliveries {
            let role: Role = switch d.status {
            case .delivered: .ok
            case .retrying: .warn
            case .deadLettered, .failed: .error
            }
            let outcome = d.status == .delivered ? "✓ delivered" : d.status == .failed ? "✗ failed" : d.status.rawValue
            rows.append(.init(text: "delivery     \(d.rule) → \(Topology.shortName(ofArn: d.targetArn)): \(outcome)"
                                    + (d.error.map { " (" + $0 + ")" } ?? ""), role: role))
            guard d.targetArn.hasPrefix("arn:aws:sqs:"), messages.changesSeen > 0 else { continue }
            for message in messages.messages where message.sender.map({ $0.eventId == e.id && $0.rule == d.rule && $0.targetId == d.targetId }) == true {
                guard let last = message.changes.last else { continue }
                let unconsumed = last.kind != .deleted && (last.kind.ends || last.kind == .deadLettered)
                rows.append(.init(text: "  message    \(TracePane.short(message.id)): " + TracePane.change(last), role: unconsumed ? .warn : .muted))
            }
        }
        rows.append(.init(text: "", role: .text))
        rows.append(.init(text: "envelope  (f or Enter folds · a folds all · y copies · w writes)", role: .title))
        rows += FoldableJSON.lines(e.envelope, folded: folded).map { DetailRow(text: $0.text, role: .text, fold: $0.container) }
        return rows
    }

    private func event(_ row: RowID, _ context: PaneContext) -> FlowEvent? {
        let ring = context.snapshot.recentEvents
        return ring.index(ofSequence: row.sequence).map { ring[$0] }
    }

    func detail(of row: RowID, _ context: PaneContext) -> [DetailLine]? {
        event(row, context).map { detailRows($0, folded: [], messages: context.snapshot.recentMessages).map { ($0.text, $0.role) } }
    }

    /// The detail with a cursor line: j/k walk the lines, `f` folds the object or array the
    /// cursor is in.
    func detailCanvas(of row: RowID, _ context: PaneContext, view: ViewState) -> DetailCanvas? {
        guard let e = event(row, context) else { return nil }
        let rows = detailRows(e, folded: view.folded, messages: context.snapshot.recentMessages)
        return DetailCanvas(positions: rows.count) { buffer, rect, cursor in
            let cursor = min(cursor, rows.count - 1)
            let offset = max(0, min(cursor - rect.height / 2, rows.count - rect.height))
            for (i, line) in rows.dropFirst(offset).prefix(rect.height).enumerated() {
                let selected = offset + i == cursor
                if selected { buffer.fill(Rect(x: rect.x - 1, y: rect.y + i, width: rect.width + 2, height: 1), role: .selection) }
                buffer.put(line.text, x: rect.x, y: rect.y + i, role: selected ? .selection : line.role, maxWidth: rect.width)
            }
        }
    }

    /// Folds (or unfolds) the JSON container at `cursor`; returns where the cursor goes: the
    /// container's first line.
    func fold(_ row: RowID?, _ view: inout ViewState, _ context: PaneContext, all: Bool) -> Int? {
        guard let row, let e = event(row, context) else { return nil }
        let before = detailRows(e, folded: view.folded, messages: context.snapshot.recentMessages)
        let cursor = min(context.detailCursor ?? 0, before.count - 1)
        let path: String
        if all {
            // Every member folded but the document itself; again: all open.
            let containers = Set(FoldableJSON.containers(e.envelope).dropFirst())
            view.folded = containers.isSubset(of: view.folded) ? [] : containers
            path = before[cursor].fold ?? ""
        } else {
            guard let container = before[cursor].fold else { return nil }
            path = container
            if view.folded.remove(path) == nil { view.folded.insert(path) }
        }
        // The cursor goes to the line that opens the container folded, or the nearest open one.
        let after = detailRows(e, folded: view.folded, messages: context.snapshot.recentMessages)
        var target = path
        while true {
            if let index = after.firstIndex(where: { $0.fold == target && $0.text.contains(where: { "{[".contains($0) }) }) {
                return index
            }
            guard let slash = target.lastIndex(of: "/") else { return after.firstIndex { $0.fold != nil } }
            target = String(target[..<slash])
        }
    }

    /// The event as JSON: its envelope, compact for the clipboard, indented for a file.
    static func export(_ e: FlowEvent, pretty: Bool) -> PaneExport {
        let safe = String(e.id.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        }.prefix(80))
        return PaneExport(what: "event " + e.id, text: pretty ? e.envelope.serialized(indent: 2) + "\n" : e.envelope.serialized,
                          fileName: "event-" + (safe.isEmpty ? "unnamed" : safe) + ".json")
    }
}

extension PaneID {
    public static let flows = PaneID("flows")
}
