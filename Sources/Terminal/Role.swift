/// What a cell means, not how it looks. Themes map each role to a `Style`, so a pane says
/// "this is an open breaker" and the operator's theme decides whether that is red, bold, or
/// both (and stays readable for red-green colour blindness or with `NO_COLOR`).
public enum Role: UInt8, CaseIterable, Sendable, Hashable {
    case background
    case text
    case muted
    case border
    case borderFocus
    case title
    case titleFocus
    case accent
    case ok
    case warn
    case error
    case info
    case selection
    case statusBar
    case commandBar
    case dialog
    case dialogButton
    case dialogButtonDefault
    case toast
    case breakerClosed
    case breakerOpen
    case breakerHalfOpen
    case breakerForced
    case sagaRunning
    case sagaSucceeded
    case sagaFailed
    case sagaCompensating
    case sagaStuck
    case sparkline

    /// The name used in theme files (`border-focus`, `breaker-half-open`, …).
    public var name: String {
        switch self {
        case .background: "background"
        case .text: "text"
        case .muted: "muted"
        case .border: "border"
        case .borderFocus: "border-focus"
        case .title: "title"
        case .titleFocus: "title-focus"
        case .accent: "accent"
        case .ok: "ok"
        case .warn: "warn"
        case .error: "error"
        case .info: "info"
        case .selection: "selection"
        case .statusBar: "status-bar"
        case .commandBar: "command-bar"
        case .dialog: "dialog"
        case .dialogButton: "dialog-button"
        case .dialogButtonDefault: "dialog-button-default"
        case .toast: "toast"
        case .breakerClosed: "breaker-closed"
        case .breakerOpen: "breaker-open"
        case .breakerHalfOpen: "breaker-half-open"
        case .breakerForced: "breaker-forced"
        case .sagaRunning: "saga-running"
        case .sagaSucceeded: "saga-succeeded"
        case .sagaFailed: "saga-failed"
        case .sagaCompensating: "saga-compensating"
        case .sagaStuck: "saga-stuck"
        case .sparkline: "sparkline"
        }
    }

    public init?(name: String) {
        guard let role = Role.allCases.first(where: { $0.name == name }) else { return nil }
        self = role
    }
}
