/*
 * policy_dns.c - the DNS stage of a policy job (see policy_dns.h).
 */
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "policyd/config.h"
#include "policyd/dns.h"
#include "policyd/dnscheck.h"
#include "policyd/policy_dns.h"
#include "policyd/policy_proto.h"
#include "policyd/stats.h"
#include "policyd/verdict.h"

struct policy_dns {
	struct dnscheck *check;
	policy_dns_done_fn *done;
	void *arg;
};

static bool live = true;

void
policy_dns_live(bool on)
{
	live = on;
}

/* The name Postfix gave, and whether it is verified; NULL when none. */
static const char *
req_name(const struct policy_req *req, bool *verified)
{
	*verified = false;
	if (dnscheck_name_usable(req->client_name)) {
		*verified = true;
		return req->client_name;
	}
	if (dnscheck_name_usable(req->reverse_client_name))
		return req->reverse_client_name;
	return NULL;
}

bool
policy_dns_needed(const struct config *cfg, const struct policy_req *req,
    const struct addr *client, struct policy_dns_req *q)
{
	const struct dns_config *dc = &cfg->dns;

	if (!live || !dc->parsed)
		return false;
	q->client = client;
	q->name = req_name(req, &q->verified);
	if (dc->nzones > 0)
		return true;
	if (q->name == NULL)
		return !dc->no_ptr;
	return !q->verified && dc->forward_confirm;
}

void
policy_dns_prefetch(const struct config *cfg, const struct policy_req *req,
    const struct addr *client)
{
	const struct dns *d;

	if (live && cfg->dns.parsed && !cfg->dns.no_ptr &&
	    verdict_name(req) == NULL && (d = dns_peek()) != NULL)
		dns_prefetch_ptr(d, client);
}

/* The verdict of the facts in o->r; name and class point into o->r or
 * at literals, so that o may outlive the check that found them. */
static void
outcome_decide(struct policy_dns_outcome *o)
{
	const struct dnscheck_result *r = &o->r;
	const char *cls;

	o->class = NULL;
	switch (dnscheck_decide(r, &cls)) {
	case DC_DECIDE_CLASS:
		o->what = PDNS_CLASS;
		o->class = cls;
		break;
	case DC_DECIDE_TEMPFAIL:
		o->what = PDNS_TEMPFAIL;
		break;
	case DC_DECIDE_NAME:
		o->what = PDNS_NAME;
		break;
	}
	o->name = r->name;
	o->forged = r->fc == DC_FC_FORGED;
	o->late = r->late;
	dnscheck_reason(r, o->reason, sizeof(o->reason));
}

static void
check_done(void *arg, const struct dnscheck_result *r)
{
	struct policy_dns *pd = arg;
	struct policy_dns_outcome o;

	o.r = *r;               /* r goes with the check */
	outcome_decide(&o);
	pd->done(pd->arg, &o);
	free(pd);
}

bool
policy_dns_try(struct ev_loop *loop, const struct config *cfg,
    const struct policy_dns_req *q, struct policy_dns_outcome *o)
{
	if (q->client == NULL || !dnscheck_cached(dns_get(loop, &cfg->dns),
	    &cfg->dns, q->client, q->name, q->verified, &o->r))
		return false;
	outcome_decide(o);
	return true;
}

struct policy_dns *
policy_dns_start(struct ev_loop *loop, const struct config *cfg,
    const struct policy_dns_req *q, policy_dns_done_fn *done, void *arg)
{
	struct policy_dns *pd;
	struct dnscheck *check;

	if (q->client == NULL) {        /* nothing to look up by */
		struct policy_dns_outcome o;

		memset(&o, 0, sizeof(o));
		o.what = q->name ? PDNS_NAME : PDNS_CLASS;
		o.class = q->name ? NULL : "unknown";
		o.name = q->name ? q->name : "";
		done(arg, &o);
		return NULL;
	}
	pd = xcalloc(1, sizeof(*pd));
	pd->done = done;
	pd->arg = arg;
	check = dnscheck_start(loop, dns_get(loop, &cfg->dns), &cfg->dns,
	    q->client, q->name, q->verified, dnsconf_timeout_ms(&cfg->dns),
	    check_done, pd);
	if (check == NULL)              /* answered: check_done freed pd */
		return NULL;
	pd->check = check;
	return pd;
}

void
policy_dns_cancel(struct policy_dns *pd)
{
	if (pd == NULL)
		return;
	dnscheck_cancel(pd->check);
	free(pd);
}

/* The resolver's counters, copied into the stats report when asked. */
static void
stats_pull_cb(void *arg)
{
	struct ev_loop *loop = arg;
	const struct dns *d = dns_peek();
	struct dns_stats st;

	(void)loop;
	if (d == NULL)
		return;
	dns_stats(d, &st);
	stats_set(STAT_DNS_LOOKUPS, st.lookups);
	stats_set(STAT_DNS_CACHE_HITS, st.cache_hits);
	stats_set(STAT_DNS_QUERIES, st.queries);
	stats_set(STAT_DNS_FAILURES, st.tempfail);
	stats_set(STAT_DNS_NOTFOUND, st.notfound);
	stats_set(STAT_G_DNS_INFLIGHT, st.inflight);
	stats_set(STAT_G_DNS_CACHE_ENTRIES, st.cache.entries);
	stats_set(STAT_G_DNS_CACHE_BYTES, st.cache.bytes);
}

int
policy_dns_init(struct ev_loop *loop, const struct config *cfg)
{
	/* A resolver that cannot be made is not fatal: requests then go
	 * without DNS (tempfail where a lookup was needed), logged once. */
	dns_reload();           /* at a reload: apply cfg whatever its address */
	if (live && cfg->dns.parsed) {
		(void)dns_get(loop, &cfg->dns);
		stats_pull_add(stats_pull_cb, NULL);
	}
	return 0;
}

void
policy_dns_fini(void)
{
	stats_pull_remove(stats_pull_cb, NULL);
	dns_shutdown();
}

/* ------------------------------------------------------------ -q --dns */

struct explain {
	struct dnscheck_result r;
	bool done;
};

static void
explain_done(void *arg, const struct dnscheck_result *r)
{
	struct explain *e = arg;

	e->r = *r;
	e->done = true;
}

/* The code dnsbl ("z1:127.0.0.10,z2:127.0.0.2") gives for zone, n bytes
 * long, or NULL: a whole item's zone, not the end of a longer one. */
static const char *
listed_code(const char *dnsbl, const char *zone, size_t *n)
{
	size_t zl = strlen(zone);

	for (const char *p = dnsbl; *p != '\0'; ) {
		size_t l = strcspn(p, ",");

		if (l > zl && memcmp(p, zone, zl) == 0 && p[zl] == ':') {
			*n = l - zl - 1;
			return p + zl + 1;
		}
		p += l + (p[l] == ',');
	}
	return NULL;
}

int
policy_dns_explain(struct ev_loop *loop, const struct config *cfg,
    const char *ip, const char *name, FILE *out)
{
	static const char *const ptrs[] = { "skipped (dns.ptr: false)",
		"given", "found", "none (NXDOMAIN or no PTR record)", "tempfail" };
	static const char *const fcs[] = { "not checked", "verified by Postfix",
		"confirmed", "forged (the name does not resolve to the address)",
		"tempfail" };
	const struct dns_config *dc = &cfg->dns;
	struct explain e = { .done = false };
	struct addr client;
	char esc[DNS_NAME_MAX * 4 + 8], *csv;
	const char *cls;
	struct dns *d;

	if (addr_parse(&client, ip) < 0) {
		fprintf(out, "dns: %s is not an IP address\n",
		    log_escs(esc, sizeof(esc), ip));
		return -1;
	}
	csv = dnsconf_servers_csv(dc);
	fprintf(out, "dns servers: %s\n", csv ? csv : "system resolver");
	free(csv);
	if ((d = dns_get(loop, dc)) == NULL)
		fprintf(out, "dns: no resolver\n");
	if (dnscheck_start(loop, d, dc, &client,
	    dnscheck_name_usable(name) ? name : NULL, false,
	    dnsconf_timeout_ms(dc), explain_done, &e) != NULL)
		while (!e.done)
			ev_run(loop, EVRUN_ONCE);
	fprintf(out, "ptr: %s%s%s\n", ptrs[e.r.ptr], e.r.name[0] ? " " : "",
	    log_escs(esc, sizeof(esc), e.r.name));
	fprintf(out, "forward: %s\n", fcs[e.r.fc]);
	for (size_t i = 0; i < dc->nzones; i++) {
		const char *z = dc->zones[i].zone, *code;
		size_t n;

		if (client.family == AF_INET6 && dc->zones[i].no_ipv6)
			fprintf(out, "dnsbl %s: not asked (IPv6)\n", z);
		else if ((code = listed_code(e.r.dnsbl, z, &n)) != NULL)
			fprintf(out, "dnsbl %s: listed %.*s\n", z, (int)n, code);
		else
			fprintf(out, "dnsbl %s: not listed%s\n", z,
			    e.r.bl_tempfail ? " (or no answer)" : "");
	}
	if (e.r.why[0] != '\0')
		fprintf(out, "dns tempfail: %s%s\n", e.r.why,
		    e.r.late ? " (deadline)" : "");
	switch (dnscheck_decide(&e.r, &cls)) {
	case DC_DECIDE_CLASS:
		fprintf(out, "dns decides: class %s\n", cls);
		break;
	case DC_DECIDE_TEMPFAIL:
		fprintf(out, "dns decides: tempfail -> %s\n",
		    dnsconf_tempfail_action(dc));
		break;
	case DC_DECIDE_NAME:
		fprintf(out, "dns decides: classify the name%s\n",
		    e.r.fc == DC_FC_FORGED ? " (signal forged)" : "");
		break;
	}
	return 0;
}
