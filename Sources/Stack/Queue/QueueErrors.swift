import Wire

/// SQS's errors, with the `__type` code of the JSON protocol and the legacy query code that
/// boto3 reads from `x-amzn-query-error` (so `e.response["Error"]["Code"]` matches AWS).
enum QueueError {
    static let namespace = "com.amazonaws.sqs"

    static func make(_ code: String, _ query: String, _ message: String, status: Int = 400) -> AWSError {
        AWSError(code: code, message: message, status: status, namespace: namespace, queryCode: query)
    }

    static func queueDoesNotExist() -> AWSError {
        make("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
    }

    static func queueNameExists(_ detail: String) -> AWSError {
        make("QueueNameExists", "QueueAlreadyExists", detail)
    }

    static func invalidParameter(_ message: String) -> AWSError {
        make("InvalidParameterValue", "InvalidParameterValue", message)
    }

    /// AWS's wording for a value out of its range.
    static func invalidValue(_ value: String, parameter: String, reason: String) -> AWSError {
        invalidParameter("Value \(value) for parameter \(parameter) is invalid. Reason: \(reason)")
    }

    static func missingParameter(_ name: String) -> AWSError {
        make("MissingParameter", "MissingParameter", "The request must contain the parameter \(name).")
    }

    static func invalidAttributeName(_ name: String) -> AWSError {
        make("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute \(name).")
    }

    static func invalidAttributeValue(_ message: String) -> AWSError {
        make("InvalidAttributeValue", "InvalidAttributeValue", message)
    }

    static func invalidMessageContents(_ message: String) -> AWSError {
        make("InvalidMessageContents", "InvalidMessageContents", message)
    }

    static func receiptHandleIsInvalid(_ handle: String) -> AWSError {
        make("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
             "The input receipt handle \"\(handle.prefix(200))\" is not a valid receipt handle.")
    }

    static func messageNotInflight() -> AWSError {
        make("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "Message is not in flight.")
    }

    static func purgeInProgress(_ name: String) -> AWSError {
        make("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
             "Only one PurgeQueue operation on \(name) is allowed every 60 seconds.", status: 403)
    }

    static func emptyBatch(_ entries: String) -> AWSError {
        make("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
             "There should be at least one \(entries) in the request.")
    }

    static func tooManyEntries(_ count: Int) -> AWSError {
        make("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
             "Maximum number of entries per request are 10. You have sent \(count).")
    }

    static func idsNotDistinct(_ id: String) -> AWSError {
        make("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
             "Id \(id) repeated.")
    }

    static func invalidBatchEntryId(_ id: String) -> AWSError {
        make("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
             "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got '\(id.prefix(100))'.")
    }

    static func batchTooLong(_ limit: Int) -> AWSError {
        make("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
             "Batch requests cannot be longer than \(limit) bytes.")
    }

    static func overLimit(_ message: String) -> AWSError {
        make("OverLimit", "OverLimit", message, status: 403)
    }

    static func unsupportedOperation(_ message: String) -> AWSError {
        make("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", message)
    }

    /// SQS's refusal of a caller its access policy does not grant (the resource named by its
    /// ARN, where AWS names the queue's URL on its own endpoint).
    static func accessDenied(queueArn: String) -> AWSError {
        make("AccessDenied", "AccessDenied", "Access to the resource \(queueArn) is denied.", status: 403)
    }

    static func resourceNotFound(_ message: String) -> AWSError {
        make("ResourceNotFoundException", "ResourceNotFoundException", message)
    }

    static func unknownOperation(_ operation: String) -> AWSError {
        AWSError(code: "UnknownOperationException", message: "Unknown operation AmazonSQS.\(operation)",
                 namespace: "com.amazon.coral.service", queryCode: "InvalidAction")
    }
}
