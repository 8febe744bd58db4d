import StackProtocol
import Wire

/// Why a call failed, split the way a caller acts on it: the service said no (an AWS error it
/// can match on `code`), or the call never got an answer (retry or report "unreachable").
public enum StackClientError: Error, Sendable, CustomStringConvertible {
    /// The endpoint answered with an error in AWS's shape.
    case service(AWSError)
    /// No answer: connection refused or reset, timeout, TLS.
    case transport(String)
    /// An answer that is not what the protocol promises (not JSON, wrong top level).
    case badResponse(String)
    /// The endpoint itself cannot be used (not a URL).
    case invalidEndpoint(String)
    /// No keys to sign with: a missing profile, an expired SSO token, a refused AssumeRole.
    /// The text says what to do (`run 'aws sso login --profile dev'`).
    case credentials(String)
    /// The endpoint does not serve this Signalbox extension (AWS, moto, an older stack).
    case noExtension(NoExtension)

    /// The AWS error code when the service answered with one.
    public var code: String? {
        if case .service(let error) = self { return error.queryCode ?? error.code }
        return nil
    }

    public var description: String {
        switch self {
        case .service(let error): error.description
        case .transport(let why): "no answer: \(why)"
        case .badResponse(let why): "unexpected answer: \(why)"
        case .invalidEndpoint(let why): "invalid endpoint: \(why)"
        case .credentials(let why): "credentials: \(why)"
        case .noExtension(let absence): absence.description
        }
    }
}
