import Foundation
import JSON
import Provider
import SagaTimeline
import Terminal

/// The drill-down of one saga as a Gantt chart: one row per state entered, a bar from entered to
/// exited on a time axis fitted to the pane (zoom and pan from the view state), retries as ticks,
/// Map and Parallel children indented and foldable, waiting drawn apart from working; under it
/// the selected state's detail (input, output, parameters, error, cause as pretty JSON, the task
/// token). `t` shows the history as a table instead, `g` the definition's graph.
enum SagaTimelineView {
    static func canvas(_ saga: SagaAnalysis, view: SagasPane.ViewState, now: Date) -> DetailCanvas {
        let graph = view.mode == .graph ? SagaGraph(saga, now: now) : nil
        let positions = switch view.mode {
        case .gantt: rows(saga, folded: view.folded).count
        case .graph: max(1, graph?.order.count ?? 1)
        case .table: nil as Int?
        }
        return DetailCanvas(positions: positions) { buffer, rect, cursor in
            switch view.mode {
            case .gantt: drawGantt(saga, view: view, now: now, cursor: cursor, into: &buffer, rect: rect)
            case .table: drawLines(SagaDetail.lines(saga, now: now, states: false), cursor: cursor, into: &buffer, rect: rect)
            case .graph: SagaGraphView.draw(graph, saga: saga, view: view, now: now, cursor: cursor, into: &buffer, rect: rect)
            }
        }
    }

    /// Lines scrolled to `cursor`, with a position marker when they do not fit.
    static func drawLines(_ lines: [DetailLine], cursor: Int, into buffer: inout CellBuffer, rect: Rect) {
        let scroll = min(cursor, max(0, lines.count - rect.height))
        for (i, line) in lines.dropFirst(scroll).prefix(rect.height).enumerated() {
            buffer.put(line.text, x: rect.x, y: rect.y + i, role: line.role, maxWidth: rect.width)
        }
        if lines.count > rect.height {
            let label = " \(scroll + 1)-\(min(lines.count, scroll + rect.height)) of \(lines.count) "
            buffer.put(label, x: rect.maxX - DisplayWidth.of(label), y: rect.maxY, role: .muted)
        }
    }

    /// The rows shown: spans in tree order, leaving out what is inside a folded Parallel or Map
    /// state (`folded`: their entered events' ids).
    static func rows(_ saga: SagaAnalysis, folded: Set<Int>) -> [Int] {
        let spans = saga.spans.spans
        guard !folded.isEmpty else { return saga.spans.treeOrder }
        return saga.spans.treeOrder.filter { index in
            var parent = spans[index].parent
            while let at = parent {
                if folded.contains(spans[at].enteredEventId) { return false }
                parent = spans[at].parent
            }
            return true
        }
    }

    static func drawGantt(_ saga: SagaAnalysis, view: SagasPane.ViewState, now: Date, cursor: Int,
                          into buffer: inout CellBuffer, rect: Rect) {
        let e = saga.execution
        var y = rect.y
        var header = (saga.businessKey ?? e.name) + " · " + e.stateMachineName + " · " + saga.status.rawValue + " · "
            + (e.stopDate == nil ? "age " : "took ") + SagaDuration.text(saga.age(now: now)) + " · started " + SagaDetail.clock(e.startDate) + " UTC"
        if saga.businessKey != nil { header += " · " + e.name }
        buffer.put(header, x: rect.x, y: y, role: SagasPane.role(saga.status), maxWidth: rect.width)
        y += 1
        if let why = saga.stuckExplanation(now: now) {
            buffer.put("stuck: " + why, x: rect.x, y: y, role: .sagaStuck, maxWidth: rect.width)
            y += 1
        }
        if let problem = saga.historyProblem {
            buffer.put("history: " + problem, x: rect.x, y: y, role: .warn, maxWidth: rect.width)
            y += 1
        }
        if let note = saga.historyNote(now: now) {
            buffer.put("history: " + note, x: rect.x, y: y, role: .warn, maxWidth: rect.width)
            y += 1
        }
        if let problem = saga.definitionProblem {
            buffer.put("definition: " + problem + " (compensation not shown)", x: rect.x, y: y, role: .warn, maxWidth: rect.width)
            y += 1
        }
        let hint = "+/- zoom · h/l pan · f/a fold · e step · t history · g graph"
        let bottom = rect.maxY - 1
        buffer.put(hint, x: rect.x, y: bottom, role: .muted, maxWidth: rect.width)

        let rows = rows(saga, folded: view.folded)
        guard !rows.isEmpty else {
            buffer.put(saga.historyProblem != nil ? "No history shown: executions cannot be followed on this endpoint." : e.timeline.isEmpty ? "No history fetched yet." : "No state entered in the history held (t shows its events).",
                       x: rect.x, y: y + 1, role: .muted, maxWidth: rect.width)
            return
        }
        let selected = min(cursor, rows.count - 1)
        let span = saga.spans.spans[rows[selected]]
        if view.stepOnly {
            drawLines(stepLines(span, saga: saga, now: now, full: true), cursor: 0, into: &buffer,
                      rect: Rect(x: rect.x, y: y, width: rect.width, height: bottom - y))
            return
        }

        let available = bottom - y - 2  // the axis line and the separator
        let chartRows = max(1, min(rows.count, available - max(4, available / 2)))
        let spans = saga.spans.spans
        let nameWidth = min(max(12, rows.map { DisplayWidth.of(spans[$0].name) + 2 * spans[$0].depth + 2 }.max() ?? 12), max(12, rect.width / 4))
        let statsWidth = rect.width < 100 ? 13 : 18
        let barX = rect.x + nameWidth + 1
        let barWidth = max(4, rect.width - nameWidth - statsWidth - 2)
        let end = e.stopDate ?? saga.spans.spans.compactMap(\.exited).max().map { max($0, now) } ?? now
        let scale = GanttScale(from: e.startDate, to: e.stopDate ?? max(end, now), width: barWidth, zoom: view.zoom, pan: view.pan)

        // The axis: offsets from the start at the window's edges and quarters.
        buffer.put("STATE", x: rect.x, y: y, role: .title)
        var lastLabelEnd = barX - 1
        for quarter in 0...4 {
            let offset = scale.start.timeIntervalSince(e.startDate) + scale.span * Double(quarter) / 4
            let label = SagaDuration.text(offset)
            let column = min(barWidth - DisplayWidth.of(label), barWidth * quarter / 4)
            let x = barX + max(0, column)
            guard x > lastLabelEnd else { continue }
            buffer.put(label, x: x, y: y, role: .muted)
            lastLabelEnd = x + DisplayWidth.of(label)
        }
        let zoomText = scale.zoom == 0 ? "whole run" : "×\(1 << scale.zoom)"
        buffer.put(zoomText, x: rect.maxX - DisplayWidth.of(zoomText), y: y, role: .muted)
        y += 1

        let first = max(0, min(selected - chartRows + 1, rows.count - chartRows))
        for (i, index) in rows.dropFirst(first).prefix(chartRows).enumerated() {
            let row = spans[index]
            let isSelected = first + i == selected
            var name = String(repeating: "  ", count: row.depth)
            if row.isContainer { name += view.folded.contains(row.enteredEventId) ? "▸ " : "▾ " }
            if let iteration = row.iteration { name += "#\(iteration) " }
            name += row.name
            buffer.put(isSelected ? "›" : " ", x: rect.x - 1, y: y + i, role: .accent)
            buffer.put(name, x: rect.x, y: y + i, role: isSelected ? .selection : .text, maxWidth: nameWidth)
            let role = barRole(row, saga: saga)
            if let columns = scale.bar(from: row.entered, to: row.exited ?? now) {
                let waiting = row.waiting != nil
                buffer.put(String(repeating: waiting ? "░" : "█", count: columns.count), x: barX + columns.lowerBound, y: y + i, role: role)
            }
            for retry in row.retries {
                let column = scale.column(retry)
                if (0..<barWidth).contains(column) { buffer.put("↻", x: barX + column, y: y + i, role: .warn) }
            }
            var stats = SagaDuration.text(row.duration(now: now)) + (row.exited == nil ? "… " : " ") + mark(row)
            if !row.retries.isEmpty { stats += " ↻\(row.retries.count)" }
            if let run = mapRun(of: row, in: saga.execution), !run.unavailable {
                stats += " \(run.executions.succeeded)/\(run.executions.total)✓"
            }
            if saga.compensation.contains(row.name) { stats += " comp" }
            buffer.put(stats, x: barX + barWidth + 1, y: y + i, role: role, maxWidth: statsWidth)
        }
        y += chartRows
        buffer.horizontalLine(x: rect.x, y: y, width: max(0, rect.width - 24), role: .border)
        if rows.count > chartRows {
            let label = " \(first + 1)-\(first + chartRows) of \(rows.count) states "
            buffer.put(label, x: rect.maxX - DisplayWidth.of(label), y: y, role: .muted)
        }
        y += 1
        drawLines(stepLines(span, saga: saga, now: now, full: false), cursor: 0, into: &buffer,
                  rect: Rect(x: rect.x, y: y, width: rect.width, height: bottom - y))
    }

    static func mark(_ span: StateSpan) -> String {
        switch span.outcome {
        case .succeeded: "✓"
        case .failed: "✗"
        case .running: span.waiting == nil ? "▶" : "…"
        }
    }

    /// Running (stuck when the saga is), failed, compensation, succeeded: in that precedence.
    static func barRole(_ span: StateSpan, saga: SagaAnalysis) -> Role {
        switch span.outcome {
        case .running: saga.status == .stuck ? .sagaStuck : .sagaRunning
        case .failed: .sagaFailed
        case .succeeded: saga.compensation.contains(span.name) ? .sagaCompensating : .sagaSucceeded
        }
    }

    /// Most lines of one JSON payload shown under the chart; `e` shows them all.
    static let payloadLines = 6

    /// The selected state: when, how it ended, what it ran, its data.
    static func stepLines(_ span: StateSpan, saga: SagaAnalysis, now: Date, full: Bool) -> [DetailLine] {
        var head = span.name + " · " + span.type + " · entered " + SagaDetail.clock(span.entered)
        if let exited = span.exited { head += " · exited " + SagaDetail.clock(exited) }
        let outcome = switch span.outcome {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .running: "running"
        }
        head += " · " + SagaDuration.text(span.duration(now: now)) + " · " + outcome
        if saga.compensation.contains(span.name) { head += " · compensation" }
        var lines: [DetailLine] = [(head, barRole(span, saga: saga))]
        if let resource = span.resource { lines.append(("resource     " + resource, .text)) }
        switch span.waiting {
        case .callback?: lines.append(("waiting      for a callback: SendTaskSuccess / SendTaskFailure with its task token", .warn))
        case .worker?: lines.append(("waiting      for a worker to take the activity (GetActivityTask)", .warn))
        case .timer(let until)?: lines.append(("waiting      " + (until.map { "until " + SagaDetail.clock($0) } ?? "on a Wait state"), .warn))
        case nil: break
        }
        if let timeout = span.timeoutSeconds { lines.append(("timeout      \(StuckRules.number(timeout))s", .muted)) }
        if let heartbeat = span.heartbeatSeconds { lines.append(("heartbeat    \(StuckRules.number(heartbeat))s", .muted)) }
        if !span.retries.isEmpty {
            lines.append(("retries      \(span.retries.count): " + span.retries.map { "+" + SagaDuration.text($0.timeIntervalSince(span.entered)) }
                .joined(separator: ", "), .warn))
        }
        if let token = span.taskToken { lines.append(("task token   " + token, .accent)) }
        if let error = span.error { lines.append(("error        " + error, .error)) }
        if let cause = span.cause { lines += payload("cause", cause, clipped: span.clipped["error.cause"], full: full, role: .error) }
        lines += mapRunLines(span, execution: saga.execution, now: now, full: full)
        if let input = span.input { lines += payload("input", input, clipped: span.clipped["input"], full: full) }
        if let parameters = span.parameters, parameters != span.input {
            lines += payload("parameters", parameters, clipped: span.clipped["parameters.parameters"] ?? span.clipped["parameters.input"], full: full)
        }
        if let output = span.output { lines += payload("output", output, clipped: span.clipped["output.output"], full: full) }
        return lines
    }

    /// The Map Run a distributed Map state started (its latest, after retries): the
    /// `MapRunStarted` events between its entering and leaving, matched to the runs read.
    static func mapRun(of span: StateSpan, in execution: Execution) -> MapRun? {
        guard span.type == "Map", !execution.mapRuns.isEmpty else { return nil }
        let started = execution.timeline.last { entry in
            entry.type == "MapRunStarted" && entry.id > span.enteredEventId && entry.id < (span.exitedEventId ?? .max)
        }
        guard let arn = started?.details?["mapRunArn"]?.stringValue else { return nil }
        return execution.mapRuns.first { $0.arn == arn }
    }

    /// Most child executions listed under the chart; `e` lists the page read (up to 100).
    static let childLines = 5

    /// A distributed Map's Map Run: its status and counts as DescribeMapRun gives them, then its
    /// children as ListExecutions lists them (newest first), each with its status and time.
    static func mapRunLines(_ span: StateSpan, execution: Execution, now: Date, full: Bool) -> [DetailLine] {
        guard span.type == "Map" else { return [] }
        let named = execution.timeline.contains { $0.type == "MapRunStarted" && $0.id > span.enteredEventId && $0.id < (span.exitedEventId ?? .max) }
        guard named else { return [] }
        guard let run = mapRun(of: span, in: execution) else {
            return [("map run      not read yet (DescribeMapRun)", .muted)]
        }
        guard !run.unavailable else {
            return [("map run      " + run.arn + ": the endpoint does not describe it (DescribeMapRun)", .warn)]
        }
        func tally(_ counts: MapRun.Counts) -> String {
            var parts: [String] = []
            for (count, word) in [(counts.running, "running"), (counts.succeeded, "succeeded"), (counts.failed, "failed"),
                                  (counts.timedOut, "timed out"), (counts.aborted, "aborted"), (counts.pending, "pending")] where count > 0 {
                parts.append("\(count) \(word)")
            }
            return (parts.isEmpty ? "none" : parts.joined(separator: " · ")) + " · of \(counts.total)"
        }
        let role: Role = switch run.status {
        case "SUCCEEDED": .sagaSucceeded
        case "FAILED", "ABORTED": .sagaFailed
        default: .sagaRunning
        }
        var head = "map run      " + run.label + " · " + run.status
        if run.maxConcurrency > 0 { head += " · at most \(run.maxConcurrency) at once" }
        var lines: [DetailLine] = [(head, role), ("  items      " + tally(run.items), .text), ("  children   " + tally(run.executions), .text)]
        let shown = full ? run.children : Array(run.children.prefix(childLines))
        for child in shown {
            let mark = switch child.status {
            case .succeeded: "✓"
            case .running: "▶"
            default: "✗"
            }
            let took = SagaDuration.text((child.stopDate ?? now).timeIntervalSince(child.startDate))
            let childRole: Role = switch child.status {
            case .succeeded: .sagaSucceeded
            case .running: .sagaRunning
            default: .sagaFailed
            }
            lines.append(("  \(mark) " + child.name + " · " + child.status.rawValue + " · started " + SagaDetail.clock(child.startDate)
                          + (child.stopDate == nil ? " · age " : " · took ") + took, childRole))
        }
        // Pending children have not started: they are no executions yet, so none is listed.
        let listed = run.children.count, started = run.executions.total - run.executions.pending
        if shown.count < listed {
            lines.append(("  … \(listed - shown.count) more listed (e shows the whole step)", .muted))
        } else if listed < started {
            lines.append(("  the newest \(listed) of \(started) started children are listed (ListExecutions' first page)", .muted))
        }
        return lines
    }

    /// A payload as pretty JSON (or as text when it is not JSON), cut to `payloadLines` unless
    /// `full`; a payload the provider cut says how big it was.
    static func payload(_ label: String, _ text: String, clipped: Int?, full: Bool, role: Role = .text) -> [DetailLine] {
        var lines: [DetailLine] = []
        let title = label.padding(toLength: 13, withPad: " ", startingAt: 0)
        if let clipped {
            lines.append((title + "\(clipped / 1024) KB; the first \(TimelineEntry.payloadLimit / 1024) KB is held, shown as text", .warn))
            let shown = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            return lines + indent(shown, full: full, role: role)
        }
        guard let value = try? JSONValue(parsing: text), value.objectValue != nil || value.arrayValue != nil else {
            return [(title + text, role)]
        }
        lines.append((label, .title))
        return lines + indent(Format.prettyJSON(value), full: full, role: role)
    }

    static func indent(_ body: [String], full: Bool, role: Role) -> [DetailLine] {
        let kept = full ? body : Array(body.prefix(payloadLines))
        var lines = kept.map { (text: "  " + $0, role: role) }
        if kept.count < body.count { lines.append(("  … \(body.count - kept.count) more lines (e shows the whole step)", .muted)) }
        return lines
    }
}
