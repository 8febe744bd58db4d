import CoreMetrics
import Prometheus
import Synchronization

/// One stack's metrics: counters and timers on swift-metrics, kept in a Prometheus registry of
/// this stack's own and served as Prometheus text at `/metrics`.
///
/// Each stack has its own factory and registry rather than the process-wide `MetricsSystem`:
/// tests run several stacks in one process, and each must serve only its own counts.
/// Recording is an atomic add on a handler made once (requests: one dictionary look-up under a
/// lock to find it), so the hot paths never format text; text is built only when scraped.
public final class StackMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The factory this stack's services make their counters and timers with.
    public let factory: any MetricsFactory

    private struct RequestKey: Hashable {
        var service: String
        var operation: String
        var code: String
    }

    private struct RequestSeries: Sendable {
        var count: CoreMetrics.Counter
        var time: CoreMetrics.Timer
    }

    private struct GaugeKey: Hashable {
        var name: String
        var dimensions: [String]
    }

    private let requests = Mutex<[RequestKey: RequestSeries]>([:])
    private let gauges = Mutex<[GaugeKey: CoreMetrics.Gauge]>([:])

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Most requests take well under a millisecond; long polls up to 20 s.
        factory.durationHistogramBuckets[StackMetric.requestSeconds.name] = [
            .microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
            .milliseconds(500), .milliseconds(2500), .seconds(10), .seconds(20),
        ]
        self.factory = factory
    }

    /// A counter of this stack (with no dimensions unless given).
    func counter(_ metric: StackMetric, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: metric.name, dimensions: dimensions, factory: factory)
    }

    /// Records one answered request; `code` is `OK` or the AWS error code.
    public func record(service: String, operation: String, code: String, seconds: Double) {
        let key = RequestKey(service: service, operation: operation, code: code)
        let series = requests.withLock { series in
            if let found = series[key] { return found }
            let dimensions = [("service", service), ("operation", operation), ("code", code)]
            let made = RequestSeries(
                count: counter(.requests, dimensions),
                time: CoreMetrics.Timer(label: StackMetric.requestSeconds.name, dimensions: dimensions, factory: factory))
            series[key] = made
            return made
        }
        series.count.increment()
        series.time.recordSeconds(seconds)
    }

    /// Sets the gauges sampled for a scrape. A gauge not among `readings` (a deleted queue) is
    /// removed, so `/metrics` never shows a value nobody measured.
    public func update(gauges readings: [GaugeReading]) {
        gauges.withLock { gauges in
            var seen = Set<GaugeKey>()
            for reading in readings {
                let key = GaugeKey(name: reading.metric.name, dimensions: reading.dimensions.flatMap { [$0.0, $0.1] })
                seen.insert(key)
                let gauge = gauges[key] ?? CoreMetrics.Gauge(
                    label: reading.metric.name, dimensions: reading.dimensions, factory: factory)
                gauges[key] = gauge
                gauge.record(reading.value)
            }
            for (key, gauge) in gauges where !seen.contains(key) {
                gauge.destroy()
                gauges[key] = nil
            }
        }
    }

    /// The Prometheus text for `/metrics`: each family with its `# HELP` line, families in name
    /// order and a counter's or gauge's series sorted, so two scrapes compare line by line.
    /// (Metrics made through swift-metrics carry no help text, and the registry emits in hash order.)
    public func exposition() -> String {
        var families: [(name: String, lines: [Substring])] = []
        let text = registry.emitToString()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                families.append((String(name), [line]))
            } else if !families.isEmpty {
                families[families.count - 1].lines.append(line)
            }
        }
        let help = Dictionary(StackMetric.all.map { ($0.name, $0.help) }, uniquingKeysWith: { first, _ in first })
        var out = ""
        for family in families.sorted(by: { $0.name < $1.name }) {
            if let text = help[family.name] { out += "# HELP \(family.name) \(text)\n" }
            out += family.lines[0] + "\n"
            let series = family.lines.dropFirst()
            // A histogram's buckets stay in their order (ascending `le`).
            for line in family.lines[0].hasSuffix(" histogram") ? Array(series) : series.sorted() {
                out += line + "\n"
            }
        }
        return out
    }

    /// One series of the exposition: its metric name, labels and value.
    public struct Sample: Equatable, Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double

        public init(name: String, labels: [String: String], value: Double) {
            self.name = name
            self.labels = labels
            self.value = value
        }
    }

    /// The series `/metrics` serves now, read back from its text (tests and the health checks
    /// read values through this, so they see exactly what a scraper sees).
    public func samples() -> [Sample] {
        exposition().split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
                  let value = Double(line[line.index(after: space)...]) else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                return Sample(name: String(series), labels: [:], value: value)
            }
            return Sample(name: String(series[..<brace]),
                          labels: Self.labels(series[series.index(after: brace)...].dropLast()), value: value)
        }
    }

    /// The total of requests answered with `code` (tests use it).
    public func count(service: String? = nil, code: String? = nil) -> Int {
        samples().filter {
            $0.name == StackMetric.requests.name
                && (service == nil || $0.labels["service"] == service) && (code == nil || $0.labels["code"] == code)
        }.reduce(0) { $0 + Int($1.value) }
    }

    /// Parses `a="x",b="y\"z"` (Prometheus label values escape backslash, quote and newline).
    private static func labels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var rest = text[...]
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingPrefix(",")
            var value = ""
            var index = rest.index(equals, offsetBy: 2) // past `="`
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    value.append(rest[index] == "n" ? "\n" : rest[index])
                } else {
                    value.append(rest[index])
                }
                index = rest.index(after: index)
            }
            labels[String(name)] = value
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : ""
        }
        return labels
    }
}
