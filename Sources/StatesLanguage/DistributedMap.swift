import JSON

/// A Map state in `ProcessorConfig.Mode: DISTRIBUTED`: its items run as child executions of a
/// Map Run, each its own execution with its own history, rather than iterations inside the
/// parent's history. AWS: "Using Map state in Distributed mode" (developer guide,
/// state-map-distributed.html) and "ItemBatcher (Map)" (input-output-itembatcher.html).
public struct DistributedMapSpec: Sendable, Hashable {
    /// `ProcessorConfig.ExecutionType`: STANDARD or EXPRESS, required in distributed mode.
    public let executionType: String
    /// `Label`: names the Map Run in its ARN and its children's (else a generated UUID).
    public let label: String?
    public let batcher: ItemBatcherSpec?
    /// The ItemProcessor as a state machine definition of its own (its `StartAt`, `States` and
    /// the machine's QueryLanguage): what every child execution runs.
    public let processorDefinition: String
    /// `ItemReader` / `ResultWriter` read and write Amazon S3, which the local stack does not
    /// have: the definition parses, and the host refuses it with a ValidationException.
    public let s3Fields: [String]
}

/// `ItemBatcher`: items go to child executions in groups of at most `maxItems` items and
/// `maxBytes` bytes, as `{"BatchInput": …, "Items": […]}`.
public struct ItemBatcherSpec: Sendable, Hashable {
    public let maxItems: NumberSource?
    public let maxBytes: NumberSource?
    public let batchInput: PayloadTemplate?
    public let batchInputTemplate: QueryTemplate?
}

extension DefinitionParser {
    /// AWS's limit on MaxInputBytesPerBatch: a child execution's input, 256 KiB.
    static let maxBatchBytes = 262_144
    /// Map Run labels: at most 40 characters (DescribeStateMachineForExecution's `label`).
    static let maxLabelLength = 40

    /// Fields a Map may have only in one processor mode.
    static let distributedOnlyFields = ["ItemBatcher", "ItemReader", "ResultWriter"]

    /// Reads `ProcessorConfig` and the distributed-mode fields. Returns nil for an INLINE Map.
    mutating func parseDistributed(_ object: JSONObject, processor: JSONObject, processorLocation: String,
                                   at location: String) -> DistributedMapSpec? {
        var mode = "INLINE"
        var executionType: String?
        if let config = processor["ProcessorConfig"] {
            let configLocation = "\(processorLocation)/ProcessorConfig"
            guard case .object(let fields) = config else {
                schema("The value for the field 'ProcessorConfig' must be an OBJECT", at: configLocation)
                return nil
            }
            for key in fields.keys where !["Mode", "ExecutionType"].contains(key) {
                schema("Field '\(key)' is not supported", at: configLocation)
            }
            if let value = fields["Mode"] {
                guard case .string(let text) = value, ["INLINE", "DISTRIBUTED"].contains(text) else {
                    schema("The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]", at: "\(configLocation)/Mode")
                    return nil
                }
                mode = text
            }
            if let value = fields["ExecutionType"] {
                guard case .string(let text) = value, ["STANDARD", "EXPRESS"].contains(text) else {
                    schema("The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]", at: "\(configLocation)/ExecutionType")
                    return nil
                }
                executionType = text
            }
            if mode == "DISTRIBUTED", executionType == nil {
                schema("These fields are required: [ExecutionType]", at: configLocation)
            }
            if mode == "INLINE", executionType != nil {
                schema("Field 'ExecutionType' is only supported when 'Mode' is 'DISTRIBUTED'", at: configLocation)
            }
        }
        guard mode == "DISTRIBUTED" else {
            for key in Self.distributedOnlyFields where object[key] != nil {
                schema("Field '\(key)' is only supported when 'Mode' is 'DISTRIBUTED'", at: location)
            }
            return nil
        }
        let label = optionalString(object, "Label", at: location)
        if let label {
            if label.count > Self.maxLabelLength {
                schema("The value for the field 'Label' must be at most \(Self.maxLabelLength) characters long", at: "\(location)/Label")
            } else if !Self.isValidLabel(label) {
                schema("The value for the field 'Label' must not contain whitespace, brackets, wildcards, special characters or control characters", at: "\(location)/Label")
            }
        }
        let batcher = parseItemBatcher(object["ItemBatcher"], at: "\(location)/ItemBatcher")
        var s3Fields: [String] = []
        for key in ["ItemReader", "ResultWriter"] where object[key] != nil {
            guard case .object = object[key]! else {
                schema("The value for the field '\(key)' must be an OBJECT", at: "\(location)/\(key)")
                continue
            }
            s3Fields.append(key)
        }
        // The child machine: the processor's own fields, in the machine's query language (its
        // states inherit that, not the Map state's own).
        var child = JSONObject()
        if let comment = processor["Comment"] { child["Comment"] = comment }
        if machineLanguage == .jsonata { child["QueryLanguage"] = .string(machineLanguage.rawValue) }
        child["StartAt"] = processor["StartAt"] ?? .null
        child["States"] = processor["States"] ?? .null
        return DistributedMapSpec(executionType: executionType ?? "STANDARD", label: label, batcher: batcher,
                                  processorDefinition: JSONValue.object(child).serialized, s3Fields: s3Fields)
    }

    mutating func parseItemBatcher(_ value: JSONValue?, at location: String) -> ItemBatcherSpec? {
        guard let value else { return nil }
        guard case .object(let object) = value else {
            schema("The value for the field 'ItemBatcher' must be an OBJECT", at: location)
            return nil
        }
        var allowed: Set<String> = ["MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"]
        if language == .jsonPath { allowed.formUnion(["MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"]) }
        for key in object.keys where !allowed.contains(key) {
            schema("Field '\(key)' is not supported", at: location)
        }
        let maxItems = number(object, "MaxItemsPerBatch", pathKey: "MaxItemsPerBatchPath", at: location, minimum: 1)
        let maxBytes = number(object, "MaxInputBytesPerBatch", pathKey: "MaxInputBytesPerBatchPath", at: location, minimum: 1)
        if case .value(let bytes) = maxBytes, bytes > Double(Self.maxBatchBytes) {
            schema("The value for the field 'MaxInputBytesPerBatch' must be less than or equal to \(Self.maxBatchBytes)", at: "\(location)/MaxInputBytesPerBatch")
        }
        if maxItems == nil, maxBytes == nil, !object.keys.contains(where: { $0.hasPrefix("Max") }) {
            schema("At least one of these fields is required: [MaxItemsPerBatch, MaxItemsPerBatchPath, MaxInputBytesPerBatch, MaxInputBytesPerBatchPath]", at: location)
        }
        let batchInput = language == .jsonPath ? template(object, "BatchInput", at: location) : nil
        let batchInputTemplate = queryTemplate(object, "BatchInput", at: location)
        if language == .jsonPath, let value = object["BatchInput"], value.objectValue == nil {
            schema("The value for the field 'BatchInput' must be an OBJECT", at: "\(location)/BatchInput")
        }
        return ItemBatcherSpec(maxItems: maxItems, maxBytes: maxBytes, batchInput: batchInput, batchInputTemplate: batchInputTemplate)
    }

    /// AWS's name rule, as for executions: no whitespace, `< > { } [ ] ? * " # % \ ^ | ~ \` $ & , ; : /`
    /// or control characters.
    static func isValidLabel(_ label: String) -> Bool {
        let forbidden: Set<Character> = ["<", ">", "{", "}", "[", "]", "?", "*", "\"", "#", "%", "\\", "^", "|", "~", "`", "$", "&", ",", ";", ":", "/"]
        for scalar in label.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace { return false }
        }
        return !label.isEmpty && !label.contains { forbidden.contains($0) }
    }
}

extension StateMachineDefinition {
    /// The distributed Maps whose `ItemReader` or `ResultWriter` would need Amazon S3, as
    /// (state name, field): the host refuses such a definition.
    public var s3Fields: [(state: String, field: String)] {
        states.values.sorted { $0.name < $1.name }.flatMap { state -> [(state: String, field: String)] in
            guard case .map(let spec) = state.kind, let distributed = spec.distributed else { return [] }
            return distributed.s3Fields.map { (state.name, $0) }
        }
    }
}
