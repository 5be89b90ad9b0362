/*
 * linebatch.h - log lines gathered in a buffer and written to stderr with
 * one write(2) per batch, each in log.c's form ("IDENT[PID]: text\n").
 *
 * For the daemons' one-line-per-event logs under -f (systemd's journal
 * reads stderr): policyd's request lines (answerlog.c, flushed by a timer)
 * and the helper's change lines (fwlog.c, flushed at each commit).  The
 * owner says when to flush; a put that would overflow the buffer flushes
 * first.  An inactive batch (syslog, or not set up yet) hands every line to
 * log_info() at once.  A line is cut at LOG_LINE_MAX - 1 bytes.  A failed
 * write drops the batch: there is nowhere else to log.
 */
#ifndef COMMON_LINEBATCH_H
#define COMMON_LINEBATCH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define LINEBATCH_BUF (64 * 1024)

struct linebatch {
	bool   active;
	size_t prefixlen, len;
	char   prefix[96];
	char   buf[LINEBATCH_BUF];
};

/* After daemon() or fork: the prefix holds this process's pid. */
void linebatch_init(struct linebatch *b, const char *ident, bool to_stderr);
/* line: n bytes, no LF.  true when it was buffered (false: logged now). */
bool linebatch_put(struct linebatch *b, const char *line, size_t n);
/* The same for a line formatted by vsnprintf. */
bool linebatch_vprintf(struct linebatch *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void linebatch_flush(struct linebatch *b);

#endif
