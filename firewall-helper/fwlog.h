/*
 * fwlog.h - the helper's one line per change (block, refresh, unblock,
 * expire, evict), written in batches.
 *
 * With stderr logging (-f, as under systemd's journal) the lines are
 * collected in a 64 KiB buffer and written with one write(2) by
 * fwlog_flush(), which fwcore calls after each commit (so a block is
 * logged once it is committed, with the rest of its batch), or when the
 * buffer fills: one syscall per batch instead of one per change.  Lines
 * keep log.c's form ("IDENT[PID]: text").  Warnings and other lines go
 * through log.c at once, so they may come out ahead of change lines staged
 * before them.  With syslog, and before fwlog_init(), each line goes to
 * log_info() as it comes.
 */
#ifndef FWH_FWLOG_H
#define FWH_FWLOG_H

#include <stdbool.h>
#include <stddef.h>

/* After daemon(): the pid in the prefix is this process's. */
void fwlog_init(const char *ident, bool to_stderr);
void fwlog_change(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line already made, n bytes without LF (cut at LOG_LINE_MAX - 1). */
void fwlog_put(const char *line, size_t n);
void fwlog_flush(void);

#endif
