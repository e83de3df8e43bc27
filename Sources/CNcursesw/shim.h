#ifndef FLUX_DISPATCH_CNCURSESW_SHIM_H
#define FLUX_DISPATCH_CNCURSESW_SHIM_H

// The wide-character ncurses API (cchar_t, wget_wch, mvadd_wch) needs these before the header.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Macros and globals Swift cannot import directly.
static inline unsigned int fd_color_pair(int pair) { return (unsigned int)COLOR_PAIR(pair); }
static inline int fd_lines(void) { return LINES; }
static inline int fd_cols(void) { return COLS; }
static inline int fd_colors(void) { return COLORS; }
static inline int fd_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *fd_stdscr(void) { return stdscr; }
static inline int fd_key_resize(void) { return KEY_RESIZE; }
static inline unsigned int fd_a_bold(void) { return (unsigned int)A_BOLD; }
static inline unsigned int fd_a_underline(void) { return (unsigned int)A_UNDERLINE; }
static inline unsigned int fd_a_reverse(void) { return (unsigned int)A_REVERSE; }
static inline unsigned int fd_a_dim(void) { return (unsigned int)A_DIM; }
static inline unsigned int fd_a_normal(void) { return (unsigned int)A_NORMAL; }

/// Puts one character with attributes and colour pair at (y, x) through the wide-character API.
static inline int fd_put_wchar(int y, int x, wchar_t ch, unsigned int attrs, short pair) {
    cchar_t cell;
    wchar_t text[2] = { ch, 0 };
    if (setcchar(&cell, text, (attr_t)attrs, pair, NULL) != OK) return ERR;
    return mvadd_wch(y, x, &cell);
}

/// Columns a character takes on the terminal (-1 for non-printable).
int wcwidth(wchar_t c);
static inline int fd_wcwidth(wchar_t c) { return wcwidth(c); }

/// Reads one key: returns KEY_CODE_YES for function keys, OK for characters, ERR on timeout.
static inline int fd_get_wch(wint_t *out) { return get_wch(out); }

#endif
