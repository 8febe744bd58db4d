import JSON
import Wire

/// A state machine's or activity's `encryptionConfiguration`: AWS-owned keys (the default) or
/// a customer-managed KMS key with its data-key reuse period. There is no KMS here, so the key
/// is stored and returned as given, not used.
struct SagaEncryption: Sendable, Equatable {
    static let awsOwnedKey = "AWS_OWNED_KEY"
    static let customerManagedKey = "CUSTOMER_MANAGED_KMS_KEY"
    /// AWS's default reuse period for a customer-managed key, and the range it accepts.
    static let defaultReusePeriod = 300
    static let reusePeriods = 60...900

    var type: String
    var kmsKeyId: String?
    var reusePeriodSeconds: Int?

    static let `default` = SagaEncryption(type: awsOwnedKey)

    /// The request member, validated as AWS's API model constrains it; nil when absent.
    static func read(_ input: SagaInput) throws(AWSError) -> SagaEncryption? {
        guard let member = input.member("encryptionConfiguration") else { return nil }
        guard case .object(let object) = member else {
            throw SagaError.validation("1 validation error detected: Value at 'encryptionConfiguration' must be a structure")
        }
        guard case .string(let type)? = object["type"] else {
            throw SagaError.validation("1 validation error detected: Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null")
        }
        guard type == awsOwnedKey || type == customerManagedKey else {
            throw SagaError.validation("1 validation error detected: Value '\(type.prefix(100))' at 'encryptionConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOMER_MANAGED_KMS_KEY, AWS_OWNED_KEY]")
        }
        var kmsKeyId: String?
        if let key = object["kmsKeyId"], key != .null {
            guard case .string(let text) = key, (1...2048).contains(text.utf8.count) else {
                throw SagaError.validation("1 validation error detected: Value at 'encryptionConfiguration.kmsKeyId' failed to satisfy constraint: Member must have length between 1 and 2048")
            }
            kmsKeyId = text
        }
        var period: Int?
        if let value = object["kmsDataKeyReusePeriodSeconds"], value != .null {
            guard let seconds = value.intValue, reusePeriods.contains(seconds) else {
                throw SagaError.validation("1 validation error detected: Value '\(value.serialized.prefix(40))' at 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' failed to satisfy constraint: Member must have value between \(reusePeriods.lowerBound) and \(reusePeriods.upperBound)")
            }
            period = seconds
        }
        if type == customerManagedKey {
            guard kmsKeyId != nil else {
                throw SagaError.validation("Invalid encryptionConfiguration: kmsKeyId is required when type is CUSTOMER_MANAGED_KMS_KEY")
            }
            return SagaEncryption(type: type, kmsKeyId: kmsKeyId, reusePeriodSeconds: period ?? defaultReusePeriod)
        }
        guard kmsKeyId == nil, period == nil else {
            throw SagaError.validation("Invalid encryptionConfiguration: kmsKeyId and kmsDataKeyReusePeriodSeconds apply only when type is CUSTOMER_MANAGED_KMS_KEY")
        }
        return .default
    }

    /// As DescribeStateMachine and DescribeActivity return it.
    var wire: JSONValue {
        var object = JSONObject()
        if let kmsKeyId { object["kmsKeyId"] = .string(kmsKeyId) }
        if let reusePeriodSeconds { object["kmsDataKeyReusePeriodSeconds"] = .number(Double(reusePeriodSeconds)) }
        object["type"] = .string(type)
        return .object(object)
    }

    /// The stored column: NULL for the default, else the wire object's text.
    var stored: String? { self == .default ? nil : wire.serialized }

    init(type: String, kmsKeyId: String? = nil, reusePeriodSeconds: Int? = nil) {
        self.type = type
        self.kmsKeyId = kmsKeyId
        self.reusePeriodSeconds = reusePeriodSeconds
    }

    init(stored: String?) {
        guard let stored, case .object(let object)? = try? JSONValue(parsing: stored), case .string(let type)? = object["type"] else {
            self = .default
            return
        }
        self.init(type: type, kmsKeyId: object["kmsKeyId"]?.stringValue, reusePeriodSeconds: object["kmsDataKeyReusePeriodSeconds"]?.intValue)
    }
}
