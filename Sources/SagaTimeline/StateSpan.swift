import Foundation
import JSON
import Provider

/// One state the execution entered, from its `…StateEntered` to its `…StateExited` event: one
/// row of the Gantt chart.
public struct StateSpan: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case succeeded
        /// The state's work failed (the failure may have been caught).
        case failed
        /// Entered and not exited yet.
        case running
    }

    /// What a running state is waiting on, drawn apart from working.
    public enum Waiting: Sendable, Hashable {
        /// A `.waitForTaskToken` task: nothing happens until SendTask* presents the token.
        case callback
        /// An activity scheduled that no worker has picked up.
        case worker
        /// A Wait state, until the time given when the definition says.
        case timer(until: Date?)
    }

    /// The state's name, sanitised by the drawing code, not here.
    public var name: String
    /// `Task`, `Parallel`, `Map`, … from the event type.
    public var type: String
    /// Index of the enclosing Parallel or Map span in the execution's spans.
    public var parent: Int?
    /// Depth of nesting (0 for the machine's own states).
    public var depth: Int
    /// The Map iteration the state ran in, when the history says (`MapIterationStarted`).
    public var iteration: Int?
    public var entered: Date
    public var exited: Date?
    public var outcome: Outcome
    /// When each attempt of the state's work was scheduled; more than one means retries.
    public var attempts: [Date]
    public var waiting: Waiting?
    /// The last event that concerned this state.
    public var lastEvent: Date
    public var enteredEventId: Int
    public var exitedEventId: Int?
    /// Text as the history carries it; nil when absent.
    public var input: String?
    public var output: String?
    public var parameters: String?
    public var resource: String?
    public var error: String?
    public var cause: String?
    /// A task token found in the state's parameters (`$$.Task.Token` passed to a worker).
    public var taskToken: String?
    /// Payload fields the provider cut, with their full size in bytes.
    public var clipped: [String: Int] = [:]
    /// `TimeoutSeconds` / `HeartbeatSeconds` the history's scheduling event states.
    public var timeoutSeconds: Double?
    public var heartbeatSeconds: Double?

    /// Retries: every attempt after the first.
    public var retries: [Date] { Array(attempts.dropFirst()) }

    /// How long the state ran, or has run until `now`.
    public func duration(now: Date) -> TimeInterval { (exited ?? now).timeIntervalSince(entered) }
}
