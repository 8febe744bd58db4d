import JSON

extension FrameReader {
    /// The execution an `executions` frame whose `data` object is at `data` is about, if its
    /// three members are strings (what `ExecutionIdentity` reads).
    static func executionIdentity(in document: JSONDocument, data: Int32) -> ExecutionIdentity? {
        let f = fields
        guard let arn = string(document, data, f.runArn), let machine = string(document, data, f.runMachineArn),
              let name = string(document, data, f.runName) else { return nil }
        return ExecutionIdentity(executionArn: arn, stateMachineArn: machine, name: name)
    }

    /// The change of an `execution` frame whose `data` object is at `data`, if it is well
    /// formed: what `ExecutionChange(json:path:)` reads, member for member.
    static func executionChange(in document: JSONDocument, data: Int32) -> ExecutionChange? {
        let f = fields
        guard let execution = executionIdentity(in: document, data: data),
              let status = string(document, data, f.runStatus),
              let startDate = number(document, data, f.runStartDate), startDate.isFinite,
              let redriveCount = integer(document, data, f.runRedriveCount),
              let stopDate = optionalNumber(document, data, f.runStopDate),
              let error = optionalString(document, data, f.runError),
              let cause = optionalString(document, data, f.runCause)
        else { return nil }
        return ExecutionChange(execution: execution, status: status, startDate: startDate, redriveCount: redriveCount,
                               stopDate: stopDate, error: error, cause: cause)
    }

    /// The history event of a `history` frame whose `data` object is at `data`, if it is well
    /// formed. Only the event's own text is parsed into a `JSONValue` (the provider keeps it
    /// whole: inputs and outputs are shown); the frame around it is read from the document, so
    /// a history frame is no longer parsed a second time from its text.
    static func historyEvent(in document: JSONDocument, data: Int32) -> ExecutionHistoryEvent? {
        let f = fields
        guard let execution = executionIdentity(in: document, data: data),
              let status = string(document, data, f.runStatus),
              let slot = member(document, data, f.event, kind: .object),
              let text = document.text(of: slot),
              let event = try? JSONValue(parsing: text)
        else { return nil }
        return ExecutionHistoryEvent(execution: execution, status: status, event: event)
    }
}
