#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// Retry and Catch: an error in a state, a run or the whole execution.
extension Execution {
    /// An error in the current state: the first matching Retrier (while it has attempts left),
    /// else the first matching Catcher, else the run fails.
    mutating func fail(run: Int, _ error: StatesError) {
        guard runs[run].status == .running else { return }
        let state = definition.states[runs[run].stateName]!
        var error = error
        if error.wantsStatePrefix {
            error.wantsStatePrefix = false
            let entered = runs[run].enteredEventId.map { " (entered at the event id #\($0))" } ?? ""
            error.cause = "An error occurred while executing the state '\(state.name)'\(entered). " + (error.cause ?? "")
        }
        if let index = state.retry.firstIndex(where: { error.matches($0.errorEquals) }) {
            let retrier = state.retry[index]
            let attempt = runs[run].retryAttempts[index]
            if attempt < retrier.maxAttempts {
                runs[run].retryAttempts[index] += 1
                var delay = retrier.delay(forAttempt: attempt)
                if retrier.jitter == .full { delay = Double(random.next() >> 11) / Double(1 << 53) * delay }
                if delay <= 0 {
                    runs[run].phase = .idle
                    agenda.append(.execute(run: run))
                } else {
                    runs[run].phase = .retryWait(timer: startTimer(run: run, purpose: .retry, seconds: delay))
                }
                return
            }
        }
        if let catcher = state.catchers.first(where: { error.matches($0.errorEquals) }) {
            do throws(StatesError) {
                try caught(run: run, state: state, catcher: catcher, error: error)
            } catch {
                failRun(run: run, error)
            }
            return
        }
        failRun(run: run, error)
    }

    mutating func failRun(run: Int, _ error: StatesError) {
        guard runs[run].status == .running else { return }
        runs[run].status = .failed
        runs[run].error = error
        guard let parent = runs[run].parent else {
            failExecution(error)
            return
        }
        childFailed(parent: parent, child: run, error: error)
    }

    mutating func failExecution(_ error: StatesError) {
        abortAll()
        var details = JSONObject()
        if !error.error.isEmpty { details["error"] = .string(error.error) }
        if let cause = error.cause { details["cause"] = .string(cause) }
        emit("ExecutionFailed", details, run: nil)
        finish(.failed, failure: error, outcome: .failed(error))
    }

    mutating func runSucceeded(run: Int, output: JSONValue) {
        runs[run].status = .succeeded
        runs[run].output = output
        guard let parent = runs[run].parent else {
            var details = JSONObject()
            details["output"] = .string(output.serialized)
            details["outputDetails"] = ["truncated": false]
            emit("ExecutionSucceeded", details, run: run)
            self.output = output
            finish(.succeeded, failure: nil, outcome: .succeeded(output: output))
            return
        }
        childSucceeded(parent: parent, child: run, output: output)
    }
}
