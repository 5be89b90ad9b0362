/*
 * dnscheck.h - the DNS facts about one client, gathered within a deadline.
 *
 * dnscheck_start() runs, at once and in parallel where it can:
 *   - the PTR of the client address, unless Postfix gave a usable name or
 *     dns.ptr is off;
 *   - the forward confirmation (A for IPv4, AAAA for IPv6) of that name,
 *     when dns.forward_confirm is on and the name is not already verified
 *     (Postfix's client_name is; reverse_client_name and our own PTR are
 *     not); it follows the PTR answer;
 *   - one A query per dns.dnsbl zone (reversed octets or nibbles + zone),
 *     IPv6 clients only for zones with ipv6 on.
 * done() is called exactly once: before dnscheck_start() returns when every
 * answer was cached (it then returns NULL), else from the loop when the last
 * answer arrives or the deadline passes, whichever comes first; lookups
 * still running at the deadline count as temporary failures ("timeout") and
 * are left to fill the cache.  dnscheck_cancel() drops a check without
 * calling done().  A NULL resolver (none could be made) gives temporary
 * failures at once.
 *
 * dnscheck_decide() is the pure rule from facts to a decision:
 *   a DNSBL listing whose code maps to a class    -> that class
 *   no PTR (NXDOMAIN/NODATA), or no name at all   -> class "unknown"
 *   PTR or forward confirmation failed temporarily -> tempfail_action
 *   otherwise                                     -> classify r->name
 *                                  (signal "forged" when not confirmed)
 * and dnscheck_reason() writes the facts as key=value words for the log.
 *
 * The config (dc) must outlive the check: hold a config reference.
 */
#ifndef POLICYD_DNSCHECK_H
#define POLICYD_DNSCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include "common/addr.h"
#include "policyd/dnsmsg.h"

struct ev_loop;
struct dns;
struct dns_config;
struct dnscheck;

enum dnscheck_ptr {
	DC_PTR_SKIPPED,         /* not looked up (dns.ptr off) */
	DC_PTR_GIVEN,           /* Postfix's name used */
	DC_PTR_FOUND,
	DC_PTR_NONE,            /* NXDOMAIN / NODATA */
	DC_PTR_TEMPFAIL,
};

enum dnscheck_fc {
	DC_FC_SKIPPED,          /* not configured / no name */
	DC_FC_VERIFIED,         /* Postfix verified it (client_name) */
	DC_FC_CONFIRMED,
	DC_FC_FORGED,           /* name does not resolve to the address */
	DC_FC_TEMPFAIL,
};

#define DNSCHECK_ZONES_MAX 16

struct dnscheck_result {
	enum dnscheck_ptr ptr;
	enum dnscheck_fc fc;
	char name[DNS_NAME_MAX + 1];    /* host name to classify, or "" */
	char dnsbl_class[16];           /* first listing zone's class, or "" */
	char dnsbl[256];                /* "zone:127.0.0.10 ..." listings */
	bool bl_tempfail;               /* some zone did not answer */
	bool late;                      /* the deadline passed first */
	char why[192];                  /* first temporary failure, as
	                                   "PTR:servfail", "pbl.test:deadline" */
};

enum dnscheck_decision {
	DC_DECIDE_NAME,         /* classify r->name */
	DC_DECIDE_CLASS,        /* *class set */
	DC_DECIDE_TEMPFAIL,     /* answer tempfail_action */
};

typedef void dnscheck_done_fn(void *arg, const struct dnscheck_result *r);

/* name: a name Postfix gave that dnscheck_name_usable() accepted, or NULL;
 * verified: it is client_name. */
struct dnscheck *dnscheck_start(struct ev_loop *loop, struct dns *d,
    const struct dns_config *dc, const struct addr *client, const char *name,
    bool verified, long long deadline_ms, dnscheck_done_fn *done, void *arg);
void dnscheck_cancel(struct dnscheck *c);       /* NULL ok */
/* The same facts when every answer needed is in the cache: true and *out
 * filled, with no allocation, timer or query; false (nothing started,
 * *out written in part) when something is missing.  The fast path for
 * requests seen before. */
bool dnscheck_cached(struct dns *d, const struct dns_config *dc,
    const struct addr *client, const char *name, bool verified,
    struct dnscheck_result *out);

enum dnscheck_decision dnscheck_decide(const struct dnscheck_result *r,
    const char **class);
/* Write "ptr=... fcrdns=... dnsbl=... dns_tempfail=PTR:deadline" (the
 * words that apply; "" when none) into buf. */
void dnscheck_reason(const struct dnscheck_result *r, char *buf, size_t size);
/* True when a name from Postfix is usable ("unknown", empty, NULL: not). */
bool dnscheck_name_usable(const char *name);

#endif
