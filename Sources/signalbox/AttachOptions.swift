import ArgumentParser
import Console
import Foundation
import Terminal

/// How a command attaches to a system: the console (`ConsoleOptions`) and the commands without
/// a TUI (`signalbox tail`, `signalbox tap`) take the same endpoint names, profiles, regions and
/// configuration file, resolved the same way (`ConsoleOptions.resolve`).
struct AttachOptions: ParsableArguments {
    @Option(help: "Endpoint to watch: a name from the configuration's [endpoints], a URL, local (http://127.0.0.1:4599), or aws (AWS's own endpoints, or the profile's endpoint overrides).")
    var endpoint: String?

    @Option(help: "AWS profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else default); credentials resolve as the AWS CLI resolves them.")
    var profile: String?

    @Option(help: "AWS region (default: the endpoint's configured region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1).")
    var region: String?

    @Option(help: "Configuration file (default: $XDG_CONFIG_HOME/signalbox/config.toml).")
    var config: String?

    /// The endpoint to use, with its credentials; a bad configuration or endpoint ends the
    /// process with status 2 and the reason on stderr, prefixed by `command`.
    func target(command: String) async -> (target: ConsoleOptions.Target, name: String) {
        let configuration: ConsoleConfig
        do {
            configuration = try ConsoleConfig.load(path: config ?? ConsolePaths.configFile, explicit: config != nil)
        } catch {
            Self.fail(command, "configuration error: \(error)", code: 2)
        }
        let name = endpoint ?? configuration.endpoint ?? "local"
        switch await ConsoleOptions.resolve(name, config: configuration, profile: profile, region: region,
                                            environment: ProcessInfo.processInfo.environment) {
        case .success(let resolved): return (resolved, Sanitizer.sanitize(resolved.description.url ?? name))
        case .failure(let problem): Self.fail(command, problem.message, code: 2)
        }
    }

    static func note(_ command: String, _ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("signalbox \(command): \(message)\n".utf8))
    }

    static func fail(_ command: String, _ message: String, code: Int32) -> Never {
        note(command, message)
        Foundation.exit(code)
    }
}
