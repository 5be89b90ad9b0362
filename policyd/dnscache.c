/*
 * dnscache.c - bounded cache of DNS answers with expiry (see dnscache.h).
 *
 * A chained hash table (power-of-two buckets, grown while entries grow, up
 * to about one bucket per entry) and a list in insertion order, head =
 * newest.  A hit only marks the entry referenced; eviction takes the tail,
 * and a referenced tail gets a second chance (moved to the head, mark
 * cleared) - least recently used, near enough, without touching the list
 * on every hit.  Each entry is one block aligned to a cache line and laid
 * out for the hit path: the header and the key (an address's PTR key, or a
 * name of up to 38 bytes) fill the first line, the answer and its names or
 * addresses follow, and so do the insertion-order links, which only
 * inserts and evictions touch.
 * A hit then reads the bucket and one or two adjacent lines, not four
 * scattered ones.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "common/seed.h"
#include "common/xmalloc.h"
#include "policyd/dnscache.h"
#include "policyd/dnsmsg.h"

#define LINE 64

struct centry {
	struct centry *hnext;           /* hash chain */
	double   expires;
	uint32_t hash;
	uint16_t qtype;
	uint16_t klen;                  /* the key's bytes (a NUL follows) */
	bool     ref;                   /* hit since it last reached the tail */
	char     key[];                 /* then, aligned: struct ctail */
};

struct ctail {
	struct centry *prev, *next;     /* insertion order */
	size_t   size;                  /* of the whole block */
	struct dns_answer ans;          /* names/addrs point into data */
	alignas(max_align_t) unsigned char data[];
};

struct dnscache {
	struct centry **buckets;
	size_t   nbuckets;              /* power of two */
	size_t   n, max;
	size_t   bytes;                 /* of the entries' blocks, at most
	                                   max * DNSCACHE_ENTRY_BYTES */
	struct centry *head, *tail;
	struct dnscache_stats st;
};

static size_t
max_bytes(const struct dnscache *c)
{
	return c->max * DNSCACHE_ENTRY_BYTES;
}

static size_t
tail_off(size_t klen)
{
	size_t o = offsetof(struct centry, key) + klen + 1;

	return (o + alignof(struct ctail) - 1) & ~(alignof(struct ctail) - 1);
}

static struct ctail *
tail_of(struct centry *e)
{
	return (struct ctail *)(void *)((char *)e + tail_off(e->klen));
}

/*
 * The hash: SipHash-1-3 (Aumasson and Bernstein) under a key drawn once per
 * process.  Names come from the network - a PTR record names whatever its
 * owner likes - so an unkeyed hash would let someone choose names that
 * share one chain of the cache or of dns.c's in-flight table.
 */
static uint64_t sip_k0, sip_k1;
static bool sip_keyed;

static inline uint64_t
rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND do { \
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
} while (0)

static uint64_t
siphash13(const unsigned char *p, size_t len)
{
	uint64_t v0 = sip_k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = sip_k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = sip_k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = sip_k1 ^ 0x7465646279746573ull;
	uint64_t m;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);   /* little-endian hosts; a key is a key */
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	m = (uint64_t)(len & 0xff) << 56;
	for (size_t j = 0; i + j < len; j++)
		m |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= m;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The key, drawn once per process, with the first cache (a new cache on
 * SIGHUP keeps it: dns.c's in-flight table holds hashes across). */
static void
sip_key_once(void)
{
	uint64_t k[2];

	if (sip_keyed)
		return;
	seed_fill(k, sizeof(k));
	sip_k0 = k[0];
	sip_k1 = k[1];
	sip_keyed = true;
}

uint32_t
dnscache_hash(int qtype, const char *name, size_t len)
{
	uint64_t h = siphash13((const unsigned char *)name, len);

	return (uint32_t)(h ^ h >> 32) ^ (uint32_t)qtype * 0x9e3779b9u;
}

struct dnscache *
dnscache_new(size_t max)
{
	struct dnscache *c = xcalloc(1, sizeof(*c));

	sip_key_once();
	c->max = max ? max : 1;
	c->nbuckets = 64;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	return c;
}

static void
list_unlink(struct dnscache *c, struct centry *e)
{
	struct ctail *t = tail_of(e);

	if (t->prev)
		tail_of(t->prev)->next = t->next;
	else
		c->head = t->next;
	if (t->next)
		tail_of(t->next)->prev = t->prev;
	else
		c->tail = t->prev;
	t->prev = t->next = NULL;
}

static void
list_push(struct dnscache *c, struct centry *e)
{
	struct ctail *t = tail_of(e);

	t->prev = NULL;
	t->next = c->head;
	if (c->head)
		tail_of(c->head)->prev = e;
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
	list_unlink(c, e);
	c->bytes -= tail_of(e)->size;
	free(e);
	c->n--;
}

/* Evict one entry: the oldest one not referenced since its last chance. */
static void
evict_one(struct dnscache *c)
{
	struct centry *e;

	while ((e = c->tail) != NULL && e->ref) {
		e->ref = false;
		list_unlink(c, e);
		list_push(c, e);
	}
	if (e != NULL) {
		entry_remove(c, e);
		c->st.evicted++;
	}
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
find(const struct dnscache *c, uint32_t h, int qtype, const char *name,
    size_t klen)
{
	struct centry *e = c->buckets[h & (c->nbuckets - 1)];

	if (e != NULL) {        /* the answer's lines, while the key compares */
		__builtin_prefetch((char *)e + LINE);
		__builtin_prefetch((char *)e + 2 * LINE);
	}
	for (; e != NULL; e = e->hnext) {
		if (e->hash == h && e->qtype == qtype && e->klen == klen &&
		    memcmp(e->key, name, klen) == 0)
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
	while (c->n > c->max || (c->n > 0 && c->bytes > max_bytes(c)))
		evict_one(c);
}

const struct dns_answer *
dnscache_get(struct dnscache *c, int qtype, const char *name, double now)
{
	size_t len = strlen(name);

	return dnscache_get_hashed(c, qtype, name, len,
	    dnscache_hash(qtype, name, len), now);
}

const struct dns_answer *
dnscache_get_hashed(struct dnscache *c, int qtype, const char *key,
    size_t len, uint32_t h, double now)
{
	struct centry *e = find(c, h, qtype, key, len);

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
	if (!e->ref)                    /* a line written only when it changes */
		e->ref = true;
	c->st.hits++;
	return &tail_of(e)->ans;
}

/* One block, as the top of this file says: the header and the key, then
 * the links and the answer, its address or name-pointer array, the names. */
static struct centry *
entry_new(int qtype, const char *key, size_t klen, const struct dns_answer *a)
{
	size_t arr = 0, strs = 0, size, to = tail_off(klen);
	struct centry *e;
	struct ctail *t;
	char *p;

	if (a->names != NULL) {
		arr = a->n * sizeof(char *);
		for (size_t i = 0; i < a->n; i++)
			strs += strlen(a->names[i]) + 1;
	} else if (a->addrs != NULL)
		arr = a->n * sizeof(struct addr);
	size = to + sizeof(struct ctail) + arr + strs;
	e = xaligned_alloc(LINE, size);
	memset(e, 0, to + sizeof(struct ctail));
	e->qtype = (uint16_t)qtype;
	e->klen = (uint16_t)klen;
	memcpy(e->key, key, klen);      /* e->key[klen]: zeroed above */
	t = tail_of(e);
	t->size = size;
	t->ans = *a;
	p = (char *)t->data + arr;
	if (a->names != NULL) {
		char **v = (char **)(void *)t->data;
		for (size_t i = 0; i < a->n; i++) {
			size_t l = strlen(a->names[i]) + 1;
			memcpy(p, a->names[i], l);
			v[i] = p;
			p += l;
		}
		t->ans.names = v;
	} else if (a->addrs != NULL) {
		memcpy(t->data, a->addrs, arr);
		t->ans.addrs = (struct addr *)(void *)t->data;
	}
	return e;
}

void
dnscache_put(struct dnscache *c, int qtype, const char *name,
    const struct dns_answer *a, unsigned ttl, double now)
{
	size_t len = strlen(name);

	dnscache_put_hashed(c, qtype, name, len, dnscache_hash(qtype, name,
	    len), a, ttl, now);
}

void
dnscache_put_hashed(struct dnscache *c, int qtype, const char *key,
    size_t klen, uint32_t h, const struct dns_answer *a, unsigned ttl,
    double now)
{
	struct centry *e;

	if ((e = find(c, h, qtype, key, klen)) != NULL)
		entry_remove(c, e);
	if (ttl == 0 || klen > DNS_NAME_MAX)
		return;
	e = entry_new(qtype, key, klen, a);
	/* room for it; one entry larger than the whole budget still goes in */
	while (c->n > 0 && (c->n >= c->max ||
	    c->bytes + tail_of(e)->size > max_bytes(c)))
		evict_one(c);
	e->hash = h;
	e->expires = now + ttl;
	if (c->n >= c->nbuckets && c->nbuckets < (1u << 24))
		grow(c);
	e->hnext = c->buckets[h & (c->nbuckets - 1)];
	c->buckets[h & (c->nbuckets - 1)] = e;
	list_push(c, e);
	c->n++;
	c->bytes += tail_of(e)->size;
}

void
dnscache_prefetch(const struct dnscache *c, uint32_t h)
{
	__builtin_prefetch(&c->buckets[h & (c->nbuckets - 1)]);
}

void
dnscache_stats(const struct dnscache *c, struct dnscache_stats *st)
{
	*st = c->st;
	st->entries = c->n;
	st->max = c->max;
	st->bytes = c->bytes;
	st->max_bytes = max_bytes(c);
}
