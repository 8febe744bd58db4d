import StatesLanguage
import Synchronization

/// State machines as StartExecution needs them — the row and its parsed definition — so a
/// start neither reads the store nor parses the ASL again. Update and Delete invalidate; a load
/// that raced with one is not kept (the generation moved on meanwhile).
final class MachineCache: Sendable {
    struct Entry: Sendable {
        var machine: SagaService.Machine
        var definition: StateMachineDefinition
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var generation = 0
    }

    private let state = Mutex(State())
    static let capacity = 1024

    func entry(_ arn: String) -> Entry? { state.withLock { $0.entries[arn] } }

    /// Read before loading; pass it to `keep`.
    var generation: Int { state.withLock { $0.generation } }

    func keep(_ entry: Entry, arn: String, loadedAt generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll() }
            state.entries[arn] = entry
        }
    }

    func invalidate(_ arn: String) {
        state.withLock { state in
            state.entries[arn] = nil
            state.generation += 1
        }
    }
}
