/// What a cell means, not how it looks. Themes map each role to a `Style`, so a pane says
/// "this is an open breaker" and the operator's theme decides whether that is red, bold, or
/// both (and stays readable for red-green colour blindness or with `NO_COLOR`).
///
/// Roles are open: the terminal layer declares only the chrome every screen has (text, borders,
/// dialogs, the status bar); the application declares its own (`breaker-open`, `saga-stuck`, …)
/// as `extension Role { static let … = Role("…") }`. A role *is* its name, the key used in theme
/// files, so two declarations of one name are one role.
public struct Role: Sendable, Hashable, CustomStringConvertible {
    /// The name used in theme files (`border-focus`, `breaker-half-open`, …).
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }

    public static let background = Role("background")
    public static let text = Role("text")
    public static let muted = Role("muted")
    public static let border = Role("border")
    public static let borderFocus = Role("border-focus")
    public static let title = Role("title")
    public static let titleFocus = Role("title-focus")
    public static let accent = Role("accent")
    public static let ok = Role("ok")
    public static let warn = Role("warn")
    public static let error = Role("error")
    public static let info = Role("info")
    public static let selection = Role("selection")
    public static let statusBar = Role("status-bar")
    public static let commandBar = Role("command-bar")
    public static let dialog = Role("dialog")
    public static let dialogButton = Role("dialog-button")
    public static let dialogButtonDefault = Role("dialog-button-default")
    public static let toast = Role("toast")

    /// The chrome roles, in the order theme documentation lists them.
    public static let chrome: [Role] = [
        .background, .text, .muted, .border, .borderFocus, .title, .titleFocus, .accent, .ok, .warn, .error, .info,
        .selection, .statusBar, .commandBar, .dialog, .dialogButton, .dialogButtonDefault, .toast,
    ]
}
