import Wire

/// Step Functions' error codes as AWS sends them (`__type` with the service namespace), so
/// `e.response["Error"]["Code"]` in boto3 reads exactly what it reads against AWS.
enum SagaError {
    static let namespace = "com.amazonaws.swf.service.model"

    static func make(_ code: String, _ message: String, status: Int = 400) -> AWSError {
        AWSError(code: code, message: message, status: status, namespace: namespace)
    }

    static func validation(_ message: String) -> AWSError { make("ValidationException", message) }
    static func invalidArn(_ arn: String) -> AWSError { make("InvalidArn", "Invalid Arn: '\(arn.prefix(300))'") }
    static func invalidName(_ name: String) -> AWSError { make("InvalidName", "Invalid Name: '\(name.prefix(300))'") }
    static func invalidDefinition(_ message: String) -> AWSError { make("InvalidDefinition", message) }
    static func invalidInput(_ message: String) -> AWSError { make("InvalidExecutionInput", message) }
    static func invalidOutput(_ message: String) -> AWSError { make("InvalidOutput", message) }
    static func invalidToken(_ message: String) -> AWSError { make("InvalidToken", message) }
    static func machineMissing(_ arn: String) -> AWSError {
        make("StateMachineDoesNotExist", "State Machine Does Not Exist: '\(arn)'")
    }
    static func machineExists(_ arn: String) -> AWSError {
        make("StateMachineAlreadyExists", "State Machine Already Exists: '\(arn)'")
    }
    static func executionMissing(_ arn: String) -> AWSError {
        make("ExecutionDoesNotExist", "Execution Does Not Exist: '\(arn)'")
    }
    static func executionExists(_ arn: String) -> AWSError {
        make("ExecutionAlreadyExists", "Execution Already Exists: '\(arn)'")
    }
    static func activityMissing(_ arn: String) -> AWSError {
        make("ActivityDoesNotExist", "Activity Does Not Exist: '\(arn)'")
    }
    /// DescribeMapRun / UpdateMapRun of a Map Run that does not exist (API reference:
    /// ResourceNotFound).
    static func mapRunMissing(_ arn: String) -> AWSError {
        make("ResourceNotFound", "Resource not found: '\(arn)'")
    }
    static func taskMissing() -> AWSError { make("TaskDoesNotExist", "Task Does Not Exist") }
    static func taskTimedOut() -> AWSError { make("TaskTimedOut", "Task Timed Out") }
    static func notRedrivable(_ message: String) -> AWSError { make("ExecutionNotRedrivable", message) }
    static func unknownOperation(_ operation: String) -> AWSError {
        AWSError(code: "UnknownOperationException", message: "Unknown operation AWSStepFunctions.\(operation)")
    }
}
