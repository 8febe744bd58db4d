#include "terminal_support.h"
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t received = 0;

static void flag_handler(int sig) { received = sig; }

int sb_install_signal(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = flag_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    return sigaction(sig, &action, NULL);
}

int sb_take_signal(void) {
    int sig = received;
    received = 0;
    return sig;
}

int sb_restore_default_signal(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    return sigaction(sig, &action, NULL);
}

static struct termios saved_tty;
static int saved_tty_valid = 0;
static const int fatal_signals[] = { SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE };

static void crash_handler(int sig) {
    if (saved_tty_valid) tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
    // Attributes off, main screen, cursor shown, mouse reports off (SGR and normal tracking).
    static const char restore[] = "\033[0m\033[?1049l\033[?25h\033[?1006l\033[?1000l\r\n";
    ssize_t ignored = write(STDOUT_FILENO, restore, sizeof restore - 1);
    (void)ignored;
    signal(sig, SIG_DFL);
    raise(sig);
}

void sb_install_crash_restore(void) {
    if (tcgetattr(STDIN_FILENO, &saved_tty) == 0) saved_tty_valid = 1;
    for (unsigned i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = crash_handler;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        sigaction(fatal_signals[i], &action, NULL);
    }
}

void sb_remove_crash_restore(void) {
    for (unsigned i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) signal(fatal_signals[i], SIG_DFL);
    saved_tty_valid = 0;
}
