import ArgumentParser

/// `signalbox console`: opens the TUI.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the operations console."
    )

    func run() async throws {
        print("signalbox console")
    }
}
