/*
 * addrmap.c - see addrmap.h.  Slots hold the key inline; an empty slot has
 * family 0.  The hash is SipHash-like mixing of the 17 key bytes with a
 * 64-bit random seed (common/seed.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/seed.h"
#include "common/xmalloc.h"
#include "firewall-helper/addrmap.h"

struct slot {
	struct addr key;
	uint32_t    val;
};

struct addrmap {
	struct slot *slots;
	size_t   cap;           /* power of two */
	size_t   count;
	uint64_t seed;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static size_t hash(const struct addrmap *m, const struct addr *a)
{
	uint64_t w0, w1;
	uint64_t h = m->seed ^ (uint64_t)a->family;

	memcpy(&w0, a->a, 8);
	memcpy(&w1, a->a + 8, 8);
	h = mix64(h ^ w0);
	h = mix64(h ^ w1);
	return (size_t)h & (m->cap - 1);
}

static bool key_eq(const struct addr *x, const struct addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

struct addrmap *addrmap_new(size_t hint)
{
	struct addrmap *m = xcalloc(1, sizeof(*m));

	m->cap = 16;
	while (m->cap < hint * 2)
		m->cap <<= 1;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	seed_fill(&m->seed, sizeof(m->seed));
	return m;
}

void addrmap_free(struct addrmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

void addrmap_clear(struct addrmap *m)
{
	memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->count = 0;
}

size_t addrmap_count(const struct addrmap *m)
{
	return m->count;
}

/* IPv4 keeps a[0..3]; whatever follows is not part of the key. */
static struct addr norm(const struct addr *a)
{
	struct addr k;

	memset(&k, 0, sizeof(k));
	k.family = a->family;
	memcpy(k.a, a->a, a->family == AF_INET ? 4 : 16);
	return k;
}

static struct slot *find(const struct addrmap *m, const struct addr *key)
{
	struct addr k = norm(key);
	const struct addr *a = &k;
	size_t i = hash(m, a);

	for (;;) {
		struct slot *s = &m->slots[i];
		if (s->key.family == 0)
			return s;
		if (key_eq(&s->key, a))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

bool addrmap_get(const struct addrmap *m, const struct addr *a, uint32_t *val)
{
	struct slot *s = find(m, a);

	if (s->key.family == 0)
		return false;
	if (val)
		*val = s->val;
	return true;
}

static void grow(struct addrmap *m)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;

	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key.family != 0)
			*find(m, &old[i].key) = old[i];
	free(old);
}

void addrmap_put(struct addrmap *m, const struct addr *a, uint32_t val)
{
	struct slot *s;

	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	s = find(m, a);
	if (s->key.family == 0) {
		s->key = norm(a);
		m->count++;
	}
	s->val = val;
}

bool addrmap_del(struct addrmap *m, const struct addr *a)
{
	struct slot *s = find(m, a);
	size_t i, j, home;

	if (s->key.family == 0)
		return false;
	/* Backward shift: pull later members of the run into the hole when
	 * their home slot does not lie cyclically between hole and them. */
	i = (size_t)(s - m->slots);
	j = i;
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (m->slots[j].key.family == 0)
			break;
		home = hash(m, &m->slots[j].key);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->count--;
	return true;
}

bool addrmap_next(const struct addrmap *m, size_t *pos, struct addr *a,
    uint32_t *val)
{
	for (; *pos < m->cap; (*pos)++) {
		const struct slot *s = &m->slots[*pos];
		if (s->key.family != 0) {
			if (a)
				*a = s->key;
			if (val)
				*val = s->val;
			(*pos)++;
			return true;
		}
	}
	return false;
}
