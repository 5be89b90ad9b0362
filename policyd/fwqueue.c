/*
 * fwqueue.c - a ring of command lines with a written/unwritten split.
 *
 * The contract is in fwqueue.h.  items[] is a ring of cap entries; head is
 * the oldest, len the number in use, sent how many of the oldest are in
 * flight (sent <= len), skip how many replies belong to dropped items.
 * Replies come in command order, so swallowed replies are always the first
 * ones owed.
 */
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "policyd/fwqueue.h"

struct fwqueue {
	struct fwq_item *items;
	size_t cap, head, len;
	size_t sent;            /* items in flight, from head */
	size_t skip;            /* replies owed to dropped items */
};

struct fwqueue *
fwqueue_new(size_t cap)
{
	struct fwqueue *q = xcalloc(1, sizeof(*q));

	if (cap < 1)
		cap = 1;
	if (cap > FWQUEUE_SIZE_MAX)
		cap = FWQUEUE_SIZE_MAX;
	q->cap = cap;
	q->items = xcalloc(cap, sizeof(*q->items));
	return q;
}

void
fwqueue_free(struct fwqueue *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->len; i++)
		free(q->items[(q->head + i) % q->cap].line);
	free(q->items);
	free(q);
}

static void
pop_head(struct fwqueue *q)
{
	struct fwq_item *it = &q->items[q->head];

	free(it->line);
	it->line = NULL;
	q->head = (q->head + 1) % q->cap;
	q->len--;
}

int
fwqueue_push(struct fwqueue *q, const struct addr *a, const char *line,
    size_t len, struct addr *dropped)
{
	int rc = 0;

	if (q->len == q->cap) {
		if (dropped != NULL)
			*dropped = q->items[q->head].addr;
		if (q->sent > 0) {
			q->sent--;
			q->skip++;
		}
		pop_head(q);
		rc = 1;
	}
	struct fwq_item *it = &q->items[(q->head + q->len) % q->cap];
	it->addr = *a;
	it->line = xstrndup(line, len);
	it->len = len;
	q->len++;
	return rc;
}

const struct fwq_item *
fwqueue_next(struct fwqueue *q)
{
	if (q->sent == q->len)
		return NULL;
	return &q->items[(q->head + q->sent++) % q->cap];
}

int
fwqueue_ack(struct fwqueue *q, struct addr *addr)
{
	if (q->skip > 0) {
		q->skip--;
		return 0;
	}
	if (q->sent == 0)
		return -1;
	if (addr != NULL)
		*addr = q->items[q->head].addr;
	q->sent--;
	pop_head(q);
	return 1;
}

int
fwqueue_pop(struct fwqueue *q, struct addr *addr)
{
	if (q->len == 0)
		return 0;
	if (addr != NULL)
		*addr = q->items[q->head].addr;
	if (q->sent > 0)
		q->sent--;
	pop_head(q);
	return 1;
}

void
fwqueue_rewind(struct fwqueue *q)
{
	q->sent = 0;
	q->skip = 0;
}

size_t
fwqueue_len(const struct fwqueue *q)
{
	return q->len;
}

size_t
fwqueue_inflight(const struct fwqueue *q)
{
	return q->sent;
}

size_t
fwqueue_unsent(const struct fwqueue *q)
{
	return q->len - q->sent;
}

size_t
fwqueue_owed(const struct fwqueue *q)
{
	return q->sent + q->skip;
}
