/*
 * vcache.c - bounded, TTL'd verdict cache per client address (vcache.h).
 *
 * The entries live in one array of sets of VCACHE_WAYS; an address hashes
 * to one set.  A slot is empty when its stamp is 0 (times are shifted by
 * one so that a real stamp is never 0).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "policyd/vcache.h"

#define VCACHE_WAYS 4

struct vslot {
	struct addr a;
	long long stamp;        /* inserted at (ms + 1); 0: empty */
	struct vcache_val v;
};

struct vcache {
	struct vslot *v;
	size_t nsets;           /* power of two; 0: caching off */
	long long ttl_ms;
};

static uint32_t
addr_hash(const struct addr *a)
{
	uint32_t h = 2166136261u;
	int i, n = a->family == AF_INET6 ? 16 : 4;

	for (i = 0; i < n; i++)
		h = (h ^ a->a[i]) * 16777619u;
	return h ^ (h >> 15);
}

static bool
addr_same(const struct addr *x, const struct addr *y)
{
	int i, n = x->family == AF_INET6 ? 16 : 4;

	if (x->family != y->family)
		return false;
	for (i = 0; i < n; i++)         /* inline: no memcmp call per way */
		if (x->a[i] != y->a[i])
			return false;
	return true;
}

struct vcache *
vcache_new(size_t size, long long ttl_ms)
{
	struct vcache *c = xcalloc(1, sizeof(*c));
	size_t sets = 1;

	c->ttl_ms = ttl_ms;
	if (size == 0 || ttl_ms <= 0)
		return c;
	while (sets * VCACHE_WAYS < size)
		sets *= 2;
	c->nsets = sets;
	c->v = xcalloc(sets * VCACHE_WAYS, sizeof(*c->v));
	return c;
}

void
vcache_free(struct vcache *c)
{
	if (c == NULL)
		return;
	free(c->v);
	free(c);
}

static struct vslot *
set_of(struct vcache *c, const struct addr *a)
{
	return &c->v[(addr_hash(a) & (c->nsets - 1)) * VCACHE_WAYS];
}

static bool
fresh(const struct vcache *c, const struct vslot *s, long long now_ms)
{
	return s->stamp != 0 && now_ms + 1 - s->stamp < c->ttl_ms;
}

bool
vcache_get(struct vcache *c, const struct addr *a, long long now_ms,
    struct vcache_val *out)
{
	struct vslot *s;
	int i;

	if (c == NULL || c->nsets == 0)
		return false;
	s = set_of(c, a);
	for (i = 0; i < VCACHE_WAYS; i++) {
		if (s[i].stamp != 0 && addr_same(&s[i].a, a)) {
			if (!fresh(c, &s[i], now_ms)) {
				s[i].stamp = 0;
				return false;
			}
			/* the reason up to its end, not all of its array */
			out->cls = s[i].v.cls;
			str_copy(out->reason, sizeof(out->reason),
			    s[i].v.reason);
			return true;
		}
	}
	return false;
}

void
vcache_put(struct vcache *c, const struct addr *a, long long now_ms,
    const struct vcache_val *v)
{
	struct vslot *s, *victim = NULL;
	int i;

	if (c == NULL || c->nsets == 0)
		return;
	s = set_of(c, a);
	for (i = 0; i < VCACHE_WAYS && victim == NULL; i++)
		if (s[i].stamp != 0 && addr_same(&s[i].a, a))
			victim = &s[i];         /* refresh in place */
	for (i = 0; i < VCACHE_WAYS && victim == NULL; i++)
		if (!fresh(c, &s[i], now_ms))
			victim = &s[i];         /* empty or expired */
	if (victim == NULL)
		for (victim = s, i = 1; i < VCACHE_WAYS; i++)
			if (s[i].stamp < victim->stamp)
				victim = &s[i]; /* the oldest */
	victim->a = *a;
	victim->stamp = now_ms + 1;
	victim->v = *v;
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
