/*
 * policy_dns.h - the DNS stage of a policy job: from a request to the name
 * to classify, or a class DNS alone decides, or a temporary failure.
 *
 * Which name a request has (Postfix's attributes):
 *   client_name usable            -> that name, verified by Postfix (it is
 *                                    only set when the PTR forward-confirms)
 *   else reverse_client_name usable -> that name, not verified
 *   else                          -> none: look the PTR up (dns.ptr)
 * ("unknown", empty or absent is not usable; nor is a name with bytes a
 * host name cannot have).  Without a `dns:` section nothing is looked up.
 * With one, lookups are needed when there is no name (and
 * dns.ptr is on), when the name is unverified and dns.forward_confirm is
 * on, and whenever dns.dnsbl zones are configured.  policy_dns_needed()
 * says so without allocating, so requests that need no DNS take no job;
 * when it says yes it has filled a struct policy_dns_req, which the other
 * calls take: the name is checked once per request.
 *
 * policy_dns_start() calls done() exactly once - before returning NULL
 * when every answer was at hand (cache, or nothing to look up), otherwise
 * from the loop by dns.timeout_ms - unless policy_dns_cancel() comes first.
 * The outcome (see dnscheck_decide()):
 *   PDNS_CLASS     a DNSBL code's class, or "unknown" (no PTR)
 *   PDNS_TEMPFAIL  answer dns.tempfail_action (default DUNNO)
 *   PDNS_NAME      classify `name`; `forged` when it did not
 *                  forward-confirm (a signal for the reason)
 * `reason` holds the DNS facts as key=value words for the log line.
 *
 * The resolver is the process's one (dns_get()); policy_dns_live(false)
 * turns every lookup off (policyd -q without --dns): requests then go by
 * what they carry.
 */
#ifndef POLICYD_POLICY_DNS_H
#define POLICYD_POLICY_DNS_H

#include <stdbool.h>
#include <stdio.h>
#include "policyd/dnscheck.h"

struct ev_loop;
struct config;
struct policy_req;
struct policy_dns;

enum policy_dns_what { PDNS_NAME, PDNS_CLASS, PDNS_TEMPFAIL };

struct policy_dns_outcome {
	enum policy_dns_what what;
	const char *class;              /* PDNS_CLASS */
	const char *name;               /* PDNS_NAME; may be "" */
	bool forged;
	bool late;                      /* the DNS deadline passed */
	char reason[384];
	struct dnscheck_result r;       /* the facts, and the storage of name
	                                   and class: an outcome owns its
	                                   strings */
};

typedef void policy_dns_done_fn(void *arg, const struct policy_dns_outcome *o);

/* What the DNS stage reads of a request. */
struct policy_dns_req {
	const struct addr *client;      /* client_address parsed; NULL: not
	                                   parsable (nothing is looked up) */
	const char *name;               /* the usable name Postfix gave, or NULL */
	bool verified;                  /* name is client_name */
};

/* client: the parsed client_address or NULL.  true: DNS is needed, and *q
 * is filled for policy_dns_try() and policy_dns_start(). */
bool policy_dns_needed(const struct config *cfg, const struct policy_req *req,
    const struct addr *client, struct policy_dns_req *q);
/* A hint, before the earlier stages: when the request brings no name
 * (verdict_name()), start loading where the client's cached PTR would be,
 * so that it is there if the DNS stage comes. */
void policy_dns_prefetch(const struct config *cfg,
    const struct policy_req *req, const struct addr *client);
struct policy_dns *policy_dns_start(struct ev_loop *loop,
    const struct config *cfg, const struct policy_dns_req *q,
    policy_dns_done_fn *done, void *arg);
void policy_dns_cancel(struct policy_dns *pd);         /* NULL ok */
/* When every answer needed is cached: true and *o filled, at once, with
 * no job, timer or allocation (the fast path); else false (always for a
 * client that did not parse). */
bool policy_dns_try(struct ev_loop *loop, const struct config *cfg,
    const struct policy_dns_req *q, struct policy_dns_outcome *o);

/* Process-wide: the resolver for cfg (policy_init/_reload), and its end. */
int  policy_dns_init(struct ev_loop *loop, const struct config *cfg);
void policy_dns_fini(void);
void policy_dns_live(bool on);

/* policyd -q --dns: look the client up live and print the facts. */
int  policy_dns_explain(struct ev_loop *loop, const struct config *cfg,
    const char *ip, const char *name, FILE *out);

#endif
