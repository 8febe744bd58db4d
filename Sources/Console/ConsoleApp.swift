import Foundation
import Provider
import Terminal
import Timekeeping

/// The console's run loop. The terminal is driven from one dedicated thread; the provider's
/// snapshots and action results reach it through a `Mailbox`, never by calling ncurses.
public enum ConsoleApp {
    public struct Options: Sendable {
        public var theme: Theme
        public var catalog: ThemeCatalog
        public var readOnly: Bool
        public var noColor: Bool
        public var keymap: Keymap
        /// Clicks and the wheel (`mouse = false` in config.toml turns them off).
        public var mouse: Bool
        /// Where actions sent to the system are recorded (nil: not recorded).
        public var audit: AuditTrail?
        /// Who the operator is: the audit trail's `user`; the provider must send actions as the
        /// same name.
        public var operatorName: String
        /// The loop's one source of time: the status-bar clock, toasts' expiry, resize
        /// settling and audit times.
        public var clock: any TimeSource
        /// The panes, configured (the Sagas pane's key paths and stuck rules).
        public var registry: PaneRegistry

        public init(theme: Theme, catalog: ThemeCatalog, readOnly: Bool, noColor: Bool, keymap: Keymap, operatorName: String, mouse: Bool = true,
                    audit: AuditTrail? = AuditTrail.defaultPath.map(AuditTrail.init(path:)),
                    clock: any TimeSource = SystemClock(), registry: PaneRegistry = .standard) {
            self.registry = registry
            self.audit = audit
            self.clock = clock
            self.operatorName = operatorName
            self.mouse = mouse
            self.theme = theme
            self.catalog = catalog
            self.readOnly = readOnly
            self.noColor = noColor
            self.keymap = keymap
        }
    }

    /// How the console ended.
    public enum Outcome: Sendable, Equatable {
        case quit
        case signal(Int32)
    }

    /// Runs until the operator quits or a termination signal arrives. The terminal is restored
    /// before this returns or throws.
    public static func run(provider: any SystemProvider, options: Options) async throws -> Outcome {
        let mailbox = Mailbox()
        let feed = Task {
            for await snapshot in provider.snapshots() { mailbox.post(snapshot) }
            mailbox.finish()
        }
        defer { feed.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let outcome = try loop(provider: provider, options: options, mailbox: mailbox)
                    continuation.resume(returning: outcome)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "signalbox-terminal"
            thread.start()
        }
    }

    /// The terminal thread: read keys, apply them, draw when something changed.
    static func loop(provider: any SystemProvider, options: Options, mailbox: Mailbox) throws -> Outcome {
        let backend = try NcursesBackend(noColor: options.noColor, mouse: options.mouse)
        defer { backend.stop() }
        backend.apply(styles: options.theme.resolvedStyles)

        let clock = options.clock
        var state = ConsoleState(snapshot: .notConnected(endpoint: provider.endpoint, reason: "waiting for the provider"),
                                 now: clock.wallClockNow.date, readOnly: options.readOnly, themeName: options.theme.name,
                                 availableThemes: options.catalog.names, registry: options.registry, keymap: options.keymap)
        var debouncer = ResizeDebouncer()
        var pacing = SnapshotPacing()
        /// The newest snapshot posted and not yet taken (`SnapshotPacing` may hold it until
        /// the clock's next frame).
        var waiting: SystemSnapshot?
        var dirty = true
        var allocator = AllocatorReport()

        while true {
            if let signal = backend.takeSignal() { return .signal(signal) }
            allocator.writeIfDue(second: clock.wallClockNow.wholeSeconds)
            // The clock first: a snapshot taken in is then anchored (`receive`) at the time the
            // frame is drawn at, and the panes' bodies built for it serve the frame too.
            if state.tick(now: clock.wallClockNow.date) { dirty = true }
            let inbox = mailbox.drain()
            if let snapshot = inbox.snapshot { waiting = snapshot }
            for (text, level) in inbox.messages { state.showToast(text, level: level); dirty = true }
            if debouncer.shouldApply(at: clock.now) {
                backend.invalidate()
                dirty = true
            }
            if let snapshot = waiting, pacing.takesNow(at: clock.now, redrawing: dirty) {
                waiting = nil
                state.receive(snapshot)
                state.offerTapIfDue()
                dirty = true
            }
            if dirty && !debouncer.isPending {
                provider.watch(state.visibleSections)
                provider.watch(executions: state.executionsOnScreen)
                provider.watch(queues: state.queuesOnScreen)
                provider.filterEvents(pattern: state.streamFilter)
                let (frame, pageSize) = Screen.render(state, size: backend.size)
                state.pageSize = pageSize
                state.screenSize = frame.size
                backend.present(frame)
                dirty = false
            }

            // Sleep until a key, the next clock second (where a snapshot held back is taken),
            // or the resize settling; at most 200 ms so snapshots from the provider show
            // promptly. Idle cost: a few wake-ups a second.
            let untilSecond = 1000 - Int(clock.wallClockNow.milliseconds % 1000) + 1
            var timeout = min(200, untilSecond)
            if let due = debouncer.timeUntilDue(at: clock.now) {
                timeout = min(timeout, Int(due.components.attoseconds / 1_000_000_000_000_000) + 1)
            }
            guard let key = backend.readKey(timeoutMilliseconds: max(1, timeout)) else { continue }
            if key == .resize {
                debouncer.noteResize(at: clock.now)
                continue
            }
            state.now = clock.wallClockNow.date
            let effects = state.handle(key)
            state.offerTapIfDue()
            dirty = true
            for effect in effects {
                switch effect {
                case .quit:
                    return .quit
                case .perform(let action, let reason):
                    let audit = options.audit, user = options.operatorName
                    Task {
                        let outcome: String
                        do {
                            let result = try await provider.perform(action)
                            outcome = "done: " + result
                            mailbox.post(message: result, level: .info)
                        } catch {
                            outcome = "failed: \(error)"
                            mailbox.post(message: "failed: \(action.summary): \(error)", level: .error)
                        }
                        do {
                            try audit?.append(AuditTrail.Entry(time: clock.wallClockNow.date, user: user,
                                                               endpoint: provider.endpoint, action: action, outcome: outcome,
                                                               reason: reason))
                        } catch {
                            mailbox.post(message: "audit trail not written: \(error)", level: .error)
                        }
                    }
                case .copyToClipboard(let text):
                    backend.copyToClipboard(text)
                case .write(let prompt):
                    switch FileExport.write(prompt) {
                    case .written(let path, let bytes):
                        state.showToast("wrote \(prompt.export.what) to \(path) (\(bytes) bytes)")
                    case .exists:
                        state.askToOverwrite(prompt)
                    case .failed(let reason):
                        state.showToast("not written: \(prompt.path): \(reason)", level: .error)
                    }
                case .applyTheme(let spec):
                    do {
                        let theme = try options.catalog.theme(named: spec)
                        if options.noColor && theme.name != "mono" {
                            state.showToast("NO_COLOR is set: colours stay off", level: .warn)
                        } else {
                            backend.apply(styles: theme.resolvedStyles)
                            state.themeName = theme.name
                            state.showToast("theme: \(theme.name)")
                        }
                    } catch {
                        state.showToast("theme not applied: \(error)", level: .error)
                    }
                }
            }
        }
    }
}
