/*
 * answerlog.h - the one log line per answered request, written in batches.
 *
 * With stderr logging (-f, as under systemd's journal) lines are collected
 * in a 64 KiB buffer and written with one write(2) when it fills or 20 ms
 * after its first line (a timer), and at answerlog_fini(): one syscall per
 * many requests instead of one per request.  Lines keep log.c's form
 * ("IDENT[PID]: text").  Other log lines (warnings) are written at once, so
 * they may come out up to 20 ms ahead of request lines answered before
 * them; a crash loses at most those 20 ms of request lines.  With syslog, each line goes to
 * log_info() as it comes.  Before answerlog_init() (unit tests, tools)
 * lines go to log_info() too.
 */
#ifndef POLICYD_ANSWERLOG_H
#define POLICYD_ANSWERLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "common/log.h"

struct ev_loop;

/*
 * A line built by hand, for the hot path (printf's format parsing was most
 * of the cost of a request's line).  logline_esc() follows log_esc()'s
 * rules - printable ASCII kept, '\\', '"' and the rest as \xNN, NULL as "-" -
 * and writes at most cut bytes, ending in "..." when it had to cut.
 */
struct logline {
	char   buf[LOG_LINE_MAX];
	size_t len;
};

void logline_put(struct logline *l, const char *s);
/* Inline: with a constant n (LOGLINE_LIT) the copy is a few moves (n
 * stays constant on the path where it fits). */
static inline void logline_putn(struct logline *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - l->len;

	if (n > room) {
		memcpy(l->buf + l->len, s, room);
		l->len += room;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}
/* A string literal, its length known at compile time. */
#define LOGLINE_LIT(l, lit) logline_putn((l), (lit), sizeof(lit) - 1)
void logline_esc(struct logline *l, const char *s, size_t cut);
void logline_num(struct logline *l, unsigned long long v, int mindigits);

/* ident is copied. */
void answerlog_init(struct ev_loop *loop, const char *ident, bool to_stderr);
void answerlog_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line already formatted (no LF), len bytes, cut at LOG_LINE_MAX. */
void answerlog_put(const char *line, size_t len);
void answerlog_flush(void);
void answerlog_fini(void);      /* flushes; back to log_info() */

#endif
