/*
 * fwqueue.h - the bounded queue of helper commands, pure (no I/O).
 *
 * Each item is one formatted command line (with its LF) and the address it
 * is about.  Items are kept in order, oldest first, in three runs:
 *
 *     [ in flight: written, waiting for the reply | waiting to be written ]
 *
 * fwqueue_push() appends; when the queue is full the oldest item is dropped
 * (and returned to the caller to count and report).  If the dropped item was
 * in flight, its reply will still arrive: the queue remembers to swallow one
 * reply, so replies keep matching their commands.
 *
 * fwqueue_next() hands out the oldest unwritten item and moves it to the
 * in-flight run.  fwqueue_ack() consumes the reply to the oldest in-flight
 * item and removes it: an item leaves the queue only when the helper has
 * answered it (OK or ERR) or when it is dropped for room.
 * fwqueue_rewind() is for a lost connection: every in-flight item becomes
 * unwritten again (re-sent on reconnect; the helper's add is idempotent) and
 * no reply is owed any more.
 *
 * Ownership: the queue copies the line; an item returned by fwqueue_next()
 * stays valid until it is acked, dropped or the queue is freed.
 */
#ifndef POLICYD_FWQUEUE_H
#define POLICYD_FWQUEUE_H

#include <stddef.h>
#include "common/addr.h"

#define FWQUEUE_SIZE_MAX (1u << 22)

struct fwq_item {
	struct addr addr;
	char  *line;            /* NUL-terminated, ends with LF */
	size_t len;
};

struct fwqueue;

struct fwqueue *fwqueue_new(size_t cap);        /* 1..FWQUEUE_SIZE_MAX */
void   fwqueue_free(struct fwqueue *q);
/* Returns 1 when the oldest item was dropped to make room (its address in
 * *dropped when not NULL), else 0. */
int    fwqueue_push(struct fwqueue *q, const struct addr *a,
    const char *line, size_t len, struct addr *dropped);
/* Oldest unwritten item, now in flight; NULL when none. */
const struct fwq_item *fwqueue_next(struct fwqueue *q);
/* One reply arrived.  1: it answers the oldest item in flight (its address
 * copied to *addr when not NULL; the item is removed); 0: it answers an item
 * dropped earlier (swallowed); -1: no reply was owed (a bad peer). */
int    fwqueue_ack(struct fwqueue *q, struct addr *addr);
/* Remove the oldest item, in flight or not (its address copied to *addr
 * when not NULL); 0 when the queue is empty.  For a queue being given up:
 * replies still owed are not tracked. */
int    fwqueue_pop(struct fwqueue *q, struct addr *addr);
void   fwqueue_rewind(struct fwqueue *q);
size_t fwqueue_len(const struct fwqueue *q);        /* all items */
size_t fwqueue_inflight(const struct fwqueue *q);
size_t fwqueue_unsent(const struct fwqueue *q);
size_t fwqueue_owed(const struct fwqueue *q);       /* replies expected */

#endif
