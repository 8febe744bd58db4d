import GRDB
import JSON
import Wire

/// Tags on state machines and activities: TagResource, UntagResource, ListTagsForResource and
/// `tags` at CreateStateMachine/CreateActivity, within AWS's limits (at most 50 a resource;
/// keys of 1–128 characters, values of 0–256). Tags keep the order they were first given in;
/// tagging an existing key changes its value in place, as AWS lists them.
extension SagaService {
    static let tagLimit = 50

    typealias Tag = (key: String, value: String)

    /// The `tags` member of a request, validated; nil when absent.
    static func readTags(_ input: SagaInput) throws(AWSError) -> [Tag]? {
        guard let items = try input.objects("tags") else { return nil }
        var tags: [Tag] = []
        for (index, item) in items.enumerated() {
            let member = "tags.\(index + 1).member"
            guard case .string(let key)? = item["key"], (1...128).contains(key.count) else {
                throw SagaError.validation("1 validation error detected: Value '\(item["key"]?.stringValue ?? "null")' at '\(member).key' failed to satisfy constraint: Member must have length between 1 and 128")
            }
            let value: String
            switch item["value"] {
            case nil, .null?: value = ""
            case .string(let text)?: value = text
            default: throw SagaError.validation("1 validation error detected: Value at '\(member).value' must be a string")
            }
            guard value.count <= 256 else {
                throw SagaError.validation("1 validation error detected: Value at '\(member).value' failed to satisfy constraint: Member must have length less than or equal to 256")
            }
            tags.append((key, value))
        }
        return tags
    }

    /// `existing` with `added` applied: a known key changes in place, a new one goes last.
    static func merged(_ existing: [Tag], _ added: [Tag]) -> [Tag] {
        var tags = existing
        for tag in added {
            if let index = tags.firstIndex(where: { $0.key == tag.key }) { tags[index].value = tag.value } else { tags.append(tag) }
        }
        return tags
    }

    static func tooMany(_ count: Int, _ arn: String) -> AWSError {
        SagaError.make("TooManyTags", "Too many tags for resource '\(arn)': \(count), at most \(tagLimit) are allowed")
    }

    static func encodeTags(_ tags: [Tag]) -> String {
        JSONValue.array(tags.map { ["key": .string($0.key), "value": .string($0.value)] }).serialized
    }

    static func decodeTags(_ text: String?) -> [Tag] {
        guard let text, case .array(let items)? = try? JSONValue(parsing: text) else { return [] }
        return items.compactMap { item in
            guard let key = item["key"]?.stringValue else { return nil }
            return (key, item["value"]?.stringValue ?? "")
        }
    }

    /// The table holding a taggable resource: state machines and activities only.
    private func taggableTable(_ arn: String) throws(AWSError) -> String {
        if naming.name(fromArn: arn, kind: "stateMachine") != nil { return "sfn_state_machine" }
        if naming.name(fromArn: arn, kind: "activity") != nil { return "sfn_activity" }
        throw SagaError.invalidArn(arn)
    }

    private static func notFound(_ arn: String) -> AWSError {
        SagaError.make("ResourceNotFound", "Resource not found: '\(arn)'")
    }

    private func resourceArn(_ input: SagaInput) throws(AWSError) -> (arn: String, table: String) {
        let arn = try input.requiredString("resourceArn", maxLength: 256)
        return (arn, try taggableTable(arn))
    }

    func tagResource(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (arn, table) = try resourceArn(input)
        guard let added = try Self.readTags(input) else { throw SagaInputErrors.missing("tags") }
        try await store.write { db in
            guard let current = try String.fetchOne(db, sql: "SELECT tags FROM \(table) WHERE arn = ?", arguments: [arn]) else {
                throw Self.notFound(arn)
            }
            let tags = Self.merged(Self.decodeTags(current), added)
            guard tags.count <= Self.tagLimit else { throw Self.tooMany(tags.count, arn) }
            try db.execute(sql: "UPDATE \(table) SET tags = ? WHERE arn = ?", arguments: [Self.encodeTags(tags), arn])
        }
        return [:]
    }

    func untagResource(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (arn, table) = try resourceArn(input)
        guard let keys = try input.stringList("tagKeys") else { throw SagaInputErrors.missing("tagKeys") }
        let removed = Set(keys)
        try await store.write { db in
            guard let current = try String.fetchOne(db, sql: "SELECT tags FROM \(table) WHERE arn = ?", arguments: [arn]) else {
                throw Self.notFound(arn)
            }
            let tags = Self.decodeTags(current).filter { !removed.contains($0.key) }
            try db.execute(sql: "UPDATE \(table) SET tags = ? WHERE arn = ?", arguments: [Self.encodeTags(tags), arn])
        }
        return [:]
    }

    func listTagsForResource(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (arn, table) = try resourceArn(input)
        let current = try await store.read { db in
            try String.fetchOne(db, sql: "SELECT tags FROM \(table) WHERE arn = ?", arguments: [arn])
        }
        guard let current else { throw Self.notFound(arn) }
        return ["tags": .array(Self.decodeTags(current).map { ["key": .string($0.key), "value": .string($0.value)] })]
    }
}
