import StackClient

/// Why the demo could not start or stopped: a bad argument, or an endpoint that refused
/// part of the setup (the message names the step and the endpoint's answer).
public enum DemoError: Error, Sendable, CustomStringConvertible {
    case invalidArgument(String)
    case setup(step: String, StackClientError)
    case unexpected(String)

    public var description: String {
        switch self {
        case .invalidArgument(let why): why
        case .setup(let step, let error): "setup failed at \(step): \(error)"
        case .unexpected(let why): why
        }
    }
}
