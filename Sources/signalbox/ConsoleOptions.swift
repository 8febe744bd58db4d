import ArgumentParser
import AWSConfig
import Console
import Foundation
import Provider
import StackClient
import Terminal
import Wire

/// The console's flags, as an option group so that any command that ends in the console
/// (`signalbox console`, and bare `signalbox`, which first starts the stack in-process) takes
/// the same flags and opens it the same way.
struct ConsoleOptions: ParsableArguments {
    @Option(help: "Theme name (default, light, high-contrast, mono, colorblind) or path to a theme .toml file.")
    var theme: String?

    @Flag(help: "Refuse every action that changes the watched system.")
    var readonly = false

    /// `--endpoint`, `--profile`, `--region`, `--config`: the same as `signalbox tail` and `tap`.
    @OptionGroup var attach: AttachOptions

    @Option(name: .customLong("refresh-ms"), help: "How often providers poll, in milliseconds (100-60000).")
    var refreshMilliseconds: Int?

    /// `signalbox serve`'s default port: `local` means a stack started with no flags.
    static let localURL = "http://127.0.0.1:4599"

    func validate() throws {
        if let refreshMilliseconds, !(100...60_000).contains(refreshMilliseconds) {
            throw ValidationError("--refresh-ms must be between 100 and 60000, not \(refreshMilliseconds)")
        }
    }

    /// Opens the console on the endpoint the flags and configuration name (`local` by default).
    func openConsole() async throws {
        let settings = prepare()
        let endpointName = attach.endpoint ?? settings.config.endpoint ?? "local"
        switch await Self.resolve(endpointName, config: settings.config, profile: attach.profile, region: attach.region,
                                  environment: ProcessInfo.processInfo.environment) {
        case .success(let target):
            do {
                try await run(settings: settings, stack: target.stack, description: target.description)
            } catch let failure as Failure {
                fail(failure.message)
            } catch let stopped as Stopped {
                throw stopped.report()
            }
        case .failure(let problem):
            fail(problem.message + (problem.unknown ? " of \(settingsFile)" : ""))
        }
    }

    /// The console could not run (not a terminal, …); the message is for stderr.
    struct Failure: Error {
        var message: String
    }

    /// A signal ended the console. Thrown rather than reported, so that a caller that started
    /// something (bare `signalbox`'s stack) cleans up first: after SIGHUP the terminal may be gone.
    struct Stopped: Error {
        var signal: Int32

        /// Says so on stderr (if it is still there) and gives the exit code 128 + signal.
        func report() -> ExitCode {
            try? FileHandle.standardError.write(contentsOf: Data("signalbox: stopped by \(ProcessSignals.name(signal))\n".utf8))
            return ExitCode(128 + signal)
        }
    }

    struct Target: Sendable {
        var stack: StackEndpoint
        var description: EndpointDescription
    }

    struct EndpointProblem: Error {
        var message: String
        /// Not a URL and not a configured name.
        var unknown = false
    }

    /// A configured name, an http(s) URL, `local` or `aws`, as the endpoint to watch, with the
    /// credentials the AWS CLI would use for it (the local stack's keys for `local`). Runs before
    /// the console takes the terminal: an MFA code is asked for here, and a missing profile or
    /// an expired SSO token is reported with its one-line fix.
    static func resolve(_ name: String, config: ConsoleConfig, profile: String?, region: String?,
                        environment: [String: String]) async -> Result<Target, EndpointProblem> {
        let shown = Sanitizer.sanitize(name)
        var url: String? = name
        var chosenProfile = profile
        var chosenRegion = region
        var displayName = name
        var board: URL?
        if let named = config.endpoints[name] {
            url = named.url
            if let text = named.board {
                guard let parsed = try? StackEndpoint(parsing: text).url else {
                    return .failure(EndpointProblem(message: "endpoint '\(shown)': board '\(Sanitizer.sanitize(text))' is not an http:// or https:// URL with a host"))
                }
                board = parsed
            }
            chosenProfile = profile ?? named.profile
            chosenRegion = region ?? named.region
            displayName = named.name
        } else if name == "local" {
            guard profile == nil else {
                return .failure(EndpointProblem(message: "--profile goes with an AWS endpoint (aws, a URL or a configured name), not local"))
            }
            let stack = StackEndpoint(url: URL(string: localURL), region: region ?? environmentRegion)
            return .success(Target(stack: stack, description: EndpointDescription(name: "local", url: localURL, region: stack.region)))
        } else if name == "aws" {
            url = nil
        } else if !(name.hasPrefix("http://") || name.hasPrefix("https://")) {
            return .failure(EndpointProblem(message: "unknown endpoint '\(shown)': not a URL, local, aws, or in [endpoints]", unknown: true))
        }
        var parsedURL: URL?
        if let url {
            guard let parsed = try? StackEndpoint(parsing: url).url else {
                return .failure(EndpointProblem(message: "endpoint '\(shown)': '\(Sanitizer.sanitize(url))' is not an http:// or https:// URL with a host"))
            }
            parsedURL = parsed
        }
        let request = AWSAttachment.Request(url: parsedURL, profile: chosenProfile, region: chosenRegion)
        // A URL with no profile anywhere keeps working as before: the stack without --auth
        // accepts any signature, so the local keys sign when the chain has nothing.
        let fallback = parsedURL != nil ? StackEndpoint.localCredentials : nil
        let attachment: AWSAttachment
        do {
            attachment = try await AWSAttachment.attach(request, environment: environment, fallback: fallback,
                                                        mfaCode: TerminalPrompt.mfaCode)
        } catch {
            return .failure(EndpointProblem(message: "endpoint '\(shown)': \(error)"))
        }
        var stack = attachment.endpoint
        stack.boardURL = board
        if displayName == url { displayName = stack.url?.host ?? displayName }
        let shownURL = url ?? stack.url?.absoluteString
        let profile = attachment.usedFallback ? nil : attachment.profile
        // Who the keys are, for the status bar; an endpoint without STS (the stack, LocalStack
        // without it) simply leaves the account out.
        let account = profile == nil ? nil : try? await attachment.accountId()
        return .success(Target(stack: stack, description: EndpointDescription(
            name: displayName, url: shownURL, region: stack.region, profile: profile, account: account,
            board: board?.absoluteString)))
    }

    /// Opens the console on a stack this process started itself (bare `signalbox`): the
    /// operator's theme, keys and flags apply; the endpoint is the one given.
    /// `settings` come from `prepare()`, called before the stack started so that a bad
    /// configuration exits with nothing to clean up.
    /// - Throws: `Failure` when the console cannot run; `Stopped` after a signal.
    func openConsole(on stack: StackEndpoint, name: String = "local", settings: Settings) async throws {
        let description = EndpointDescription(name: name, url: stack.url?.absoluteString, region: stack.region)
        try await run(settings: settings, stack: stack, description: description)
    }

    struct Settings {
        var config: ConsoleConfig
        var options: ConsoleApp.Options
    }

    /// Configuration, keymap and theme, loaded and checked; a bad one exits 2 here.
    func prepare() -> Settings {
        let environment = ProcessInfo.processInfo.environment
        let catalog = ThemeCatalog()
        let noColor = environment["NO_COLOR"] != nil
        let config: ConsoleConfig
        do {
            config = try ConsoleConfig.load(path: attach.config ?? ConsolePaths.configFile, explicit: attach.config != nil)
        } catch {
            fail("configuration error: \(error)")
        }
        let keymap: Keymap
        do {
            keymap = try Keymap(overrides: config.keyOverrides)
        } catch {
            fail("configuration error: \(settingsFile): [keys]: \(error)")
        }
        let themeSpec = noColor ? "mono" : (theme ?? environment["SIGNALBOX_THEME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? config.theme ?? "default")
        let chosenTheme: Theme
        do {
            chosenTheme = try catalog.theme(named: themeSpec)
        } catch {
            fail("theme error: \(error)")
        }
        let options = ConsoleApp.Options(theme: chosenTheme, catalog: catalog, readOnly: readonly || config.readOnly,
                                         noColor: noColor, keymap: keymap, operatorName: Self.operatorName,
                                         mouse: config.mouse, registry: .standard(sagas: config.sagas))
        return Settings(config: config, options: options)
    }

    /// Who the operator is, worked out once: breaker overrides are sent as this actor and the
    /// audit trail records this user. `$USER` (or `$LOGNAME`), else `operator`.
    static let operatorName = StackProviderOptions.defaultActor

    private func run(settings: Settings, stack: StackEndpoint, description: EndpointDescription) async throws {
        let refresh = refreshMilliseconds ?? settings.config.refreshMilliseconds
        var providerOptions = StackProviderOptions(refreshInterval: .milliseconds(refresh),
                                                   recentEventLimit: settings.config.tailBuffer,
                                                   actor: settings.options.operatorName,
                                                   quietCheck: settings.config.sagas.silence)
        providerOptions.tapLifetime = TapPlan.lifetime(environment: ProcessInfo.processInfo.environment)
        let provider = StackProvider(endpoint: description, stack: stack, options: providerOptions)
        await TapsAtStart.offerRemoval(stack: stack, provider: provider, settings: settings, description: description)
        let outcome: ConsoleApp.Outcome
        do {
            outcome = try await ConsoleApp.run(provider: provider, options: settings.options)
        } catch {
            TapsAtStart.report(await provider.closeTap())
            await provider.shutdown()
            throw Failure(message: "\(error)")
        }
        // `q`, SIGINT, SIGTERM, SIGHUP: the tap goes before the console does.
        TapsAtStart.report(await provider.closeTap())
        await provider.shutdown()
        if case .signal(let signal) = outcome { throw Stopped(signal: signal) }
    }

    /// `AWS_REGION`, `AWS_DEFAULT_REGION`, else us-east-1 (as the SDKs resolve it).
    static var environmentRegion: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["AWS_DEFAULT_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
    }

    private var settingsFile: String { attach.config ?? ConsolePaths.configFile ?? "config.toml" }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("signalbox: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
