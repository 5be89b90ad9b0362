/*
 * fwgate.c - the firewall decision rules and their bounded memory.
 *
 * The contract is in fwgate.h.  Storage: slots[] grows by doubling up to
 * track_max; each slot owns `after` entries of hits[] (its refusal times, a
 * ring).  A slot is on one hash chain (buckets[], indices, NIL-terminated)
 * and on the LRU list (head = most recently seen).  When every slot is in
 * use, the LRU tail is recycled.  All links are 32-bit indices, so growing
 * the arrays with realloc keeps them valid.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "policyd/fwgate.h"

#define NIL UINT32_MAX

struct fwslot {
	struct addr addr;
	uint32_t hnext;          /* hash chain */
	uint32_t prev, next;     /* LRU list */
	uint32_t nhits;          /* valid entries in the ring, <= after */
	uint32_t hpos;           /* next ring position */
	long long block_until;   /* ms; 0: no block sent */
	long long dry_until;     /* ms; same for warn-mode dry runs */
};

struct fwgate {
	struct fwgate_params p;
	struct fwslot *slots;
	long long *hits;         /* slot i owns hits[i*after .. +after) */
	uint32_t nslots, cap;    /* in use / allocated */
	uint32_t *buckets;
	uint32_t nbuckets;       /* power of two */
	uint32_t lru_head, lru_tail;
};

static const char *const class_names[] = {
	"dynamic", "static", "generic", "mail", "none", "unknown", NULL
};

unsigned
fwgate_class_bit(const char *name)
{
	if (name == NULL)
		return 0;
	for (size_t i = 0; class_names[i] != NULL; i++)
		if (strcmp(name, class_names[i]) == 0)
			return 1u << i;
	return 0;
}

struct fwgate *
fwgate_new(const struct fwgate_params *p)
{
	struct fwgate *g = xcalloc(1, sizeof(*g));

	g->p = *p;
	if (g->p.after < 1)
		g->p.after = 1;
	if (g->p.after > FWGATE_AFTER_MAX)
		g->p.after = FWGATE_AFTER_MAX;
	if (g->p.track_max < 1)
		g->p.track_max = 1;
	if (g->p.track_max > FWGATE_TRACK_MAX)
		g->p.track_max = FWGATE_TRACK_MAX;
	if (g->p.v6_prefix == 0)
		g->p.v6_prefix = FWGATE_V6_PREFIX_DEFAULT;
	if (g->p.v6_prefix < 32)
		g->p.v6_prefix = 32;
	if (g->p.v6_prefix > 128)
		g->p.v6_prefix = 128;
	g->nbuckets = 16;
	while (g->nbuckets < g->p.track_max)
		g->nbuckets <<= 1;
	g->buckets = xreallocarray(NULL, g->nbuckets, sizeof(*g->buckets));
	for (uint32_t i = 0; i < g->nbuckets; i++)
		g->buckets[i] = NIL;
	g->lru_head = g->lru_tail = NIL;
	return g;
}

void
fwgate_free(struct fwgate *g)
{
	if (g == NULL)
		return;
	free(g->slots);
	free(g->hits);
	free(g->buckets);
	free(g);
}

size_t
fwgate_tracked(const struct fwgate *g)
{
	return g->nslots;
}

/* A keyed mix of the address bytes (splitmix64 finaliser per word). */
static uint32_t
bucket_of(const struct fwgate *g, const struct addr *a)
{
	uint64_t h = g->p.seed ^ (uint64_t)a->family;
	size_t n = a->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i += 4) {
		uint32_t w;
		memcpy(&w, a->a + i, 4);
		h ^= w;
		h += 0x9e3779b97f4a7c15ULL;
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
		h ^= h >> 31;
	}
	return (uint32_t)h & (g->nbuckets - 1);
}

static bool
same_addr(const struct addr *x, const struct addr *y)
{
	size_t n = x->family == AF_INET ? 4 : 16;

	return x->family == y->family && memcmp(x->a, y->a, n) == 0;
}

static void
lru_unlink(struct fwgate *g, uint32_t i)
{
	struct fwslot *s = &g->slots[i];

	if (s->prev != NIL)
		g->slots[s->prev].next = s->next;
	else
		g->lru_head = s->next;
	if (s->next != NIL)
		g->slots[s->next].prev = s->prev;
	else
		g->lru_tail = s->prev;
}

static void
lru_push_front(struct fwgate *g, uint32_t i)
{
	struct fwslot *s = &g->slots[i];

	s->prev = NIL;
	s->next = g->lru_head;
	if (g->lru_head != NIL)
		g->slots[g->lru_head].prev = i;
	g->lru_head = i;
	if (g->lru_tail == NIL)
		g->lru_tail = i;
}

static void
hash_unlink(struct fwgate *g, uint32_t i)
{
	uint32_t *pp = &g->buckets[bucket_of(g, &g->slots[i].addr)];

	while (*pp != NIL) {
		if (*pp == i) {
			*pp = g->slots[i].hnext;
			return;
		}
		pp = &g->slots[*pp].hnext;
	}
}

static uint32_t
lookup(const struct fwgate *g, const struct addr *a)
{
	for (uint32_t i = g->buckets[bucket_of(g, a)]; i != NIL;
	    i = g->slots[i].hnext)
		if (same_addr(&g->slots[i].addr, a))
			return i;
	return NIL;
}

/* A slot for a, new or recycled (the least recently seen address). */
static uint32_t
slot_take(struct fwgate *g, const struct addr *a)
{
	uint32_t i;

	if (g->nslots < g->p.track_max) {
		if (g->nslots == g->cap) {
			uint32_t ncap = g->cap ? g->cap * 2 : 64;
			if (ncap > g->p.track_max)
				ncap = (uint32_t)g->p.track_max;
			g->slots = xreallocarray(g->slots, ncap,
			    sizeof(*g->slots));
			g->hits = xreallocarray(g->hits,
			    (size_t)ncap * (size_t)g->p.after,
			    sizeof(*g->hits));
			g->cap = ncap;
		}
		i = g->nslots++;
	} else {
		i = g->lru_tail;
		lru_unlink(g, i);
		hash_unlink(g, i);
	}
	memset(&g->slots[i], 0, sizeof(g->slots[i]));
	g->slots[i].addr = *a;
	if (a->family == AF_INET)
		memset(g->slots[i].addr.a + 4, 0, 12);
	uint32_t b = bucket_of(g, a);
	g->slots[i].hnext = g->buckets[b];
	g->buckets[b] = i;
	lru_push_front(g, i);
	return i;
}

/* Record one refusal at now; return how many fall within the window. */
static uint32_t
hits_record(struct fwgate *g, uint32_t i, long long now)
{
	struct fwslot *s = &g->slots[i];
	long long *ring = g->hits + (size_t)i * (size_t)g->p.after;
	uint32_t after = (uint32_t)g->p.after, n = 0;

	ring[s->hpos] = now;
	s->hpos = (s->hpos + 1) % after;
	if (s->nhits < after)
		s->nhits++;
	for (uint32_t k = 0; k < s->nhits; k++)
		if (now - ring[k] < g->p.window_ms || after == 1)
			n++;
	return n;
}

/* The key of a client: an IPv4 address, or an IPv6 address's prefix (one
 * subscriber's allocation, whose addresses it may use in turn); not for
 * NAT64's 64:ff9b::/96, where the last 32 bits are an IPv4 client. */
static struct addr
client_key(const struct fwgate *g, const struct addr *a)
{
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	struct addr k = *a;
	int bits = g->p.v6_prefix, i = bits / 8;

	if (k.family != AF_INET6 || memcmp(k.a, nat64, 12) == 0)
		return k;
	if (i < 16) {
		k.a[i] &= (unsigned char)(0xff00u >> (bits % 8));
		memset(k.a + i + 1, 0, (size_t)(15 - i));
	}
	return k;
}

static enum fwgate_verdict
set(struct fwgate_result *out, enum fwgate_verdict v, const char *text)
{
	out->verdict = v;
	str_copy(out->text, sizeof(out->text), text);
	return v;
}

enum fwgate_verdict
fwgate_decide(struct fwgate *g, const struct fwgate_input *in, long long now,
    struct fwgate_result *out)
{
	if (in->excepted)
		return set(out, FWGATE_SKIP, "skipped:excepted");
	if (in->authenticated)
		return set(out, FWGATE_SKIP, "skipped:auth");
	if (!in->refused) {             /* most answers: no str_copy */
		out->verdict = FWGATE_NONE;
		out->text[0] = '\0';
		return FWGATE_NONE;
	}
	if (!g->p.enabled)
		return set(out, FWGATE_SKIP, "skipped:disabled");
	if (in->mode != FWGATE_MODE_WARN && in->mode != FWGATE_MODE_ENFORCE)
		return set(out, FWGATE_SKIP, "skipped:mode-off");
	unsigned bit = fwgate_class_bit(in->class);
	if (bit == 0 || (g->p.classes != 0 && (bit & g->p.classes) == 0))
		return set(out, FWGATE_SKIP, "skipped:class");

	struct addr key = client_key(g, in->addr);
	uint32_t i = lookup(g, &key);
	if (i == NIL) {
		i = slot_take(g, &key);
	} else {
		lru_unlink(g, i);
		lru_push_front(g, i);
	}
	struct fwslot *s = &g->slots[i];
	bool warn = in->mode == FWGATE_MODE_WARN;
	long long until = warn ? s->dry_until : s->block_until;

	if (until != 0 && now < until)
		return set(out, FWGATE_SKIP, "skipped:active");
	uint32_t n = hits_record(g, i, now);
	if (n < (uint32_t)g->p.after) {
		out->verdict = FWGATE_SKIP;
		snprintf(out->text, sizeof(out->text), "skipped:threshold-%u/%d",
		    n, g->p.after);
		return FWGATE_SKIP;
	}
	s->nhits = 0;
	s->hpos = 0;
	if (warn) {
		s->dry_until = now + g->p.hold_ms;
		return set(out, FWGATE_DRYRUN, "dry-run");
	}
	s->block_until = now + g->p.hold_ms;
	return set(out, FWGATE_QUEUE, "queued");
}

/* The refusals that earned the block count again, as at the moment it was
 * queued (the ring was emptied then): the next refusal within the window
 * queues it again. */
void
fwgate_forget(struct fwgate *g, const struct addr *a)
{
	struct addr key = client_key(g, a);
	uint32_t i = lookup(g, &key), after = (uint32_t)g->p.after;
	struct fwslot *s;

	if (i == NIL || (s = &g->slots[i])->block_until == 0)
		return;
	long long queued = s->block_until - g->p.hold_ms;
	long long *ring = g->hits + (size_t)i * after;

	s->block_until = 0;
	if (s->nhits > 0)
		return;         /* counting anew already, the block ran out */
	for (uint32_t k = 0; k + 1 < after; k++)
		ring[k] = queued;
	s->nhits = after - 1;
	s->hpos = after - 1;
}
