import Foundation
import JSON
import StackClient

/// A tap call that failed: which API, and what the endpoint said.
public struct TapError: Error, Sendable, CustomStringConvertible {
    /// `SQS CreateQueue`, `EventBridge PutRule`, …
    public var api: String
    public var error: StackClientError

    public var description: String { "\(api): \(error)" }
}

/// The AWS calls a tap makes, each failure named by its API. Shared by `EventTap` (opening,
/// reading, renewing, closing one tap) and `TapSweep` (finding and removing expired ones).
struct TapCalls: Sendable {
    let aws: AWSClient

    func call(_ service: AWSService, _ operation: String, _ input: JSONValue,
              timeout: Duration? = nil) async throws(TapError) -> JSONValue {
        do {
            return try await aws.call(service, operation, input, timeout: timeout)
        } catch {
            throw TapError(api: "\(service.serviceId) \(operation)", error: error)
        }
    }

    /// Every item of a listing, following `NextToken` (at most `maximumPages` pages).
    func paged(_ service: AWSService, _ operation: String, _ input: JSONObject = [:],
               itemsKey: String, maximumPages: Int = 100) async throws(TapError) -> [JSONValue] {
        var items: [JSONValue] = []
        var request = input
        for _ in 0..<maximumPages {
            let page = try await call(service, operation, .object(request))
            items += page[itemsKey]?.arrayValue ?? []
            guard let token = page["NextToken"]?.stringValue, !token.isEmpty else { break }
            request["NextToken"] = .string(token)
        }
        return items
    }

    /// The names of every event bus of the account in this region (the default one included).
    func busNames() async throws(TapError) -> [String] {
        try await paged(.eventBridge, "ListEventBuses", [:], itemsKey: "EventBuses").compactMap { $0["Name"]?.stringValue }
    }

    /// Whether the failure says the thing is already gone (removing it again is then done).
    static func isGone(_ failure: TapError) -> Bool {
        let code = failure.error.code ?? ""
        return ["ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"].contains(code)
    }
}
