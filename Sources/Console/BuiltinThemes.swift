// Generated from themes/*.toml by scripts/embed-themes; ThemeTests check they match.

/// The shipped themes, embedded so the binary needs no files beside it.
enum BuiltinThemes {
    static let sources: [String: String] = [
        "colorblind": #"""
# Signalbox colour-blind-safe theme (dark): the Okabe-Ito palette. Red-green pairs are
# replaced by blue/orange/vermillion, and failure states also carry bold or reverse so no
# state depends on hue alone.
name = "colorblind"
description = "Safe for red-green colour blindness (Okabe-Ito)"

[roles]
background = { fg = "#d0d0d0", bg = "#1a1a1a" }
text = { fg = "#d0d0d0" }
muted = { fg = "#808080" }
border = { fg = "#4d4d4d" }
border-focus = { fg = "#56b4e9", bold = true }
title = { fg = "#a0a0a0" }
title-focus = { fg = "#ffffff", bold = true }
accent = { fg = "#56b4e9" }
ok = { fg = "#0072b2" }
warn = { fg = "#e69f00", bold = true }
error = { fg = "#d55e00", bold = true, underline = true }
info = { fg = "#56b4e9" }
selection = { fg = "#000000", bg = "#f0e442" }
status-bar = { fg = "#d0d0d0", bg = "#333333" }
command-bar = { fg = "#ffffff", bg = "#1a1a1a" }
dialog = { fg = "#ffffff", bg = "#333333" }
dialog-button = { fg = "#d0d0d0", bg = "#4d4d4d" }
dialog-button-default = { fg = "#000000", bg = "#56b4e9", bold = true }
toast = { fg = "#000000", bg = "#f0e442" }
breaker-closed = { fg = "#0072b2" }
breaker-open = { fg = "#d55e00", bold = true, reverse = true }
breaker-half-open = { fg = "#e69f00", bold = true }
breaker-forced = { fg = "#cc79a7", bold = true, underline = true }
saga-running = { fg = "#56b4e9" }
saga-succeeded = { fg = "#0072b2" }
saga-failed = { fg = "#d55e00", bold = true, reverse = true }
saga-compensating = { fg = "#cc79a7" }
saga-stuck = { fg = "#e69f00", bold = true, reverse = true }
sparkline = { fg = "#56b4e9" }
"""#,
        "default": #"""
# Signalbox default theme: dark background, calm chrome, loud states.
# Each role takes fg, bg (#rrggbb, a 0-255 palette index, or an ANSI name such as "red",
# "bright-blue", "default") and attributes (bold, dim, reverse, underline, italic).
name = "default"
description = "Dark, for most terminals"

[roles]
background = { fg = "#c8d3e0", bg = "#161b22" }
text = { fg = "#c8d3e0" }
muted = { fg = "#6e7b8b" }
border = { fg = "#3b4654" }
border-focus = { fg = "#58a6ff", bold = true }
title = { fg = "#8b98a9" }
title-focus = { fg = "#ffffff", bold = true }
accent = { fg = "#58a6ff" }
ok = { fg = "#3fb950" }
warn = { fg = "#d29922" }
error = { fg = "#f85149", bold = true }
info = { fg = "#79c0ff" }
selection = { fg = "#ffffff", bg = "#264f78" }
status-bar = { fg = "#c8d3e0", bg = "#21262d" }
command-bar = { fg = "#ffffff", bg = "#161b22" }
dialog = { fg = "#e6edf3", bg = "#2d333b" }
dialog-button = { fg = "#c8d3e0", bg = "#444c56" }
dialog-button-default = { fg = "#ffffff", bg = "#58a6ff", bold = true }
toast = { fg = "#ffffff", bg = "#2d333b" }
breaker-closed = { fg = "#3fb950" }
breaker-open = { fg = "#f85149", bold = true }
breaker-half-open = { fg = "#d29922" }
breaker-forced = { fg = "#ff7b72", bold = true, underline = true }
saga-running = { fg = "#79c0ff" }
saga-succeeded = { fg = "#3fb950" }
saga-failed = { fg = "#f85149", bold = true }
saga-compensating = { fg = "#d2a8ff" }
saga-stuck = { fg = "#ff9f43", bold = true, reverse = true }
sparkline = { fg = "#58a6ff" }
"""#,
        "high-contrast": #"""
# Signalbox high-contrast theme: pure black and white with saturated state colours and
# attributes on every state, for glare, projectors and low vision.
name = "high-contrast"
description = "Maximum contrast"

[roles]
background = { fg = "white", bg = "black" }
text = { fg = "bright-white" }
muted = { fg = "white" }
border = { fg = "white" }
border-focus = { fg = "bright-yellow", bold = true }
title = { fg = "bright-white" }
title-focus = { fg = "bright-yellow", bold = true, underline = true }
accent = { fg = "bright-cyan", bold = true }
ok = { fg = "bright-green", bold = true }
warn = { fg = "bright-yellow", bold = true }
error = { fg = "bright-red", bold = true, underline = true }
info = { fg = "bright-cyan" }
selection = { fg = "black", bg = "bright-yellow", bold = true }
status-bar = { fg = "black", bg = "bright-white" }
command-bar = { fg = "bright-white", bg = "black", bold = true }
dialog = { fg = "bright-white", bg = "black" }
dialog-button = { fg = "bright-white", bg = "black", reverse = true }
dialog-button-default = { fg = "black", bg = "bright-yellow", bold = true }
toast = { fg = "black", bg = "bright-white" }
breaker-closed = { fg = "bright-green", bold = true }
breaker-open = { fg = "bright-red", bold = true, reverse = true }
breaker-half-open = { fg = "bright-yellow", bold = true }
breaker-forced = { fg = "bright-magenta", bold = true, underline = true }
saga-running = { fg = "bright-cyan", bold = true }
saga-succeeded = { fg = "bright-green" }
saga-failed = { fg = "bright-red", bold = true, reverse = true }
saga-compensating = { fg = "bright-magenta", bold = true }
saga-stuck = { fg = "bright-yellow", bold = true, reverse = true }
sparkline = { fg = "bright-cyan" }
"""#,
        "light": #"""
# Signalbox light theme: for light terminal backgrounds and bright rooms.
name = "light"
description = "Light background"

[roles]
background = { fg = "#24292f", bg = "#ffffff" }
text = { fg = "#24292f" }
muted = { fg = "#6e7781" }
border = { fg = "#afb8c1" }
border-focus = { fg = "#0969da", bold = true }
title = { fg = "#57606a" }
title-focus = { fg = "#000000", bold = true }
accent = { fg = "#0969da" }
ok = { fg = "#1a7f37" }
warn = { fg = "#9a6700" }
error = { fg = "#cf222e", bold = true }
info = { fg = "#0550ae" }
selection = { fg = "#000000", bg = "#b6e3ff" }
status-bar = { fg = "#24292f", bg = "#eaeef2" }
command-bar = { fg = "#000000", bg = "#ffffff" }
dialog = { fg = "#24292f", bg = "#f6f8fa" }
dialog-button = { fg = "#24292f", bg = "#d0d7de" }
dialog-button-default = { fg = "#ffffff", bg = "#0969da", bold = true }
toast = { fg = "#24292f", bg = "#fff8c5" }
breaker-closed = { fg = "#1a7f37" }
breaker-open = { fg = "#cf222e", bold = true }
breaker-half-open = { fg = "#9a6700" }
breaker-forced = { fg = "#a40e26", bold = true, underline = true }
saga-running = { fg = "#0550ae" }
saga-succeeded = { fg = "#1a7f37" }
saga-failed = { fg = "#cf222e", bold = true }
saga-compensating = { fg = "#8250df" }
saga-stuck = { fg = "#bc4c00", bold = true, reverse = true }
sparkline = { fg = "#0969da" }
"""#,
        "mono": #"""
# Signalbox mono theme: attributes only, no colour at all. NO_COLOR selects it. Every state
# stays distinguishable through bold, dim, underline and reverse (and the words shown).
name = "mono"
description = "No colour: attributes only (NO_COLOR)"

[roles]
background = {}
text = {}
muted = { dim = true }
border = { dim = true }
border-focus = { bold = true }
title = {}
title-focus = { bold = true, underline = true }
accent = { bold = true }
ok = {}
warn = { bold = true }
error = { bold = true, underline = true }
info = {}
selection = { reverse = true }
status-bar = { reverse = true }
command-bar = { bold = true }
dialog = {}
dialog-button = {}
dialog-button-default = { reverse = true, bold = true }
toast = { reverse = true }
breaker-closed = {}
breaker-open = { bold = true, reverse = true }
breaker-half-open = { bold = true }
breaker-forced = { bold = true, underline = true }
saga-running = {}
saga-succeeded = { dim = true }
saga-failed = { bold = true, reverse = true }
saga-compensating = { underline = true }
saga-stuck = { bold = true, underline = true }
sparkline = {}
"""#,
    ]
}
