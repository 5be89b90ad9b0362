/*
 * buf.h - a bounded byte buffer for connection input and output.
 *
 * A buf grows on demand up to its limit, never past it: buf_append() returns
 * -1 (and appends nothing) when the data would not fit, so a peer cannot make
 * us hold more than the limit per connection.  Consumed bytes are dropped
 * from the front with buf_consume(); storage is compacted lazily.
 */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stddef.h>
#include <sys/types.h>

struct buf {
	char   *data;
	size_t  off;            /* first unconsumed byte */
	size_t  len;            /* bytes in use, from data[0] */
	size_t  cap;
	size_t  limit;          /* max unconsumed bytes */
};

void    buf_init(struct buf *b, size_t limit);
void    buf_release(struct buf *b);               /* frees storage; b reusable */
size_t  buf_used(const struct buf *b);            /* unconsumed bytes */
char   *buf_head(const struct buf *b);            /* first unconsumed byte */
int     buf_append(struct buf *b, const void *p, size_t n);
void    buf_consume(struct buf *b, size_t n);
/* Make room for at least want bytes (bounded by limit); returns the writable
 * tail and its size in *avail, or NULL when the buffer is at its limit. */
char   *buf_reserve(struct buf *b, size_t want, size_t *avail);
void    buf_commit(struct buf *b, size_t n);      /* after writing into reserve */
/* read(2)/write(2) helpers; return the syscall result (-1 with errno). */
ssize_t buf_read_fd(struct buf *b, int fd);
ssize_t buf_write_fd(struct buf *b, int fd);

#endif
