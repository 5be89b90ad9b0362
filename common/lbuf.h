/*
 * lbuf.h - a bounded text line built by pieces, for lines made once per
 * command or request (the helper's journal line, reply and change log
 * line; policyd's command to the helper): snprintf parses its format and
 * sets up a stream on every call.
 *
 * The caller owns the buffer.  A piece that does not fit is dropped and
 * the line marked as cut; lbuf_end() then returns -1.  No allocation, no
 * I/O.
 */
#ifndef COMMON_LBUF_H
#define COMMON_LBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct lbuf {
	char  *buf;
	size_t size, len;
	bool   cut;
};

static inline void lbuf_init(struct lbuf *b, char *buf, size_t size)
{
	b->buf = buf;
	b->size = size;
	b->len = 0;
	b->cut = size == 0;
}

static inline void lbuf_mem(struct lbuf *b, const char *s, size_t n)
{
	if (b->cut || n >= b->size - b->len) {
		b->cut = true;
		return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static inline void lbuf_str(struct lbuf *b, const char *s)
{
	lbuf_mem(b, s, strlen(s));
}

static inline void lbuf_num(struct lbuf *b, unsigned long long v)
{
	char d[20];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	lbuf_mem(b, d + i, sizeof(d) - i);
}

/* NUL-terminates; the length, or -1 when a piece did not fit. */
static inline int lbuf_end(struct lbuf *b)
{
	if (b->size > 0)
		b->buf[b->len] = '\0';
	return b->cut ? -1 : (int)b->len;
}

#endif
