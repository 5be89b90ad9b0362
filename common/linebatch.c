/*
 * linebatch.c - batched log lines (see linebatch.h).
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/linebatch.h"
#include "common/log.h"
#include "common/strcopy.h"

void
linebatch_init(struct linebatch *b, const char *ident, bool to_stderr)
{
	b->active = to_stderr;
	b->len = 0;
	if (log_journal())      /* journald adds ident and pid (log.h) */
		str_copy(b->prefix, sizeof(b->prefix),
		    log_line_start(stderr, LOG_INFO));
	else
		snprintf(b->prefix, sizeof(b->prefix), "%s[%ld]: ", ident,
		    (long)getpid());
	b->prefixlen = strlen(b->prefix);
}

void
linebatch_flush(struct linebatch *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t w = write(STDERR_FILENO, b->buf + off, b->len - off);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	b->len = 0;
}

bool
linebatch_put(struct linebatch *b, const char *line, size_t n)
{
	if (n >= LOG_LINE_MAX)
		n = LOG_LINE_MAX - 1;
	if (!b->active) {
		log_info("%.*s", (int)n, line);
		return false;
	}
	if (b->len + b->prefixlen + n + 1 > sizeof(b->buf))
		linebatch_flush(b);
	memcpy(b->buf + b->len, b->prefix, b->prefixlen);
	memcpy(b->buf + b->len + b->prefixlen, line, n);
	b->len += b->prefixlen + n;
	b->buf[b->len++] = '\n';
	return true;
}

bool
linebatch_vprintf(struct linebatch *b, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	return n >= 0 && linebatch_put(b, line, (size_t)n);
}
