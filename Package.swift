// swift-tools-version: 6.2
// Signalbox: a terminal operations console for event-driven microservices, and the local,
// AWS-wire-compatible stack it watches. Module boundaries follow docs/ARCHITECTURE.md: a module
// may only import the ones listed as its dependencies here.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "signalbox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "signalbox", targets: ["signalbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // ncurses with its wide-character API; only Terminal imports it.
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        // Cell buffer, widths, sanitiser, input decoding, ncurses backend. Knows nothing of the app.
        .target(name: "Terminal", dependencies: ["CNcurses", "CTerminalSupport", "Timekeeping"],
                swiftSettings: strict),
        // Async-signal-safe handlers for the terminal layer (flag on SIGINT/SIGTERM/SIGHUP,
        // tty restore on a crash): C, because signal handlers cannot be written in Swift.
        .target(name: "CTerminalSupport"),
        // The C allocator's own figures (glibc's mallinfo2: in use against freed and held), for
        // the console's memory report: Swift's Glibc module leaves out <malloc.h>.
        .target(name: "CAllocatorSupport"),
        // Time: the one clock protocol (`TimeSource`: a Swift `Clock` that also tells wall-clock
        // time; `SystemClock`, `ManualClock` for tests), `UnixTime`, and the one civil-calendar
        // implementation (`CivilCalendar`, `CivilTime`). Pure apart from reading the system clock.
        .target(name: "Timekeeping", swiftSettings: strict),
        // The one JSON value type (order-preserving, exact text round trip) every module shares.
        .target(name: "JSON", dependencies: [
            .product(name: "OrderedCollections", package: "swift-collections"),
        ], swiftSettings: strict),
        // EventBridge event patterns: parser and matcher (server routing, console filters). Pure.
        .target(name: "Patterns", dependencies: ["JSON"], swiftSettings: strict),
        // The JSONata query language (jsonata.org 2.0), hand-written: no Swift library for it exists
        // here. Pure: the caller passes the clock reading and the random source.
        .target(name: "JSONata", dependencies: [
            "JSON", "Timekeeping",
            .product(name: "OrderedCollections", package: "swift-collections"),
        ], swiftSettings: strict),
        // Amazon States Language: parser, validator, interpreter. Pure: no I/O, no clock of its own.
        .target(name: "StatesLanguage", dependencies: ["JSON", "JSONata", "Timekeeping"], swiftSettings: strict),
        // AWS JSON protocol shapes, errors and SigV4, shared by the console's client and the stack.
        .target(name: "Wire", dependencies: [
            "JSON", "Timekeeping",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // How the console sees a system: snapshot model and providers (local stack, AWS).
        .target(name: "Provider", dependencies: [
            "Wire", "Patterns", "JSON", "StackClient", "StackProtocol", "CircuitBreaker", "Timekeeping",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], swiftSettings: strict),
        // The client side of the wire: AWS JSON calls (SigV4), the stack's REST extensions and its
        // live stream. The console's providers and the demo reach any endpoint through it only.
        .target(name: "StackClient", dependencies: [
            "Wire", "JSON", "StackProtocol", "CircuitBreaker", "Timekeeping",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "OrderedCollections", package: "swift-collections"),
            .product(name: "DequeModule", package: "swift-collections"),
        ], swiftSettings: strict),
        // Attaching to AWS as the AWS CLI does: ~/.aws profiles, the credential chain (STS,
        // IAM Identity Center, credential_process) with refresh, endpoint overrides. Parsing and
        // choosing are pure; fetching is the one I/O part.
        .target(name: "AWSConfig", dependencies: [
            "StackClient", "Wire", "JSON", "Timekeeping",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The live topology map: graph from a snapshot, layered layout, edge routing, drawing
        // into the cell buffer. Pure: no I/O, no clock.
        .target(name: "TopologyLayout", dependencies: [
            "Terminal", "Provider", "StatesLanguage", "JSON", "Timekeeping",
            .product(name: "HeapModule", package: "swift-collections"),
        ], swiftSettings: strict),
        // Sagas as the operator sees them: business keys, the stuck rules, compensation paths
        // from the definition, state spans for the timeline. Pure: no I/O, time is passed in.
        .target(name: "SagaTimeline", dependencies: ["Provider", "StatesLanguage", "JSON", "Timekeeping"], swiftSettings: strict),
        // The TUI: app loop, panes, keymap, command bar, dialogs, themes.
        .target(name: "Console", dependencies: [
            "Terminal", "Provider", "Patterns", "Timekeeping", "SagaTimeline", "TopologyLayout", "StatesLanguage",
            "CAllocatorSupport",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ], swiftSettings: strict),
        // The local services, their durable store and the HTTP front door.
        .target(name: "Stack", dependencies: [
            "Wire", "Patterns", "StatesLanguage", "JSON", "CircuitBreaker", "Timekeeping",
            "Chaos", "StackProtocol",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Collections", package: "swift-collections"),
            // swift-metrics counters and timers, exposed at `/metrics` by swift-prometheus.
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            // API-destination calls and OAuth token requests.
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], swiftSettings: strict),
        // Circuit breakers for services' outbound calls (resilience4j/pybreaker state machine,
        // injected clock, JSON snapshot for the breaker board). Pure: no I/O.
        .target(name: "CircuitBreaker", dependencies: ["JSON", "Timekeeping"], swiftSettings: strict),
        // The demo's fault-injection grammar (`payment.error=0.3,inventory.down`), shared by the
        // stack's /_signalbox/chaos extension and the demo. Pure.
        .target(name: "Chaos", dependencies: ["JSON"], swiftSettings: strict),
        // The stack's own extension protocol (docs/stream.md): live-stream topics and frames, the
        // breaker board's, chaos's and health's requests and answers, their paths. One encoder and
        // one decoder, shared by the stack, its client and the demo. Pure.
        .target(name: "StackProtocol", dependencies: ["JSON", "CircuitBreaker", "Chaos"], swiftSettings: strict),
        // `signalbox tail`: the live stream's frames as lines, JSON for scripts or text for people.
        .target(name: "Tail", dependencies: ["StackProtocol", "JSON", "Terminal", "Timekeeping"], swiftSettings: strict),
        // The order-fulfilment demo system: public APIs only (StackClient), so it runs on any endpoint.
        .target(name: "Demo", dependencies: [
            "StackClient", "StackProtocol", "CircuitBreaker", "Chaos", "JSON", "Timekeeping",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], swiftSettings: strict),
        // The executable: argument parsing and wiring only.
        .executableTarget(name: "signalbox", dependencies: [
            "Console", "Stack", "Provider", "Terminal",
            "Demo", "StackClient", "Chaos", "Wire", "AWSConfig", "Tail", "Patterns", "StackProtocol", "JSON",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // signalbox-bench AREA: prints the figures behind the speed and size goals.
        .executableTarget(name: "signalbox-bench", dependencies: [
            "Console", "Terminal", "Patterns", "StatesLanguage", "Stack", "Wire", "JSON", "Provider",
            "CircuitBreaker", "StackClient", "TopologyLayout", "SignalboxTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            // The console-feed bench's own WebSocket endpoint: the handshake's SHA-1, its write queue.
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "DequeModule", package: "swift-collections"),
        ], path: "Sources/Bench", swiftSettings: strict),

        // What the test targets share: a real stack on loopback for the length of a test,
        // `eventually`, a provider's snapshot watcher, the demo as a provider reports it, a counting (and
        // throttling) proxy in front of an AWS endpoint. Test code, and the benches that count calls.
        .target(name: "SignalboxTestSupport", dependencies: ["Stack", "StackClient", "Provider", "Timekeeping", "Demo", "Chaos",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log")],
                path: "Tests/SignalboxTestSupport", swiftSettings: strict),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strict),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "Timekeeping"], swiftSettings: strict),
        .testTarget(name: "PatternsTests", dependencies: ["Patterns", "JSON"], swiftSettings: strict),
        .testTarget(name: "JSONataTests", dependencies: ["JSONata", "JSON"], swiftSettings: strict),
        .testTarget(name: "StatesLanguageTests", dependencies: ["StatesLanguage", "JSON", "Demo", "Timekeeping"], swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["Wire"], swiftSettings: strict),
        .testTarget(name: "StackProtocolTests", dependencies: ["StackProtocol", "JSON", "CircuitBreaker", "Chaos"],
                    swiftSettings: strict),
        .testTarget(name: "ProviderTests", dependencies: ["Provider", "StackClient", "StackProtocol", "Stack", "JSON", "Wire", "SignalboxTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "Terminal", "SagaTimeline", "Timekeeping", "SignalboxTestSupport"],
                    resources: [.copy("Golden"), .copy("Sagas")], swiftSettings: strict),
        .testTarget(name: "StackTests", dependencies: [
            "Stack", "StackProtocol", "Wire", "JSON", "Timekeeping", .product(name: "GRDB", package: "GRDB.swift"),
            "CircuitBreaker", "Demo", .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The real `signalbox` binary driven in tmux (private -L socket), as a user would.
        .testTarget(name: "ConsoleEndToEndTests", swiftSettings: strict),
        .testTarget(name: "TailTests", dependencies: ["Tail", "StackProtocol", "JSON"], swiftSettings: strict),
        .testTarget(name: "StackClientTests", dependencies: ["StackClient", "StackProtocol", "Stack", "Wire", "JSON", "SignalboxTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "AWSConfigTests", dependencies: [
            "AWSConfig", "StackClient", "Stack", "Wire", "JSON", "Timekeeping", "SignalboxTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: strict),
        .testTarget(name: "CircuitBreakerTests", dependencies: ["CircuitBreaker", "JSON", "Timekeeping"],
                    swiftSettings: strict),
        .testTarget(name: "TimekeepingTests", dependencies: ["Timekeeping"], swiftSettings: strict),
        .testTarget(name: "TopologyLayoutTests", dependencies: ["TopologyLayout", "Provider", "Terminal", "SignalboxTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "SagaTimelineTests", dependencies: ["SagaTimeline", "Provider", "StatesLanguage", "JSON", "Demo"],
                    swiftSettings: strict),
        .testTarget(name: "ChaosTests", dependencies: ["Chaos", "JSON"], swiftSettings: strict),
        .testTarget(name: "DemoTests", dependencies: [
            "Demo", "Stack", "StackClient", "StackProtocol", "Chaos", "CircuitBreaker", "JSON", "SignalboxTestSupport",
        ], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
