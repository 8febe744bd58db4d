import Demo
import Foundation
import Stack
import StackClient
import Wire

extension StackServer {
    /// Serves, and once listening runs `demo` against this server through HTTP on loopback
    /// (one way in: the demo sees exactly what any other client sees). The demo stops when the
    /// server does; a demo that cannot set up stops the server and is rethrown.
    /// `credentials` sign the demo's calls (a stack started with `--auth` verifies them).
    func runWithDemo(handleSignals: Bool, options: DemoOptions, region: String, credentials: AWSCredentials? = nil,
                     onListening: @escaping @Sendable (Int) async -> Void,
                     onDemo: @escaping @Sendable (DemoSystem) -> Void = { _ in }) async throws {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let host = configuration.host
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await run(handleSignals: handleSignals) { port in
                    await onListening(port)
                    portSink.yield(port)
                }
                portSink.finish()
            }
            group.addTask {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { return }
                let endpoint = try StackEndpoint(parsing: "http://\(Self.loopbackHost(for: host)):\(port)", region: region,
                                                 credentials: credentials ?? StackEndpoint.localCredentials)
                let system = DemoSystem(endpoint: endpoint, options: options)
                onDemo(system)
                try await system.run()
            }
            // The first to finish decides: the server (signal) or a demo that failed.
            try await group.next()
            group.cancelAll()
        }
    }

    /// Where a client on this machine reaches a server bound to `host`.
    static func loopbackHost(for host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") ? "[\(host)]" : host
        }
    }
}
