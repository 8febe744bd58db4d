import ArgumentParser

/// The `signalbox` executable: argument parsing and wiring only. Each subcommand lives in its
/// own file; `console` is the default so that a bare `signalbox` opens the console.
@main
struct Signalbox: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "signalbox",
        abstract: "A terminal operations console for event-driven microservices, and the local AWS-compatible stack it watches.",
        version: version,
        subcommands: [ConsoleCommand.self, ServeCommand.self],
        defaultSubcommand: ConsoleCommand.self
    )
}
