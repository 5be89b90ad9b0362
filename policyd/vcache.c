/*
 * vcache.c - bounded, TTL'd verdict cache per client address (vcache.h).
 *
 * The entries live in one array of sets of VCACHE_WAYS; an address hashes
 * to one set.  A slot is empty when its stamp is 0 (times are shifted by
 * one so that a real stamp is never 0).  A slot fills one cache line, so a
 * hit costs one memory access where a miss of the CPU caches is likely
 * (a table of 10,000 entries is larger than them).  The set is picked by
 * a hash keyed with a secret of each cache, so that nobody can choose
 * addresses that crowd one set and push others' verdicts out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/seed.h"
#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "policyd/vcache.h"

#define VCACHE_WAYS 4
#define VCACHE_LINE 64
#define VCACHE_SHORT 33         /* reasons shorter than this stay inline */

/*
 * One slot is one cache line: the key, the stamp and a short reason (the
 * common case, e.g. "by=nothing ip=one-num(4)"), so a hit reads one line.
 * A longer reason lives in the parallel array `longr`, at the same index.
 * Keys are zero-padded to 16 bytes, so comparing is two word compares.
 */
struct vslot {
	unsigned char a[16];
	long long stamp;        /* inserted at (ms + 1); 0: empty */
	uint32_t name;          /* vcache_val.name */
	unsigned char family;
	unsigned char cls;
	bool in_longr;          /* the reason is longr[index] */
	char reason[VCACHE_SHORT];
};

struct vcache {
	struct vslot *v;        /* nsets * VCACHE_WAYS, VCACHE_LINE-aligned */
	char (*longr)[CLASSIFY_REASON_MAX];
	size_t nsets;           /* power of two; 0: caching off */
	uint64_t seed[2];       /* key_hash()'s secret */
	long long ttl_ms;
};

_Static_assert(sizeof(struct vslot) == VCACHE_LINE, "a slot is one line");

/* The key of a: family and the address zero-padded to 16 bytes. */
static void
key_of(const struct addr *a, unsigned char k[16], unsigned char *family)
{
	size_t n = a->family == AF_INET6 ? 16 : 4;

	memset(k, 0, 16);
	memcpy(k, a->a, n);
	*family = (unsigned char)a->family;
}

/* Every key bit reaches the low bits the set index takes: addresses of
 * one IPv6 /64 differ only in the last bytes (the top bits of y).  The
 * seed goes in before the multiplications, so the set of an address is
 * not known without it. */
static uint32_t
key_hash(const uint64_t seed[2], const unsigned char k[16])
{
	uint64_t x, y;

	memcpy(&x, k, 8);
	memcpy(&y, k + 8, 8);
	x ^= seed[0];
	y ^= seed[1];
	x ^= y * 0x9e3779b97f4a7c15ull;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

static bool
key_same(const struct vslot *s, const unsigned char k[16],
    unsigned char family)
{
	uint64_t x[2], y[2];

	memcpy(x, s->a, 16);
	memcpy(y, k, 16);
	return s->family == family && x[0] == y[0] && x[1] == y[1];
}

struct vcache *
vcache_new(size_t size, long long ttl_ms)
{
	struct vcache *c = xcalloc(1, sizeof(*c));
	size_t sets = 1, bytes;

	c->ttl_ms = ttl_ms;
	seed_fill(c->seed, sizeof(c->seed));
	if (size == 0 || ttl_ms <= 0)
		return c;
	while (sets * VCACHE_WAYS < size)
		sets *= 2;
	c->nsets = sets;
	bytes = sets * VCACHE_WAYS * sizeof(*c->v);
	c->v = xaligned_alloc(VCACHE_LINE, bytes);
	memset(c->v, 0, bytes);
	c->longr = xcalloc(sets * VCACHE_WAYS, sizeof(*c->longr));
	return c;
}

void
vcache_free(struct vcache *c)
{
	if (c == NULL)
		return;
	free(c->v);
	free(c->longr);
	free(c);
}

static struct vslot *
set_of(const struct vcache *c, const unsigned char k[16])
{
	return &c->v[(key_hash(c->seed, k) & (c->nsets - 1)) * VCACHE_WAYS];
}

static bool
fresh(const struct vcache *c, const struct vslot *s, long long now_ms)
{
	return s->stamp != 0 && now_ms + 1 - s->stamp < c->ttl_ms;
}

void
vcache_prefetch(const struct vcache *c, const struct addr *a)
{
	unsigned char k[16], family;
	const struct vslot *s;

	if (c == NULL || c->nsets == 0)
		return;
	key_of(a, k, &family);
	s = set_of(c, k);
	for (int i = 0; i < VCACHE_WAYS; i++)   /* a miss reads every way */
		__builtin_prefetch(&s[i]);
}

bool
vcache_get(struct vcache *c, const struct addr *a, long long now_ms,
    struct vcache_val *out)
{
	unsigned char k[16], family;
	struct vslot *s;
	int i;

	if (c == NULL || c->nsets == 0)
		return false;
	key_of(a, k, &family);
	s = set_of(c, k);
	for (i = 0; i < VCACHE_WAYS; i++) {
		if (s[i].stamp != 0 && key_same(&s[i], k, family)) {
			if (!fresh(c, &s[i], now_ms)) {
				s[i].stamp = 0;
				return false;
			}
			out->cls = (enum vclass)s[i].cls;
			out->name = s[i].name;
			str_copy(out->reason, sizeof(out->reason), s[i].in_longr ?
			    c->longr[&s[i] - c->v] : s[i].reason);
			return true;
		}
	}
	return false;
}

void
vcache_put(struct vcache *c, const struct addr *a, long long now_ms,
    const struct vcache_val *v)
{
	unsigned char k[16], family;
	struct vslot *s, *victim = NULL;
	int i;

	if (c == NULL || c->nsets == 0)
		return;
	key_of(a, k, &family);
	s = set_of(c, k);
	for (i = 0; i < VCACHE_WAYS && victim == NULL; i++)
		if (s[i].stamp != 0 && key_same(&s[i], k, family))
			victim = &s[i];         /* refresh in place */
	for (i = 0; i < VCACHE_WAYS && victim == NULL; i++)
		if (!fresh(c, &s[i], now_ms))
			victim = &s[i];         /* empty or expired */
	if (victim == NULL)
		for (victim = s, i = 1; i < VCACHE_WAYS; i++)
			if (s[i].stamp < victim->stamp)
				victim = &s[i]; /* the oldest */
	memcpy(victim->a, k, 16);
	victim->family = family;
	victim->stamp = now_ms + 1;
	victim->cls = (unsigned char)v->cls;
	victim->name = v->name;
	victim->in_longr = strnlen(v->reason, VCACHE_SHORT) == VCACHE_SHORT;
	str_copy(victim->in_longr ? c->longr[victim - c->v] : victim->reason,
	    victim->in_longr ? CLASSIFY_REASON_MAX : VCACHE_SHORT, v->reason);
}

void
vcache_clear(struct vcache *c)
{
	if (c != NULL && c->nsets != 0)
		memset(c->v, 0, c->nsets * VCACHE_WAYS * sizeof(*c->v));
}

size_t
vcache_count(const struct vcache *c, long long now_ms)
{
	size_t i, n = 0;

	if (c == NULL)
		return 0;
	for (i = 0; i < c->nsets * VCACHE_WAYS; i++)
		n += fresh(c, &c->v[i], now_ms);
	return n;
}
