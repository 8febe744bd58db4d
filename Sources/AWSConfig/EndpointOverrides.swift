import Foundation
import StackClient

/// Endpoint overrides as the AWS SDKs and CLI honour them, most specific first:
/// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `[services NAME]` entry for
/// the service, the profile's `endpoint_url`. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns
/// them all off. Pure.
public struct EndpointOverrides: Sendable {
    public var environment: [String: String]
    public var files: AWSSharedConfig
    public var profile: String

    public init(environment: [String: String], files: AWSSharedConfig, profile: String) {
        self.environment = environment
        self.files = files
        self.profile = profile
    }

    private var ignored: Bool {
        environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
            || files.profile(profile)["ignore_configured_endpoint_urls"]?.lowercased() == "true"
    }

    /// The URL every service shares (`AWS_ENDPOINT_URL`, else the profile's `endpoint_url`).
    public func global() throws(StackClientError) -> URL? {
        guard !ignored else { return nil }
        if let text = environment["AWS_ENDPOINT_URL"].nonEmpty { return try parse(text, from: "AWS_ENDPOINT_URL") }
        if let text = files.profile(profile)["endpoint_url"].nonEmpty {
            return try parse(text, from: "endpoint_url of profile '\(profile)'")
        }
        return nil
    }

    /// An override for one service by its SDK service id (`SQS`, `EventBridge`, `SFN`,
    /// `ServiceDiscovery`, `STS`, `SSO`) that is more specific than `global()`: the
    /// service's variable always; the `services` section's entry only when no global variable
    /// is set (the variable outranks the configuration file).
    public func specific(serviceId: String) throws(StackClientError) -> URL? {
        guard !ignored else { return nil }
        let variable = "AWS_ENDPOINT_URL_" + serviceId.uppercased().replacingOccurrences(of: " ", with: "_")
        if let text = environment[variable].nonEmpty { return try parse(text, from: variable) }
        if environment["AWS_ENDPOINT_URL"].nonEmpty != nil { return nil }
        let key = serviceId.lowercased().replacingOccurrences(of: " ", with: "_")
        if let sectionName = files.profile(profile)["services"].nonEmpty {
            guard let section = files.servicesSections[sectionName] else {
                throw .invalidEndpoint("profile '\(profile)' names services '\(sectionName)', but \(files.configPath) has no [services \(sectionName)]")
            }
            if case .nested(let settings) = section[key], let text = settings["endpoint_url"].nonEmpty {
                return try parse(text, from: "[services \(sectionName)] \(key).endpoint_url")
            }
        }
        return nil
    }

    /// Where calls to `serviceId` go: the specific override, the global one, or nil for AWS's own.
    public func url(serviceId: String) throws(StackClientError) -> URL? {
        if let specific = try specific(serviceId: serviceId) { return specific }
        return try global()
    }

    private func parse(_ text: String, from origin: String) throws(StackClientError) -> URL {
        do {
            return try StackEndpoint(parsing: text).url!
        } catch {
            throw .invalidEndpoint("\(origin): '\(text)' is not an http:// or https:// URL with a host")
        }
    }
}
