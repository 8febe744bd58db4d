#ifndef SIGNALBOX_CNCURSES_SHIM_H
#define SIGNALBOX_CNCURSES_SHIM_H
// The wide-character API only appears with these defined in the header itself
// (SwiftPM drops the -D flags pkg-config would add).
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <ncursesw/ncurses.h>

// Attribute macros do not import into Swift.
static inline attr_t sb_attr_bold(void) { return A_BOLD; }
static inline attr_t sb_attr_dim(void) { return A_DIM; }
static inline attr_t sb_attr_reverse(void) { return A_REVERSE; }
static inline attr_t sb_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t sb_attr_italic(void) { return A_ITALIC; }
static inline attr_t sb_attr_normal(void) { return A_NORMAL; }

// Global mutable state is rejected by Swift 6; read it through functions.
static inline WINDOW *sb_stdscr(void) { return stdscr; }
static inline int sb_lines(void) { return LINES; }
static inline int sb_cols(void) { return COLS; }
static inline int sb_colors(void) { return COLORS; }
static inline int sb_color_pairs(void) { return COLOR_PAIRS; }
static inline int sb_key_f(int n) { return KEY_F(n); }
static inline int sb_key_code_yes(void) { return KEY_CODE_YES; }

// Mouse: mask macros do not import; MEVENT is read through one call.
static inline int sb_key_mouse(void) { return KEY_MOUSE; }
static inline mmask_t sb_mouse_left_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t sb_mouse_left_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t sb_mouse_wheel_up(void) { return BUTTON4_PRESSED; }
static inline mmask_t sb_mouse_wheel_down(void) { return BUTTON5_PRESSED; }
// Reports presses at once (no click-detection delay) for the left button and the wheel.
static inline void sb_enable_mouse(void) {
    mouseinterval(0);
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
}
static inline int sb_get_mouse(int *x, int *y, mmask_t *state) {
    MEVENT event;
    if (getmouse(&event) != OK) return ERR;
    *x = event.x; *y = event.y; *state = event.bstate;
    return OK;
}

// One cell: a grapheme cluster (up to CCHAR_MAX code points) with attributes and a colour pair.
static inline int sb_put_cell(int y, int x, const wchar_t *wch, attr_t attrs, int pair) {
    cchar_t cell;
    if (setcchar(&cell, wch, attrs, 0, &pair) != OK) return ERR;
    return mvwadd_wch(stdscr, y, x, &cell);
}

// Read one cell's characters back (tests read the screen ncurses holds).
static inline int sb_read_cell(int y, int x, wchar_t *out, int max) {
    cchar_t cell;
    if (mvwin_wch(stdscr, y, x, &cell) != OK) return ERR;
    attr_t attrs; short pair;
    wchar_t buffer[16];
    if (getcchar(&cell, buffer, &attrs, &pair, NULL) == ERR) return ERR;
    int n = 0;
    while (n < max - 1 && buffer[n] != 0) { out[n] = buffer[n]; n++; }
    out[n] = 0;
    return n;
}

#endif
