import Foundation
import Timekeeping

/// Everything `signalbox serve` is told at start. `accountId` and `region` are the default
/// partition's: the account of unsigned requests and of keys that name none, the region of
/// requests whose credential scope names none (`StackPartition`).
public struct StackConfiguration: Sendable {
    public var host: String
    /// 0 asks the kernel for an ephemeral port; the bound one is reported once listening.
    public var port: Int
    /// Where the SQLite database lives (created if missing).
    public var dataDirectory: URL
    public var accountId: String
    public var region: String
    /// Access key id → secret; nil accepts any signature (or none) unverified.
    public var credentials: [String: String]?
    /// Access key id → the session token its requests must carry (temporary keys).
    public var sessionTokens: [String: String] = [:]
    /// Access key id → the account its requests act in (`--auth` keys that name one).
    public var accounts: [String: String] = [:]
    /// The largest request body accepted; AWS's own limits are enforced per operation.
    public var maximumBodyBytes: Int
    /// `--readonly`: operators may look but not act — breaker overrides are refused (403).
    /// The AWS APIs are not affected (yet).
    public var readOnly: Bool
    /// Serve the live stream (`/_signalbox/stream`). `signalbox serve --no-stream` turns it off:
    /// the stream's path then answers as on an endpoint that has none (404), so a console sees
    /// the stack as it sees AWS — polling only, a tap for the Flows tail — while health, the
    /// breaker board and chaos stay.
    public var liveStream = true
    /// The one clock every service, extension and the front door read and sleep on (a
    /// `ManualClock` in tests that move time by hand).
    public var clock: any TimeSource

    public init(
        host: String = "127.0.0.1", port: Int = 4599, dataDirectory: URL,
        accountId: String = "000000000000", region: String = "us-east-1",
        credentials: [String: String]? = nil, maximumBodyBytes: Int = 4 * 1024 * 1024,
        readOnly: Bool = false, clock: any TimeSource = SystemClock()
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.accountId = accountId
        self.region = region
        self.credentials = credentials
        self.maximumBodyBytes = maximumBodyBytes
        self.readOnly = readOnly
        self.clock = clock
    }

    /// The signature check and placement these settings ask for (`--auth`, its keys' accounts),
    /// for the entrances outside the front door (the live stream's upgrade).
    public var authenticator: RequestAuthenticator {
        RequestAuthenticator(credentials: credentials, sessionTokens: sessionTokens, accounts: accounts,
                             defaultPartition: StackPartition(accountId: accountId, region: region), clock: clock)
    }

    /// `$XDG_DATA_HOME/signalbox`, else `~/.local/share/signalbox`.
    public static var defaultDataDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("signalbox")
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".local/share/signalbox")
    }
}
