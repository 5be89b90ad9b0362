/*
 * fwlog.c - batched change log lines (see fwlog.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "firewall-helper/fwlog.h"

#define FWLOG_BUF (64 * 1024)

static struct {
	bool   active;
	char   prefix[96];
	size_t prefixlen;
	size_t len;
	char   buf[FWLOG_BUF];
} fl;

void fwlog_init(const char *ident, bool to_stderr)
{
	fl.active = to_stderr;
	fl.len = 0;
	snprintf(fl.prefix, sizeof(fl.prefix), "%s[%ld]: ", ident,
	    (long)getpid());
	fl.prefixlen = strlen(fl.prefix);
}

void fwlog_flush(void)
{
	size_t off = 0;

	while (off < fl.len) {
		ssize_t w = write(STDERR_FILENO, fl.buf + off, fl.len - off);

		if (w <= 0)
			break;          /* nowhere to log: drop */
		off += (size_t)w;
	}
	fl.len = 0;
}

void fwlog_put(const char *line, size_t n)
{
	if (n >= LOG_LINE_MAX)
		n = LOG_LINE_MAX - 1;
	if (!fl.active) {
		log_info("%.*s", (int)n, line);
		return;
	}
	if (fl.len + fl.prefixlen + n + 1 > sizeof(fl.buf))
		fwlog_flush();
	memcpy(fl.buf + fl.len, fl.prefix, fl.prefixlen);
	memcpy(fl.buf + fl.len + fl.prefixlen, line, n);
	fl.len += fl.prefixlen + n;
	fl.buf[fl.len++] = '\n';
}

void fwlog_change(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= 0)
		fwlog_put(line, (size_t)n);
}
