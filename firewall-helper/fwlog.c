/*
 * fwlog.c - batched change log lines (see fwlog.h).
 */
#include <stdarg.h>

#include "common/linebatch.h"
#include "common/log.h"
#include "firewall-helper/fwlog.h"

static struct linebatch fl;

void fwlog_init(const char *ident, bool to_stderr)
{
	linebatch_init(&fl, ident, to_stderr);
}

void fwlog_flush(void)
{
	linebatch_flush(&fl);
}

void fwlog_put(const char *line, size_t n)
{
	(void)linebatch_put(&fl, line, n);
}

void fwlog_change(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)linebatch_vprintf(&fl, fmt, ap);
	va_end(ap);
}
