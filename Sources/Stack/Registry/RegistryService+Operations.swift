import GRDB
import JSON
import Timekeeping
import Wire

/// GetOperation and ListOperations. Every operation has finished (SUCCESS) before the call that
/// started it answers.
extension RegistryService {
    func operationJSON(_ operation: OperationRecord) -> JSONValue {
        var out: JSONObject = ["Id": .string(operation.id), "Type": .string(operation.type), "Status": .string(operation.status)]
        if let code = operation.errorCode { out["ErrorCode"] = .string(code) }
        if let message = operation.errorMessage { out["ErrorMessage"] = .string(message) }
        out["CreateDate"] = RegistryJSON.timestamp(operation.createdAt)
        out["UpdateDate"] = RegistryJSON.timestamp(operation.updatedAt)
        var targets = JSONObject()
        for (key, value) in operation.targets { targets[key] = .string(value) }
        out["Targets"] = .object(targets)
        return .object(out)
    }

    func getOperation(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let id = try input.requiredString("OperationId")
        let operation = try await store.read { db in try OperationRecord.load(db, id: id) }
        return ["Operation": operationJSON(operation)]
    }

    static let operationTypes: Set<String> = [
        "CREATE_NAMESPACE", "DELETE_NAMESPACE", "UPDATE_NAMESPACE", "UPDATE_SERVICE", "REGISTER_INSTANCE", "DEREGISTER_INSTANCE",
    ]

    func listOperations(_ input: RegistryInput) async throws(AWSError) -> JSONValue {
        let filters = try input.filters()
        var dateRange: ClosedRange<Double>?
        for filter in filters {
            switch filter.name {
            case "NAMESPACE_ID", "SERVICE_ID": try filter.validate(allowed: ["EQ"])
            case "STATUS":
                try filter.validate(allowed: ["EQ", "IN"])
                for value in filter.values where !["SUBMITTED", "PENDING", "SUCCESS", "FAIL"].contains(value) {
                    throw RegistryError.invalidInput("STATUS filter value must be SUBMITTED, PENDING, SUCCESS or FAIL: \(RegistryValidation.quoted(value))")
                }
            case "TYPE":
                try filter.validate(allowed: ["EQ", "IN"])
                for value in filter.values where !Self.operationTypes.contains(value) {
                    throw RegistryError.invalidInput("TYPE filter value is not an operation type: \(RegistryValidation.quoted(value))")
                }
            case "UPDATE_DATE":
                try filter.validate(allowed: ["BETWEEN"])
                guard let low = Double(filter.values[0]), let high = Double(filter.values[1]), low <= high else {
                    throw RegistryError.invalidInput("UPDATE_DATE BETWEEN takes two epoch-second timestamps, earliest first")
                }
                dateRange = low...high
            default:
                throw RegistryError.invalidInput("Unknown operation filter \(RegistryValidation.quoted(filter.name)); use NAMESPACE_ID, SERVICE_ID, STATUS, TYPE or UPDATE_DATE")
            }
        }
        // As on AWS, the operations of a namespace that has been deleted (its creation, updates
        // and its deletion) are no longer listed; GetOperation still answers for them.
        let (operations, namespaces) = try await store.read { db in
            (try Row.fetchAll(db, sql: "SELECT * FROM cm_operation ORDER BY seq").map(OperationRecord.init(row:)),
             Set(try String.fetchAll(db, sql: "SELECT id FROM cm_namespace")))
        }
        let matching = operations.filter { operation in
            operation.target("NAMESPACE").map(namespaces.contains) ?? true
        }.filter { operation in
            filters.allSatisfy { filter in
                switch filter.name {
                case "NAMESPACE_ID": return operation.target("NAMESPACE").map(filter.matches) ?? false
                case "SERVICE_ID": return operation.target("SERVICE").map(filter.matches) ?? false
                case "STATUS": return filter.matches(operation.status)
                case "TYPE": return filter.matches(operation.type)
                default: return dateRange.map { $0.contains(Double(operation.updatedAt) / 1000) } ?? true
                }
            }
        }
        let (items, next) = try page(matching, input: input)
        var out: JSONObject = [
            "Operations": .array(items.map { ["Id": .string($0.id), "Status": .string($0.status)] }),
        ]
        if let next { out["NextToken"] = .string(next) }
        return .object(out)
    }
}
