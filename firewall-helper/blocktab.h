/*
 * blocktab.h - the block table: which addresses are blocked, since when,
 * until when, why, and how often they were reported.
 *
 * Lookup is a hash (addrmap) into a dense array, so adding, finding and
 * removing are O(1) and iterating is a walk over the array.  Expiry is a
 * binary min-heap on `expires`, kept lazily: a refresh pushes a new item and
 * stale items are skipped when they surface; the heap is rebuilt when stale
 * items outnumber live ones.
 *
 * Re-adding an address refreshes it: expires becomes the later of the old
 * and the new expiry (a refresh never shortens a block), seen is counted
 * up, the reason is replaced by the newest.
 *
 * When the table holds max_entries and a new address comes: with
 * FWH_FULL_EVICT the entry that expires soonest is evicted to make room
 * (blocktab_add reports it in *evicted so the caller can log, journal and
 * unblock it); with FWH_FULL_REFUSE the new address is refused (BT_FULL).
 *
 * The table does no I/O and never logs.  Entry pointers stay valid only
 * until the next add or delete.  Reasons are copied.
 */
#ifndef FWH_BLOCKTAB_H
#define FWH_BLOCKTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "common/addr.h"
#include "firewall-helper/fw_backend.h"

struct blocktab_entry {
	struct addr addr;
	time_t  added;          /* first added */
	time_t  updated;        /* last added or refreshed */
	time_t  expires;        /* 0: never */
	unsigned long seen;
	char   *reason;         /* never NULL */
};

enum blocktab_res { BT_ADDED, BT_REFRESHED, BT_FULL };

struct blocktab;

struct blocktab *blocktab_new(size_t max_entries, int when_full);
void   blocktab_free(struct blocktab *bt);
void   blocktab_set_limit(struct blocktab *bt, size_t max_entries, int when_full);
size_t blocktab_count(const struct blocktab *bt);
size_t blocktab_max(const struct blocktab *bt);

/* Add or refresh.  On BT_ADDED with a full table under FWH_FULL_EVICT,
 * *evicted (if not NULL) receives a copy of the evicted entry, whose reason
 * the caller frees, and *did_evict is set. */
enum blocktab_res blocktab_add(struct blocktab *bt, const struct addr *a,
    time_t now, time_t expires, const char *reason,
    struct blocktab_entry *evicted, bool *did_evict);
/* Restore an entry as it was (journal replay): replaces any existing one. */
void   blocktab_restore(struct blocktab *bt, const struct blocktab_entry *e);
const struct blocktab_entry *blocktab_get(const struct blocktab *bt,
    const struct addr *a);
/* Remove; returns true when it was present. */
bool   blocktab_del(struct blocktab *bt, const struct addr *a);
void   blocktab_clear(struct blocktab *bt);

/* The entry at index i (0..count-1), for iteration; order is arbitrary and
 * changes on delete. */
const struct blocktab_entry *blocktab_at(const struct blocktab *bt, size_t i);

/* Remove the entry that expires soonest (as a full table would), copying
 * it to *out (caller frees out->reason); false when empty. */
bool   blocktab_evict(struct blocktab *bt, struct blocktab_entry *out);

/* Earliest expiry (0 when nothing expires). */
time_t blocktab_next_expiry(struct blocktab *bt);
/* Remove every entry with 0 < expires < now, calling cb for each before it
 * goes: a block lasts through the whole second it expires in, so that
 * with one-second times a ttl of N is never shorter than N seconds.
 * Returns how many were removed. */
size_t blocktab_expire(struct blocktab *bt, time_t now,
    void (*cb)(const struct blocktab_entry *e, void *arg), void *arg);

/* All entries as fw_entry, for a backend's reconcile; caller frees. */
size_t blocktab_export(const struct blocktab *bt, struct fw_entry **out);

#endif
