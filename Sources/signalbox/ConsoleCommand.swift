import ArgumentParser
import Console
import Foundation
import Provider
import Terminal

/// `signalbox console`: opens the TUI.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the operations console.",
        discussion: """
        Settings come from $XDG_CONFIG_HOME/signalbox/config.toml (or --config); flags override it. \
        NO_COLOR (any value) turns colour off. SIGNALBOX_THEME names a theme when --theme is not given.
        """
    )

    @Option(help: "Theme name (default, light, high-contrast, mono, colorblind) or path to a theme .toml file.")
    var theme: String?

    @Flag(help: "Refuse every action that changes the watched system.")
    var readonly = false

    @Option(help: "Configuration file (default: $XDG_CONFIG_HOME/signalbox/config.toml).")
    var config: String?

    @Option(help: "Endpoint to watch: a name from the configuration's [endpoints] or a URL.")
    var endpoint: String?

    @Option(name: .customLong("refresh-ms"), help: "How often providers poll, in milliseconds (100-60000).")
    var refreshMilliseconds: Int?

    func validate() throws {
        if let refreshMilliseconds, !(100...60_000).contains(refreshMilliseconds) {
            throw ValidationError("--refresh-ms must be between 100 and 60000, not \(refreshMilliseconds)")
        }
    }

    func run() async throws {
        do {
            try await open(prepare(), endpointOverride: nil)
        } catch let failure as Failure {
            fail(failure.message)
        } catch let stopped as Stopped {
            throw stopped.report()
        }
    }

    /// Settings, keymap and theme, loaded and checked before anything starts: a bad
    /// configuration exits 2 here, with nothing to clean up.
    struct Prepared {
        var settings: ConsoleConfig
        var options: ConsoleApp.Options
    }

    /// The console could not run (not a terminal, …); the message is for stderr.
    struct Failure: Error {
        var message: String
    }

    /// A signal ended the console. Thrown rather than reported, so that a caller cleans up
    /// first: after SIGHUP the terminal may be gone.
    struct Stopped: Error {
        var signal: Int32

        /// Says so on stderr (if it is still there) and gives the exit code 128 + signal.
        func report() -> ExitCode {
            try? FileHandle.standardError.write(contentsOf: Data("signalbox: stopped by \(ProcessSignals.name(signal))\n".utf8))
            return ExitCode(128 + signal)
        }
    }

    func prepare() -> Prepared {
        let environment = ProcessInfo.processInfo.environment
        let settings: ConsoleConfig
        let keymap: Keymap
        let chosenTheme: Theme
        let catalog = ThemeCatalog()
        let noColor = environment["NO_COLOR"] != nil
        do {
            settings = try ConsoleConfig.load(path: config ?? ConsolePaths.configFile, explicit: config != nil)
            keymap = try Keymap(overrides: settings.keyOverrides)
            let themeSpec = noColor ? "mono" : (theme ?? environment["SIGNALBOX_THEME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? settings.theme ?? "default")
            chosenTheme = try catalog.theme(named: themeSpec)
        } catch let error as ConfigError {
            fail("configuration error: \(error)")
        } catch let error as KeymapError {
            fail("configuration error: \(settingsFile): [keys]: \(error)")
        } catch let error as ThemeError {
            fail("theme error: \(error)")
        } catch {
            fail("\(error)")
        }
        let options = ConsoleApp.Options(theme: chosenTheme, catalog: catalog, readOnly: readonly || settings.readOnly,
                                         noColor: noColor, keymap: keymap)
        return Prepared(settings: settings, options: options)
    }

    /// Opens the console on `endpointOverride` (a URL) instead of the configured endpoint:
    /// bare `signalbox` opens it on the stack it has just started. The provider for a URL is
    /// chosen below, in the one place that maps endpoints to providers.
    /// - Throws: `Failure` when the console cannot run; `Stopped` after a signal.
    func open(_ prepared: Prepared, endpointOverride: String?) async throws {
        let settings = prepared.settings
        let endpointName = endpointOverride ?? endpoint ?? settings.endpoint ?? "local"
        let description: EndpointDescription
        if let endpointOverride {
            // The stack bare `signalbox` started: the local endpoint, at its ephemeral port.
            description = EndpointDescription(name: "local", url: endpointOverride)
        } else if let named = settings.endpoints[endpointName] {
            description = EndpointDescription(name: named.name, url: named.url, region: named.region)
        } else if endpointName.hasPrefix("http://") || endpointName.hasPrefix("https://") {
            description = EndpointDescription(name: URL(string: endpointName)?.host ?? endpointName, url: endpointName)
        } else if endpointName == "local" {
            description = EndpointDescription(name: "local")
        } else {
            fail("unknown endpoint '\(Sanitizer.sanitize(endpointName))': not a URL and not in [endpoints] of \(settingsFile)")
        }

        // HOOK for the live provider (branch console): build it here for URL endpoints. Bare
        // `signalbox` reaches this line with the URL of the stack it started, so it gets the
        // live provider with no further change.
        let provider = DisconnectedProvider(
            endpoint: description, reason: endpointOverride == nil ? "no provider for this endpoint yet" : "no live provider yet")
        let options = prepared.options
        let outcome: ConsoleApp.Outcome
        do {
            outcome = try await ConsoleApp.run(provider: provider, options: options)
        } catch {
            throw Failure(message: "\(error)")
        }
        if case .signal(let signal) = outcome { throw Stopped(signal: signal) }
    }

    private var settingsFile: String { config ?? ConsolePaths.configFile ?? "config.toml" }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("signalbox: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
