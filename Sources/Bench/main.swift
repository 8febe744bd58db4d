// signalbox-bench AREA: prints the figures for one area's speed and size goals.
// Each area registers one entry here; its code lives in its own file of this folder.
import Foundation

let areas: [(name: String, run: () async throws -> Void)] = [
    ("stack", StackBench.run),
    ("patterns", { try PatternsBench.run() }),
    ("patterns-fixed", { try PatternsBench.runFixed() }),
    ("console", ConsoleBench.run),
    ("asl", { try StatesLanguageBench.run() }),
    ("saga", SagaBench.run),
    ("sagas", SagasBench.run),
    ("breaker", CircuitBreakerBench.run),
    ("bus", BusBench.run),
    ("provider", ProviderBench.run),
    ("topology", TopologyBench.run),
    ("viewers", ViewersBench.run),
    ("console-feed", ConsoleFeedBench.run),
    ("messages", MessagesBench.run),
    ("ingest", { try IngestBench.run() }),
    ("polling", PollingBench.run),
    ("cpu-load", CPULoad.run),
]

let requested = Array(CommandLine.arguments.dropFirst())
if requested.isEmpty || requested == ["--help"] {
    print("usage: signalbox-bench AREA...   areas: \(areas.map(\.name).joined(separator: ", "))")
    exit(requested.isEmpty ? 1 : 0)
}
for name in requested {
    guard let area = areas.first(where: { $0.name == name }) else {
        FileHandle.standardError.write(Data("signalbox-bench: unknown area '\(name)'\n".utf8))
        exit(2)
    }
    print("== \(area.name)")
    try await area.run()
}
