import NIOCore
import NIOPosix
import Testing
@testable import Stack

/// The shutdown's closing of connections that never spoke, on real loopback connections: one
/// admitted before the shutdown began is closed by it, one arriving after is refused, and one
/// that spoke is left to finish.
@Suite("silent connections at shutdown")
struct SilentConnectionsTests {
    @Test("closing closes the silent, refuses the late, and leaves those that spoke")
    func closing() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let listener = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        func connect() async throws -> any Channel {
            try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
        }
        let silent = SilentConnections()
        let (quiet, spoke, late) = (try await connect(), try await connect(), try await connect())
        #expect(silent.admit(quiet))
        #expect(silent.admit(spoke))
        silent.remove(spoke)
        silent.beginClosing()
        try await quiet.closeFuture.get()
        #expect(!quiet.isActive)
        #expect(spoke.isActive, "a connection that spoke is not the shutdown's to close")
        #expect(!silent.admit(late), "a connection arriving after the shutdown began is refused")
        #expect(silent.count == 0)
        for channel in [spoke, late] { try await channel.close() }
        try await listener.close()
        try await group.shutdownGracefully()
    }
}
