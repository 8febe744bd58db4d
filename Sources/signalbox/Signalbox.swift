import ArgumentParser

/// The `signalbox` executable: argument parsing and wiring only. Each subcommand lives in its
/// own file; `start` is the default: a bare `signalbox` starts the stack and the demo and
/// opens the console on them.
@main
struct Signalbox: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "signalbox",
        abstract: "A terminal operations console for event-driven microservices, and the local AWS-compatible stack it watches.",
        version: version,
        subcommands: [StartCommand.self, ConsoleCommand.self, ServeCommand.self, DemoCommand.self, TailCommand.self, TapCommand.self],
        defaultSubcommand: StartCommand.self
    )
}
