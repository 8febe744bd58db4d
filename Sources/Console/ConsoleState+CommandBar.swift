import Foundation
import Terminal

/// The `:` command bar: editing, history, completion, and the commands it runs (a pane's name,
/// `:trace KEY`, `:tap`, `:theme`, `:zoom`, `:help`, `:messages`, `:q`). `handle(_:)` sends it every key
/// while the bar is open.
extension ConsoleState {
    mutating func handleCommandKey(_ key: Key, bar: inout CommandBar) -> [ConsoleEffect] {
        switch key {
        case .escape:
            mode = .normal
        case .enter:
            mode = .normal
            let line = bar.text.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { return [] }
            if history.last != line { history.append(line) }
            if history.count > 100 { history.removeFirst(history.count - 100) }
            return execute(line)
        case .backspace:
            if bar.text.isEmpty { mode = .normal; return [] }
            bar.text.removeLast()
            bar.candidates = []
            mode = .command(bar)
        case .ctrl("u"):
            bar.text = ""
            mode = .command(bar)
        case .up:
            guard !history.isEmpty else { return [] }
            let index = max(0, (bar.historyIndex ?? history.count) - 1)
            bar.historyIndex = index
            bar.text = history[index]
            mode = .command(bar)
        case .down:
            guard let index = bar.historyIndex else { return [] }
            if index + 1 < history.count {
                bar.historyIndex = index + 1
                bar.text = history[index + 1]
            } else {
                bar.historyIndex = nil
                bar.text = ""
            }
            mode = .command(bar)
        case .tab:
            complete(&bar)
            mode = .command(bar)
        case .character(let c):
            bar.text.append(c)
            bar.candidates = []
            mode = .command(bar)
        default:
            break
        }
        return []
    }

    /// Completes the command word, the theme name after `theme `, or after `trace ` a business
    /// key the console holds (the Trace pane's `argumentCompletions`: from the events, sagas
    /// and messages held, most recent first).
    func completions(for text: String) -> (prefix: String, options: [String]) {
        if text.hasPrefix("theme ") {
            let partial = String(text.dropFirst(6))
            return ("theme ", availableThemes.filter { $0.hasPrefix(partial) })
        }
        if text.hasPrefix("trace "), let trace = registry.pane(.trace) {
            let partial = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
            let keys = trace.argumentCompletions(context(for: .trace)).filter { $0.hasPrefix(partial) }
            return ("trace ", Array(keys.prefix(Self.completionLimit)))
        }
        if text.contains(" ") { return (text, []) }
        return ("", commands.filter { $0.hasPrefix(text) && $0 != "q" })
    }

    /// The most candidates the bar lists (they share its one line; typing more narrows them).
    static let completionLimit = 50

    private func complete(_ bar: inout CommandBar) {
        let (prefix, options) = completions(for: bar.text)
        bar.candidates = options
        guard let first = options.first else { return }
        if options.count == 1 {
            bar.text = prefix + first + (prefix.isEmpty && first == "theme" ? " " : "")
            bar.candidates = []
            return
        }
        var common = first
        for option in options.dropFirst() {
            while !option.hasPrefix(common) { common.removeLast() }
        }
        if (prefix + common).count > bar.text.count { bar.text = prefix + common }
    }

    private mutating func execute(_ line: String) -> [ConsoleEffect] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let name = words[0]
        if registry.pane(PaneID(name)) != nil, words.count == 1 {
            show(PaneID(name))
            return []
        }
        switch (name, words.count) {
        case ("q", 1), ("quit", 1), ("q!", 1), ("qa", 1):
            return [.quit]
        case ("help", 1):
            mode = .help(scroll: 0)
        case ("messages", 1):
            mode = .messages(scroll: 0)
        case ("zoom", 1):
            zoomed.toggle()
        case ("tap", 1):
            tapCommand()
        case ("theme", 1):
            showToast("theme: \(themeName) (available: \(availableThemes.joined(separator: ", ")))")
        case ("theme", 2):
            return [.applyTheme(words[1])]
        case ("trace", _) where words.count > 1 && registry.pane(.trace) != nil:
            // The key as typed after the command word (a key may hold spaces).
            let key = line.drop { $0 != " " }.trimmingCharacters(in: .whitespaces)
            follow(PaneLink(pane: .trace, filter: key))
        default:
            showToast("unknown command: \(line) — try :help, :queues, :theme NAME, :q", level: .error)
        }
        return []
    }
}
