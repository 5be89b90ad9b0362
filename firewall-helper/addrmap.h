/*
 * addrmap.h - a hash map from an address to a 32-bit value.
 *
 * Open addressing with linear probing and backward-shift deletion, so there
 * are no tombstones and lookups stay short however many deletions happen.
 * The hash is keyed with a per-map random seed: the addresses come from the
 * network, and a fixed hash would let a sender pick colliding ones.
 * The load factor is kept under 1/2; the table grows by doubling.
 *
 * Keys are copied.  addrmap_free(NULL) is a no-op.
 */
#ifndef FWH_ADDRMAP_H
#define FWH_ADDRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/addr.h"

struct addrmap;

struct addrmap *addrmap_new(size_t hint);
void   addrmap_free(struct addrmap *m);
void   addrmap_clear(struct addrmap *m);
size_t addrmap_count(const struct addrmap *m);
/* Returns true and sets *val when present. */
bool   addrmap_get(const struct addrmap *m, const struct addr *a, uint32_t *val);
/* Insert or replace. */
void   addrmap_put(struct addrmap *m, const struct addr *a, uint32_t val);
/* Returns true when it was present. */
bool   addrmap_del(struct addrmap *m, const struct addr *a);
/* Iterate: *pos starts at 0; returns false at the end.  The map must not
 * change during the walk. */
bool   addrmap_next(const struct addrmap *m, size_t *pos, struct addr *a,
    uint32_t *val);

#endif
