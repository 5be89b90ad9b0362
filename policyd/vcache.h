/*
 * vcache.h - recent verdicts per client address.
 *
 * Postfix asks once per RCPT (and at other stages), so one client is asked
 * about many times in a row; the cache answers those from memory.  It is
 * bounded (a fixed number of entries allocated once, 4-way set-associative:
 * an insert replaces an expired entry of its set, else the oldest), has a
 * TTL (entries older than it are misses), and is emptied by vcache_clear()
 * on reload, since a new configuration may decide differently.  Times are
 * passed in (milliseconds, monotonic), so the cache is testable and does no
 * I/O; lookups and inserts never allocate.
 */
#ifndef POLICYD_VCACHE_H
#define POLICYD_VCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policyd/classify.h"

struct addr;

#define VCACHE_DEFAULT_SIZE   10000
#define VCACHE_DEFAULT_TTL_MS (10 * 60 * 1000LL)

struct vcache_val {
	enum vclass cls;
	uint32_t name;          /* the caller's key of the name that decided
	                           (stored and returned, not compared) */
	char reason[CLASSIFY_REASON_MAX];
};

struct vcache;

/* size 0 gives a cache that stores nothing (every lookup misses). */
struct vcache *vcache_new(size_t size, long long ttl_ms);
void vcache_free(struct vcache *c);                     /* NULL ok */
bool vcache_get(struct vcache *c, const struct addr *a, long long now_ms,
    struct vcache_val *out);
void vcache_put(struct vcache *c, const struct addr *a, long long now_ms,
    const struct vcache_val *v);
/* A hint: start loading a's set into the CPU cache (c may be NULL). */
void vcache_prefetch(const struct vcache *c, const struct addr *a);
void vcache_clear(struct vcache *c);
size_t vcache_count(const struct vcache *c, long long now_ms);

#endif
