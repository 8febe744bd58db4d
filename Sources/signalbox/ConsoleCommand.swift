import ArgumentParser

/// `signalbox console`: opens the TUI on an endpoint (the local stack by default).
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the operations console.",
        discussion: """
        Settings come from $XDG_CONFIG_HOME/signalbox/config.toml (or --config); flags override it. \
        NO_COLOR (any value) turns colour off. SIGNALBOX_THEME names a theme when --theme is not given. \
        The endpoint is polled through the AWS JSON APIs; the local stack's live stream is used when present.
        """
    )

    @OptionGroup var console: ConsoleOptions

    func run() async throws {
        try await console.openConsole()
    }
}
