#ifndef SIGNALBOX_TERMINAL_SUPPORT_H
#define SIGNALBOX_TERMINAL_SUPPORT_H
// Signal handling the terminal layer needs and Swift cannot express safely: handlers must be
// async-signal-safe, so they only set a flag (termination signals) or restore the tty with
// write/tcsetattr and re-raise (fatal signals).

/// Installs a flag-setting handler for `sig` without SA_RESTART, so a blocked read returns.
int sb_install_signal(int sig);
/// The last termination signal received (0 if none), clearing it.
int sb_take_signal(void);
/// Puts back the default disposition of `sig`.
int sb_restore_default_signal(int sig);
/// Saves the tty modes of stdin and installs last-resort handlers for fatal signals (a Swift
/// trap is SIGILL or SIGTRAP) that restore them, leave the alternate screen, show the cursor
/// and re-raise.
void sb_install_crash_restore(void);
void sb_remove_crash_restore(void);
#endif
