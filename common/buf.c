/*
 * buf.c - bounded byte buffers (see buf.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xmalloc.h"

#define BUF_MIN 512

void
buf_init(struct buf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->off = b->len = b->cap = 0;
}

size_t
buf_used(const struct buf *b)
{
	return b->len - b->off;
}

char *
buf_head(const struct buf *b)
{
	return b->data ? b->data + b->off : NULL;
}

char *
buf_reserve(struct buf *b, size_t want, size_t *avail)
{
	size_t used = buf_used(b), room, ncap;

	if (used >= b->limit)
		return NULL;
	if (want > b->limit - used)
		want = b->limit - used;
	if (b->off > 0 && b->cap - b->len < want) {
		memmove(b->data, b->data + b->off, used);
		b->len = used;
		b->off = 0;
	}
	room = b->cap - b->len;
	if (room < want) {
		ncap = b->cap ? b->cap : BUF_MIN;
		while (ncap - b->len < want)
			ncap *= 2;
		/* Here off == 0 and len + want <= limit: never hold more. */
		if (ncap > b->limit)
			ncap = b->limit;
		b->data = xreallocarray(b->data, ncap, 1);
		b->cap = ncap;
	}
	*avail = b->cap - b->len;
	if (*avail > b->limit - used)
		*avail = b->limit - used;
	return b->data + b->len;
}

void
buf_commit(struct buf *b, size_t n)
{
	b->len += n;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	size_t avail;
	char *dst;

	if (n == 0)
		return 0;
	if (n > b->limit - buf_used(b))
		return -1;
	dst = buf_reserve(b, n, &avail);
	if (dst == NULL || avail < n)
		return -1;
	memcpy(dst, p, n);
	b->len += n;
	return 0;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= buf_used(b)) {
		b->off = b->len = 0;
		/* Idle connections should not pin big buffers. */
		if (b->cap > 4 * BUF_MIN) {
			free(b->data);
			b->data = NULL;
			b->cap = 0;
		}
		return;
	}
	b->off += n;
}

ssize_t
buf_read_fd(struct buf *b, int fd)
{
	size_t avail;
	char *dst = buf_reserve(b, 4096, &avail);
	ssize_t r;

	if (dst == NULL) {
		errno = ENOBUFS;
		return -1;
	}
	r = read(fd, dst, avail);
	if (r > 0)
		b->len += (size_t)r;
	return r;
}

ssize_t
buf_write_fd(struct buf *b, int fd)
{
	ssize_t w;

	if (buf_used(b) == 0)
		return 0;
	w = write(fd, buf_head(b), buf_used(b));
	if (w > 0)
		buf_consume(b, (size_t)w);
	return w;
}
