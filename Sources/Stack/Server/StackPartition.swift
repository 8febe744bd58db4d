import Foundation

/// Where a resource lives: an AWS account in a region. Every queue, bus, rule, state machine
/// and namespace belongs to exactly one; ARNs and queue URLs carry it, and a request sees only
/// the resources of its own partition (the account of its key, the region it signed for).
public struct StackPartition: Sendable, Hashable, CustomStringConvertible {
    public var accountId: String
    public var region: String

    public init(accountId: String, region: String) {
        self.accountId = accountId
        self.region = region
    }

    public var description: String { "\(accountId)/\(region)" }

    /// Whether `region` may name a partition: 1–32 lowercase letters, digits and `-`, starting
    /// with a letter (every AWS region, `local`, …). The region becomes a directory name, so
    /// nothing else is taken from a request: a scope naming anything else signs for the
    /// server's default region.
    public static func isValidRegion(_ region: some StringProtocol) -> Bool {
        guard let first = region.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
              region.utf8.count <= 32 else { return false }
        return region.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    /// An AWS account id: exactly twelve ASCII digits.
    public static func isValidAccountId(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Where this partition's store lives when it is not the server's default one (the default
    /// partition keeps the data directory itself, so a data directory from before partitions
    /// opens with its data where it was): `DATA/partitions/ACCOUNT/REGION`.
    func directory(under dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("partitions").appendingPathComponent(accountId)
            .appendingPathComponent(region)
    }

    /// The partitions whose stores exist under `dataDirectory` (made by an earlier run).
    static func stored(under dataDirectory: URL) -> [StackPartition] {
        let root = dataDirectory.appendingPathComponent("partitions")
        let manager = FileManager.default
        guard let accounts = try? manager.contentsOfDirectory(atPath: root.path) else { return [] }
        var found: [StackPartition] = []
        for account in accounts.sorted() where isValidAccountId(account) {
            let regions = (try? manager.contentsOfDirectory(atPath: root.appendingPathComponent(account).path)) ?? []
            for region in regions.sorted() where isValidRegion(region) {
                let partition = StackPartition(accountId: account, region: region)
                if manager.fileExists(atPath: partition.directory(under: dataDirectory)
                    .appendingPathComponent(StackStore.fileName).path) {
                    found.append(partition)
                }
            }
        }
        return found
    }
}
