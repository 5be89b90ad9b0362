/*
 * blocktab.c - see blocktab.h.
 *
 * Layout: ents[0..n) dense; map: addr -> index in ents; heap: (key, addr)
 * items ordered by key, where key is expires with "never" as the largest
 * time, so that eviction under FWH_FULL_EVICT can take the heap top too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "firewall-helper/addrmap.h"
#include "firewall-helper/blocktab.h"
#include "firewall-helper/fwconf.h"

#define NEVER_KEY ((time_t)INT64_MAX)

struct hitem {
	time_t key;
	struct addr addr;
};

struct blocktab {
	struct blocktab_entry *ents;
	size_t n, cap;
	struct addrmap *map;
	struct hitem *heap;
	size_t hn, hcap;
	size_t max;
	int when_full;
};

static time_t key_of(const struct blocktab_entry *e)
{
	return e->expires == 0 ? NEVER_KEY : e->expires;
}

static void heap_up(struct blocktab *bt, size_t i)
{
	struct hitem it = bt->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (bt->heap[p].key <= it.key)
			break;
		bt->heap[i] = bt->heap[p];
		i = p;
	}
	bt->heap[i] = it;
}

static void heap_down(struct blocktab *bt, size_t i)
{
	struct hitem it = bt->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= bt->hn)
			break;
		if (c + 1 < bt->hn && bt->heap[c + 1].key < bt->heap[c].key)
			c++;
		if (it.key <= bt->heap[c].key)
			break;
		bt->heap[i] = bt->heap[c];
		i = c;
	}
	bt->heap[i] = it;
}

static void heap_rebuild(struct blocktab *bt)
{
	bt->hn = 0;
	if (bt->hcap < bt->n + 16) {
		bt->hcap = bt->n + 16;
		bt->heap = xreallocarray(bt->heap, bt->hcap, sizeof(*bt->heap));
	}
	for (size_t i = 0; i < bt->n; i++) {
		bt->heap[bt->hn].key = key_of(&bt->ents[i]);
		bt->heap[bt->hn].addr = bt->ents[i].addr;
		bt->hn++;
	}
	for (size_t i = bt->hn / 2; i-- > 0;)
		heap_down(bt, i);
}

static void heap_push(struct blocktab *bt, const struct blocktab_entry *e)
{
	if (bt->hn > 2 * bt->n + 1024) {
		heap_rebuild(bt);       /* includes e: it is already in ents */
		return;
	}
	if (bt->hn == bt->hcap) {
		bt->hcap = bt->hcap ? bt->hcap * 2 : 64;
		bt->heap = xreallocarray(bt->heap, bt->hcap, sizeof(*bt->heap));
	}
	bt->heap[bt->hn].key = key_of(e);
	bt->heap[bt->hn].addr = e->addr;
	heap_up(bt, bt->hn++);
}

/* The live entry at the heap top, dropping stale items on the way. */
static struct blocktab_entry *heap_top(struct blocktab *bt)
{
	while (bt->hn > 0) {
		uint32_t idx;
		if (addrmap_get(bt->map, &bt->heap[0].addr, &idx) &&
		    key_of(&bt->ents[idx]) == bt->heap[0].key)
			return &bt->ents[idx];
		bt->heap[0] = bt->heap[--bt->hn];
		if (bt->hn > 0)
			heap_down(bt, 0);
	}
	return NULL;
}

struct blocktab *blocktab_new(size_t max_entries, int when_full)
{
	struct blocktab *bt = xcalloc(1, sizeof(*bt));

	bt->map = addrmap_new(1024);
	bt->max = max_entries;
	bt->when_full = when_full;
	return bt;
}

void blocktab_clear(struct blocktab *bt)
{
	for (size_t i = 0; i < bt->n; i++)
		free(bt->ents[i].reason);
	bt->n = 0;
	bt->hn = 0;
	addrmap_clear(bt->map);
}

void blocktab_free(struct blocktab *bt)
{
	if (bt == NULL)
		return;
	blocktab_clear(bt);
	free(bt->ents);
	free(bt->heap);
	addrmap_free(bt->map);
	free(bt);
}

void blocktab_set_limit(struct blocktab *bt, size_t max_entries, int when_full)
{
	bt->max = max_entries;
	bt->when_full = when_full;
}

size_t blocktab_count(const struct blocktab *bt) { return bt->n; }
size_t blocktab_max(const struct blocktab *bt) { return bt->max; }

const struct blocktab_entry *blocktab_at(const struct blocktab *bt, size_t i)
{
	return i < bt->n ? &bt->ents[i] : NULL;
}

const struct blocktab_entry *blocktab_get(const struct blocktab *bt,
    const struct addr *a)
{
	uint32_t idx;

	return addrmap_get(bt->map, a, &idx) ? &bt->ents[idx] : NULL;
}

/* Remove ents[idx]; the last entry moves into its place.  frees reason
 * unless keep_reason. */
static void remove_at(struct blocktab *bt, uint32_t idx, bool keep_reason)
{
	addrmap_del(bt->map, &bt->ents[idx].addr);
	if (!keep_reason)
		free(bt->ents[idx].reason);
	if (idx != bt->n - 1) {
		bt->ents[idx] = bt->ents[bt->n - 1];
		addrmap_put(bt->map, &bt->ents[idx].addr, idx);
	}
	bt->n--;
}

static struct blocktab_entry *append(struct blocktab *bt, const struct addr *a)
{
	struct blocktab_entry *e;

	if (bt->n == bt->cap) {
		bt->cap = bt->cap ? bt->cap * 2 : 1024;
		bt->ents = xreallocarray(bt->ents, bt->cap, sizeof(*bt->ents));
	}
	e = &bt->ents[bt->n];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	addrmap_put(bt->map, a, (uint32_t)bt->n);
	bt->n++;
	return e;
}

enum blocktab_res blocktab_add(struct blocktab *bt, const struct addr *a,
    time_t now, time_t expires, const char *reason,
    struct blocktab_entry *evicted, bool *did_evict)
{
	uint32_t idx;
	struct blocktab_entry *e;

	if (did_evict)
		*did_evict = false;
	if (addrmap_get(bt->map, a, &idx)) {
		e = &bt->ents[idx];
		if (e->expires != 0 && (expires == 0 || expires > e->expires)) {
			e->expires = expires;
			heap_push(bt, e);
		}
		e->updated = now;
		e->seen++;
		free(e->reason);
		e->reason = xstrdup(reason ? reason : "");
		return BT_REFRESHED;
	}
	if (bt->n >= bt->max) {
		struct blocktab_entry *victim;

		if (bt->when_full == FWH_FULL_REFUSE || (victim = heap_top(bt)) == NULL)
			return BT_FULL;
		idx = (uint32_t)(victim - bt->ents);
		if (evicted) {
			*evicted = *victim;
			remove_at(bt, idx, true);
		} else
			remove_at(bt, idx, false);
		if (did_evict)
			*did_evict = true;
	}
	e = append(bt, a);
	e->added = e->updated = now;
	e->expires = expires;
	e->seen = 1;
	e->reason = xstrdup(reason ? reason : "");
	heap_push(bt, e);
	return BT_ADDED;
}

void blocktab_restore(struct blocktab *bt, const struct blocktab_entry *src)
{
	uint32_t idx;
	struct blocktab_entry *e;

	if (addrmap_get(bt->map, &src->addr, &idx)) {
		e = &bt->ents[idx];
		free(e->reason);
	} else
		e = append(bt, &src->addr);
	*e = *src;
	e->reason = xstrdup(src->reason ? src->reason : "");
	heap_push(bt, e);
}

bool blocktab_del(struct blocktab *bt, const struct addr *a)
{
	uint32_t idx;

	if (!addrmap_get(bt->map, a, &idx))
		return false;
	remove_at(bt, idx, false);
	return true;
}

bool blocktab_evict(struct blocktab *bt, struct blocktab_entry *out)
{
	struct blocktab_entry *victim = heap_top(bt);

	if (victim == NULL)
		return false;
	*out = *victim;
	remove_at(bt, (uint32_t)(victim - bt->ents), true);
	return true;
}

time_t blocktab_next_expiry(struct blocktab *bt)
{
	struct blocktab_entry *e = heap_top(bt);

	return e == NULL || e->expires == 0 ? 0 : e->expires;
}

size_t blocktab_expire(struct blocktab *bt, time_t now,
    void (*cb)(const struct blocktab_entry *e, void *arg), void *arg)
{
	struct blocktab_entry *e;
	size_t cnt = 0;

	while ((e = heap_top(bt)) != NULL && e->expires != 0 && e->expires < now) {
		if (cb)
			cb(e, arg);
		remove_at(bt, (uint32_t)(e - bt->ents), false);
		cnt++;
	}
	return cnt;
}

size_t blocktab_export(const struct blocktab *bt, struct fw_entry **out)
{
	struct fw_entry *v = xcalloc(bt->n ? bt->n : 1, sizeof(*v));

	for (size_t i = 0; i < bt->n; i++) {
		v[i].addr = bt->ents[i].addr;
		v[i].added = bt->ents[i].added;
		v[i].expires = bt->ents[i].expires;
	}
	*out = v;
	return bt->n;
}
