/*
 * log.h - one logging module for both daemons.
 *
 * syslog (facility mail) by default, stderr when log_init() is told so.
 * On stderr a line is "IDENT[PID]: text", unless stderr is systemd's journal
 * (JOURNAL_STREAM names its device and inode): then "<N>text", N the
 * syslog priority, which journald reads as the line's priority, and no
 * ident and pid, which journald adds itself.
 * log_warn() and fatal() append strerror(errno); the *x variants do not.
 * fatal*() is for start-up and broken invariants only: it exits (EX_SOFTWARE
 * unless fatal_code is given via fatalc).  Lines are cut at LOG_LINE_MAX.
 *
 * Untrusted text (hostnames, HELO, sender, anything from a peer) goes through
 * log_esc() first: printable ASCII kept, '\' and '"' and everything else as
 * \xNN, cut at the destination size with "..." appended.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>

#define LOG_LINE_MAX 2048

void log_init(const char *ident, int to_stderr, int verbose);
int  log_verbose(void);
/* stderr is the journal's stream (after log_init(..., to_stderr, ...)). */
int  log_journal(void);
/* What a line written to fp outside log_*() starts with for priority pri
 * (LOG_ERR, ...): "<N>" on stderr when it is the journal, else "". */
const char *log_line_start(FILE *fp, int pri);

/*
 * Cold: a request that is answered logs through answerlog, not these, so
 * a call to one of them marks an error, start-up or summary path, and GCC
 * moves those paths (and their escape buffers) out of the hot functions.
 * On a DNS-cache hit policyd's code is spread over 30 pages instead of 33;
 * it touches as many code lines as before (380-385) and 203 data lines
 * instead of 207 (valgrind lackey, lines and pages touched between two
 * reads).  Requests per second: 103% of the build without over 14
 * alternating rounds, 100% over 40 - within this machine's noise.
 */
void log_debug(const char *fmt, ...) __attribute__((cold, format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((cold, format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((cold, format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((cold, format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fatal with an explicit exit code, no errno. */
_Noreturn void fatalc(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Escape srclen bytes of src into dst (always NUL-terminated); returns dst. */
char *log_esc(char *dst, size_t dstsize, const char *src, size_t srclen);
/* Same for a C string, or "-" for NULL. */
char *log_escs(char *dst, size_t dstsize, const char *src);

#endif
