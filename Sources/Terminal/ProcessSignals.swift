#if canImport(Glibc)
import Glibc
#endif

/// Names of the termination signals the console handles, for messages and exit codes.
public enum ProcessSignals {
    public static let terminating: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(signal)"
        }
    }
}
