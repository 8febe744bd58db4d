import Wire

/// Cloud Map's error codes, as `__type` values boto3 and the AWS CLI recognise. Every one is a
/// client error (400); messages name the resource or parameter that was wrong.
enum RegistryError {
    static func invalidInput(_ message: String) -> AWSError {
        AWSError(code: "InvalidInput", message: message)
    }

    static func namespaceNotFound(_ id: String) -> AWSError {
        AWSError(code: "NamespaceNotFound", message: "Namespace not found: \(id)")
    }

    static func serviceNotFound(_ id: String) -> AWSError {
        AWSError(code: "ServiceNotFound", message: "Service not found: \(id)")
    }

    static func instanceNotFound(_ id: String, service: String) -> AWSError {
        AWSError(code: "InstanceNotFound", message: "Instance \(id) not found in service \(service)")
    }

    static func operationNotFound(_ id: String) -> AWSError {
        AWSError(code: "OperationNotFound", message: "Operation not found: \(id)")
    }

    static func namespaceAlreadyExists(_ name: String, id: String) -> AWSError {
        AWSError(code: "NamespaceAlreadyExists", message: "Namespace \(name) already exists with id \(id)")
    }

    static func serviceAlreadyExists(_ name: String, id: String) -> AWSError {
        AWSError(code: "ServiceAlreadyExists", message: "Service \(name) already exists with id \(id)")
    }

    static func resourceInUse(_ message: String) -> AWSError {
        AWSError(code: "ResourceInUse", message: message)
    }

    static func customHealthNotFound(_ service: String) -> AWSError {
        AWSError(code: "CustomHealthNotFound",
                 message: "Service \(service) has no HealthCheckCustomConfig; custom health status cannot be set")
    }

    static func resourceNotFound(_ arn: String) -> AWSError {
        AWSError(code: "ResourceNotFoundException", message: "Resource not found: \(arn)")
    }

    static func tooManyTags() -> AWSError {
        AWSError(code: "TooManyTagsException", message: "A resource can have at most 200 tags")
    }
}
