import Foundation
import StatesLanguage

/// The operator's saga settings (`config.toml`: `saga_key_paths`, `saga_stuck_factor`,
/// `saga_stuck_silence_s`): where an execution's business key is read, and when a running saga
/// counts as stuck.
public struct SagaSettings: Sendable, Hashable {
    /// JSONPaths tried in order on the execution's input; the first that selects a string or a
    /// number is the business key.
    public var keyPaths: [JSONPath]
    /// Rule (b): stuck after this many times the p99 of the state's recent durations.
    public var stuckFactor: Double
    /// Rule (c): stuck after this long without a history event.
    public var silence: TimeInterval
    /// Rule (b) reads the p99 of at most this many recent durations of the same state.
    public var sampleWindow: Int
    /// Rule (b) needs at least this many durations before it judges (a p99 of three runs is noise).
    public var minimumSamples: Int

    public static let defaultKeyPaths = ["$.orderId", "$.detail.orderId", "$.order.orderId"]

    public init(keyPaths: [JSONPath] = SagaSettings.defaultPaths, stuckFactor: Double = 3, silence: TimeInterval = 300,
                sampleWindow: Int = 200, minimumSamples: Int = 20) {
        self.keyPaths = keyPaths
        self.stuckFactor = stuckFactor
        self.silence = silence
        self.sampleWindow = sampleWindow
        self.minimumSamples = minimumSamples
    }

    public static var defaultPaths: [JSONPath] {
        defaultKeyPaths.map { text in
            do { return try JSONPath(text) } catch { fatalError("default key path \(text) is invalid: \(error)") }
        }
    }

    /// Parses `saga_key_paths`; the error names the path that is not a JSONPath and why.
    public static func keyPaths(_ texts: [String]) throws(JSONPathError) -> [JSONPath] {
        var paths: [JSONPath] = []
        for text in texts { paths.append(try JSONPath(text)) }
        return paths
    }
}
