import Foundation
import JSON
import Timekeeping
import Wire

/// Turning PutEvents entries into event envelopes, with AWS's per-entry checks and size rule.
enum BusEvents {
    /// AWS's limit on the entries of one PutEvents call, counted as AWS counts it.
    static let maximumRequestBytes = 256 * 1024

    /// A PutEvents entry refused on its own (the others still go through).
    struct EntryError: Error {
        var code: String
        var message: String
    }

    /// An entry's size per AWS's rule: 14 bytes for Time when given, plus the UTF-8 bytes of
    /// Source, DetailType, Detail and each Resources ARN.
    static func entrySize(_ entry: JSONValue) -> Int {
        var size = entry["Time"].map { $0 == .null ? 0 : 14 } ?? 0
        for key in ["Source", "DetailType", "Detail"] { size += entry[key]?.stringValue?.utf8.count ?? 0 }
        for resource in entry["Resources"]?.arrayValue ?? [] { size += resource.stringValue?.utf8.count ?? 0 }
        return size
    }

    static func required(_ entry: JSONValue, _ name: String) throws(EntryError) -> String {
        guard let value = entry[name], value != .null else {
            throw EntryError(code: "InvalidArgument", message: "Parameter \(name) is not valid. Reason: \(name) is a required argument.")
        }
        guard let text = value.stringValue, !text.isEmpty else {
            throw EntryError(code: "InvalidArgument", message: "Parameter \(name) is not valid. Reason: \(name) must be a non-empty string.")
        }
        return text
    }

    /// Builds the envelope of one entry; the bus is resolved by the caller.
    static func envelope(_ entry: JSONValue, id: String, accountId: String, region: String,
                         nowMillis: Int64) throws(EntryError) -> (envelope: JSONValue, time: String, millis: Int64) {
        let source = try required(entry, "Source")
        let detailType = try required(entry, "DetailType")
        let detailText = try required(entry, "Detail")
        guard case .object(let detail)? = try? JSONValue(parsing: detailText) else {
            throw EntryError(code: "MalformedDetail", message: "Detail is malformed.")
        }
        var resources: [JSONValue] = []
        if let given = entry["Resources"], given != .null {
            guard let list = given.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw EntryError(code: "InvalidArgument", message: "Parameter Resources is not valid. Reason: Resources must be a list of strings.")
            }
            resources = list
        }
        var timeMillis = nowMillis
        if let given = entry["Time"], given != .null {
            guard let seconds = given.doubleValue ?? given.stringValue.flatMap(parseISO) else {
                throw EntryError(code: "InvalidArgument", message: "Parameter Time is not valid. Reason: Time must be a timestamp.")
            }
            timeMillis = Int64((seconds * 1000).rounded(.down))
        }
        if let trace = entry["TraceHeader"], trace != .null, (trace.stringValue?.utf8.count ?? 501) > 500 {
            throw EntryError(code: "InvalidArgument", message: "Parameter TraceHeader is not valid. Reason: TraceHeader must be a string of at most 500 characters.")
        }
        let time = iso8601(millis: timeMillis)
        let envelope: JSONValue = .object([
            "version": "0", "id": .string(id), "detail-type": .string(detailType), "source": .string(source),
            "account": .string(accountId), "time": .string(time), "region": .string(region),
            "resources": .array(resources), "detail": .object(detail),
        ])
        return (envelope, time, timeMillis / 1000 * 1000)
    }

    /// `2026-11-23T03:05:00Z`: EventBridge's envelope time (UTC, whole seconds).
    static func iso8601(millis: Int64) -> String {
        CivilTime(UnixTime(milliseconds: millis)).rfc3339Seconds
    }

    static func parseISO(_ text: String) -> Double? {
        (try? Date(text, strategy: .iso8601))?.timeIntervalSince1970
    }
}
