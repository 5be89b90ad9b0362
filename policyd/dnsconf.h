/*
 * dnsconf.h - the `dns:` section of policyd.yaml (pure: a ydoc tree in, a
 * struct out, every error recorded in the ydoc as FILE:LINE:COL).
 *
 *   dns:
 *     servers: [ "127.0.0.1:5353", "[::1]:53", "192.0.2.53" ]
 *                              # absent: the system resolver (resolv.conf)
 *     timeout_ms: 2000         # per-request deadline for all lookups
 *     ptr: true                # look up the PTR when Postfix gave no name
 *     forward_confirm: false   # A/AAAA of the PTR name must hold the client
 *     tempfail_action: DUNNO   # answer when DNS fails temporarily / late
 *     cache_size: 20000        # answers kept (LRU), at most
 *     negative_ttl: 5m         # NXDOMAIN/NODATA without an SOA
 *     min_ttl: 10s             # TTLs are clamped into [min_ttl, max_ttl]
 *     max_ttl: 1d
 *     dnsbl:
 *       - zone: pbl.example.org
 *         ipv6: true           # also query for IPv6 clients (default true)
 *         codes:               # answer (or range) -> verdict class
 *           127.0.0.10: dynamic
 *           127.0.0.11: static
 *           127.0.0.2-127.0.0.9: dynamic
 *
 * Without the section policyd does no DNS lookups at all (requests go by
 * the names Postfix sends); with it - even an empty `dns: {}` - lookups are
 * on, through the system resolver unless servers are given.  (So tests and
 * hosts without a `dns:` section never reach a resolver.)  A zero-filled
 * struct dns_config is the configuration of a file without the section
 * (`parsed` false; every other field's zero means its default, applied by
 * the accessors below), so config.c needs no dns defaults of its own.  Classes are checked
 * against the verdict classes of DESIGN.md (dynamic, static, generic, mail,
 * none, unknown).  The struct owns its strings and arrays;
 * dnsconf_release() frees them (a released struct is zero again).
 */
#ifndef POLICYD_DNSCONF_H
#define POLICYD_DNSCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ydoc;
struct ynode;
struct config;

#define DNSCONF_TIMEOUT_MS_DEFAULT   2000LL
#define DNSCONF_CACHE_DEFAULT        20000LL
#define DNSCONF_CACHE_MAX            (1LL << 24)
#define DNSCONF_NEG_TTL_DEFAULT_S    300
#define DNSCONF_MIN_TTL_DEFAULT_S    10
#define DNSCONF_MAX_TTL_DEFAULT_S    86400
#define DNSCONF_TEMPFAIL_DEFAULT     "DUNNO"
#define DNSCONF_SERVERS_MAX          16
#define DNSCONF_ZONES_MAX            16
/* Bytes of a zone's name: an IPv6 client's query puts 64 bytes of
 * nibbles before it, and a name has 253 at most. */
#define DNSCONF_ZONE_MAX             189

struct dnsbl_code {
	uint32_t lo, hi;        /* IPv4 answer range, host order, inclusive */
	char    *class;
};

struct dnsbl_zone {
	char   *zone;           /* "pbl.example.org", no trailing dot */
	bool    no_ipv6;        /* ipv6: false */
	struct dnsbl_code *codes;
	size_t  ncodes;
};

struct dns_config {
	char  **servers;        /* "IP", "IP:PORT", "[V6]:PORT"; none: system */
	size_t  nservers;
	long long timeout_ms;   /* 0: default */
	bool    no_ptr;         /* ptr: false */
	bool    forward_confirm;
	char   *tempfail_action;        /* NULL: DUNNO */
	long long cache_size;           /* 0: default */
	long long negative_ttl_s, min_ttl_s, max_ttl_s;  /* valid if *_set */
	bool    negative_ttl_set, min_ttl_set, max_ttl_set;
	struct dnsbl_zone *zones;
	size_t  nzones;
	bool    parsed;         /* the section was present: DNS is on */
};

/* n is the value of the `dns` key in cfg's file: 0, or -1 (errors in doc).
 * Fills cfg->dns (called from config.c's section table). */
int  dns_config_parse(struct ydoc *doc, const struct ynode *n,
    struct config *cfg);
void dns_config_free(struct config *cfg);

/* The same on a bare struct (tests). */
int  dnsconf_parse(struct ydoc *doc, const struct ynode *n,
    struct dns_config *dc);
void dnsconf_release(struct dns_config *dc);

/* Effective values. */
long long dnsconf_timeout_ms(const struct dns_config *dc);
const char *dnsconf_tempfail_action(const struct dns_config *dc);
size_t dnsconf_cache_size(const struct dns_config *dc);
unsigned dnsconf_negative_ttl(const struct dns_config *dc);
unsigned dnsconf_min_ttl(const struct dns_config *dc);
unsigned dnsconf_max_ttl(const struct dns_config *dc);
/* Class for an answer of zone z, or NULL when no code matches. */
const char *dnsconf_code_class(const struct dnsbl_zone *z, uint32_t answer);
/* The servers as one "a:p,b:p" string for c-ares (malloc'd), or NULL. */
char *dnsconf_servers_csv(const struct dns_config *dc);

#endif
