/*
 * dnscache.h - a bounded cache of DNS answers, honouring TTLs (pure: the
 * caller passes the time; no I/O, no logging).
 *
 * Keyed by (query type, key): a key is bytes of a known length, compared
 * exactly - a name, lowercased by the caller (dnsmsg and dns.c do), or any
 * other bytes the caller chooses (dns.c keys an address's PTR by the
 * address).  Positive and negative answers
 * (NOTFOUND) are kept until now + ttl; temporary failures too, for the short
 * ttl the caller gives them, so a failing server is not hammered.  Full
 * means max entries, or max * DNSCACHE_ENTRY_BYTES bytes of them, whichever
 * comes first: whoever owns a zone can make its answers long (128
 * addresses), and the memory stays bounded all the same.  When full, the
 * oldest entry not hit since it was last considered goes (second
 * chance: least recently used, nearly, with hits that only set a mark).
 * Lookups and inserts are O(1) (eviction amortised).
 *
 * dnscache_get() returns the entry's answer, valid until the next
 * dnscache_put/_set_max/_free: copy what you keep.  dnscache_put() copies
 * the answer (deep, into one block per entry) and replaces an entry with
 * the same key.
 */
#ifndef POLICYD_DNSCACHE_H
#define POLICYD_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

struct dns_answer;
struct dnscache;

/* The average entry the byte budget allows: a PTR name of 60 bytes or
 * a few addresses take about 200. */
#define DNSCACHE_ENTRY_BYTES 384

struct dnscache_stats {
	size_t        entries, max;
	size_t        bytes, max_bytes;
	unsigned long hits, misses, expired, evicted;
};

struct dnscache *dnscache_new(size_t max);
void dnscache_free(struct dnscache *c);                  /* NULL ok */
/* Shrinking evicts entries at once, as above. */
void dnscache_set_max(struct dnscache *c, size_t max);
const struct dns_answer *dnscache_get(struct dnscache *c, int qtype,
    const char *name, double now);
/* The same for a key of len bytes whose dnscache_hash() is h. */
const struct dns_answer *dnscache_get_hashed(struct dnscache *c, int qtype,
    const char *key, size_t len, uint32_t h, double now);
/* ttl: seconds from now (0: not stored). */
void dnscache_put(struct dnscache *c, int qtype, const char *name,
    const struct dns_answer *a, unsigned ttl, double now);
void dnscache_put_hashed(struct dnscache *c, int qtype, const char *key,
    size_t len, uint32_t h, const struct dns_answer *a, unsigned ttl,
    double now);
/* A hint: start loading the bucket of hash h into the CPU cache. */
void dnscache_prefetch(const struct dnscache *c, uint32_t h);
void dnscache_stats(const struct dnscache *c, struct dnscache_stats *st);
/* Keyed hash of (qtype, key of len bytes) (SipHash-1-3, a random key
 * per process, drawn by the first dnscache_new()); shared with the
 * in-flight table of dns.c. */
uint32_t dnscache_hash(int qtype, const char *name, size_t len);

#endif
