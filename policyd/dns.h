/*
 * dns.h - asynchronous DNS for policyd: c-ares inside the libev loop, an
 * answer cache, and identical lookups in flight merged into one query.
 *
 * One struct dns per process (dns_get() keeps it): its queries go out
 * through a c-ares channel in the libev loop (dnschan.h: one ev_io per
 * c-ares socket, one ev_timer from ares_timeout()).  Servers come from
 * dns.servers ("IP:PORT"), otherwise from the system resolver
 * configuration (resolv.conf), read when the channel is made.
 *
 * dns_lookup(qtype, name) answers from the cache when it can - calling fn
 * before it returns, and returning NULL - otherwise it joins the query in
 * flight for the same (qtype, name) or sends one, and calls fn exactly once
 * from the loop later, unless the lookup is cancelled first.  A cancelled
 * lookup leaves its query running: the late answer still fills the cache.
 * The answer passed to fn is only valid during the call.  Names are
 * compared case-insensitively (lowercased here).
 *
 * c-ares tries each server up to 3 times, the first try timing out after a
 * third of dns.timeout_ms (at least 50 ms), later ones after doubling.
 * The per-request deadline is not kept here but by the caller (dnscheck).
 *
 * What is cached, for how long (clamped into [min_ttl, max_ttl]):
 *   answers (OK)             their smallest record TTL
 *   NXDOMAIN / NODATA        the SOA's negative TTL, else dns.negative_ttl
 *   SERVFAIL, REFUSED,       DNS_TEMPFAIL_TTL seconds, so a broken server
 *   timeout, other errors    is not asked again for every request
 *
 * A new configuration (SIGHUP) is applied by dns_get(): cache size and TTL
 * bounds at once; changed servers or timeout open a new channel for new
 * queries while the old one finishes its queries in flight.  Errors making
 * a channel are logged; dns_get() then returns NULL (callers answer
 * without DNS) or keeps the old channel.  dns_free() closes every channel
 * of the process: there is one struct dns per process.
 */
#ifndef POLICYD_DNS_H
#define POLICYD_DNS_H

#include <stddef.h>
#include "policyd/dnsmsg.h"
#include "policyd/dnscache.h"

struct ev_loop;
struct dns_config;
struct dns;
struct dns_lookup;

#define DNS_TEMPFAIL_TTL  5

typedef void dns_answer_fn(void *arg, const struct dns_answer *ans);

struct dns_stats {
	unsigned long lookups;          /* dns_lookup() calls */
	unsigned long cache_hits;
	unsigned long merged;           /* joined a query in flight */
	unsigned long queries;          /* sent to c-ares */
	unsigned long answers, notfound, tempfail;
	size_t        inflight;         /* queries not yet answered */
	size_t        sockets;          /* c-ares sockets watched */
	struct dnscache_stats cache;
};

struct dns *dns_new(struct ev_loop *loop, const struct dns_config *dc);
void dns_free(struct dns *d);                   /* NULL ok; waiters get
                                                   a "cancelled" tempfail */
/* The process's resolver, made on first use and reconfigured when dc
 * differs from the last one seen.  NULL when it cannot be made. */
struct dns *dns_get(struct ev_loop *loop, const struct dns_config *dc);
/* A new configuration is in: the next dns_get() applies its dc even if it
 * sits at the address of the one applied before (since freed). */
void dns_reload(void);
void dns_shutdown(void);                        /* frees dns_get()'s */
const struct dns *dns_peek(void);               /* dns_get()'s, or NULL */

struct dns_lookup *dns_lookup(struct dns *d, int qtype, const char *name,
    dns_answer_fn *fn, void *arg);
/* The same for the PTR of address a (its reverse name, asked only when
 * the answer is not cached). */
struct dns_lookup *dns_lookup_ptr(struct dns *d, const struct addr *a,
    dns_answer_fn *fn, void *arg);
void dns_lookup_cancel(struct dns_lookup *l);  /* NULL ok */
/* The cached answer for (qtype, name), or for the PTR of a; NULL when
 * none.  Counts as a lookup and a hit.  Valid until the next call into
 * this module. */
const struct dns_answer *dns_cached(struct dns *d, int qtype,
    const char *name);
const struct dns_answer *dns_cached_ptr(struct dns *d, const struct addr *a);
/* A hint: start loading where the cached PTR of a would be found. */
void dns_prefetch_ptr(const struct dns *d, const struct addr *a);

void dns_stats(const struct dns *d, struct dns_stats *st);

#endif
