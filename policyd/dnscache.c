/*
 * dnscache.c - bounded LRU cache of DNS answers with expiry (see dnscache.h).
 *
 * A chained hash table (power-of-two buckets, grown while entries grow, up
 * to about one bucket per entry) and a doubly linked LRU list, head = most
 * recently used.
 */
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "policyd/dnscache.h"
#include "policyd/dnsmsg.h"

struct centry {
	struct centry *hnext;           /* hash chain */
	struct centry *prev, *next;     /* LRU */
	uint32_t hash;
	int      qtype;
	double   expires;
	struct dns_answer ans;
	char     name[];
};

struct dnscache {
	struct centry **buckets;
	size_t   nbuckets;              /* power of two */
	size_t   n, max;
	struct centry *head, *tail;
	struct dnscache_stats st;
};

uint32_t
dnscache_hash(int qtype, const char *name)
{
	uint32_t h = 2166136261u;

	h = (h ^ (uint32_t)qtype) * 16777619u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

struct dnscache *
dnscache_new(size_t max)
{
	struct dnscache *c = xcalloc(1, sizeof(*c));

	c->max = max ? max : 1;
	c->nbuckets = 64;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	return c;
}

static void
lru_unlink(struct dnscache *c, struct centry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push(struct dnscache *c, struct centry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static void
entry_remove(struct dnscache *c, struct centry *e)
{
	struct centry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(c, e);
	dns_answer_release(&e->ans);
	free(e);
	c->n--;
}

static void
grow(struct dnscache *c)
{
	size_t nb = c->nbuckets * 2;
	struct centry **b = xcalloc(nb, sizeof(*b));

	for (size_t i = 0; i < c->nbuckets; i++) {
		struct centry *e = c->buckets[i], *next;
		for (; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = nb;
}

static struct centry *
find(const struct dnscache *c, uint32_t h, int qtype, const char *name)
{
	struct centry *e = c->buckets[h & (c->nbuckets - 1)];

	for (; e != NULL; e = e->hnext) {
		if (e->hash == h && e->qtype == qtype && strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

void
dnscache_free(struct dnscache *c)
{
	if (c == NULL)
		return;
	while (c->head)
		entry_remove(c, c->head);
	free(c->buckets);
	free(c);
}

void
dnscache_set_max(struct dnscache *c, size_t max)
{
	c->max = max ? max : 1;
	while (c->n > c->max) {
		entry_remove(c, c->tail);
		c->st.evicted++;
	}
}

const struct dns_answer *
dnscache_get(struct dnscache *c, int qtype, const char *name, double now)
{
	struct centry *e = find(c, dnscache_hash(qtype, name), qtype, name);

	if (e == NULL) {
		c->st.misses++;
		return NULL;
	}
	if (e->expires <= now) {
		entry_remove(c, e);
		c->st.expired++;
		c->st.misses++;
		return NULL;
	}
	lru_unlink(c, e);
	lru_push(c, e);
	c->st.hits++;
	return &e->ans;
}

void
dnscache_put(struct dnscache *c, int qtype, const char *name,
    const struct dns_answer *a, unsigned ttl, double now)
{
	uint32_t h = dnscache_hash(qtype, name);
	struct centry *e;
	size_t len;

	if ((e = find(c, h, qtype, name)) != NULL)
		entry_remove(c, e);
	if (ttl == 0)
		return;
	while (c->n >= c->max) {
		entry_remove(c, c->tail);
		c->st.evicted++;
	}
	len = strlen(name);
	e = xmalloc(sizeof(*e) + len + 1);
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, len + 1);
	e->hash = h;
	e->qtype = qtype;
	e->expires = now + ttl;
	dns_answer_copy(&e->ans, a);
	if (c->n >= c->nbuckets && c->nbuckets < (1u << 24))
		grow(c);
	e->hnext = c->buckets[h & (c->nbuckets - 1)];
	c->buckets[h & (c->nbuckets - 1)] = e;
	lru_push(c, e);
	c->n++;
}

void
dnscache_stats(const struct dnscache *c, struct dnscache_stats *st)
{
	*st = c->st;
	st->entries = c->n;
	st->max = c->max;
}
