/*
 * dnscheck.c - PTR, forward confirmation and DNSBL zones for one client,
 * within a deadline (see dnscheck.h).
 *
 * Every lookup in flight is one slot (PTR, forward, one per zone) holding
 * the dns_lookup handle; `pending` counts the slots not yet answered.  While
 * dnscheck_start() runs, answers that come from the cache only fill slots;
 * the check finishes when the last slot is filled or the timer fires.
 */
#include <arpa/inet.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "policyd/dns.h"
#include "policyd/dnscheck.h"
#include "policyd/dnsconf.h"
#include "policyd/policy_proto.h"

struct dnscheck;

struct slot {
	struct dnscheck *c;
	struct dns_lookup *l;
	int zone;                       /* -1: PTR or forward */
	bool busy;
};

struct dnscheck {
	struct ev_loop *loop;
	struct dns *d;
	const struct dns_config *dc;
	struct addr client;
	ev_timer deadline;
	struct slot ptr, fwd;
	struct slot bl[DNSCHECK_ZONES_MAX];
	char bl_code[DNSCHECK_ZONES_MAX][16];   /* first answer, "" none */
	const char *bl_class[DNSCHECK_ZONES_MAX];
	int pending;
	bool starting, finished;
	bool cache_only, missed;        /* dnscheck_cached() */
	dnscheck_done_fn *done;
	void *arg;
	struct dnscheck_result *r;      /* &res, or dnscheck_cached()'s out */
	struct dnscheck_result res;
};

bool
dnscheck_name_usable(const char *name)
{
	/* Postfix sends "unknown" in small letters: that first */
	return name != NULL && name[0] != '\0' &&
	    !policy_is_unknown(name) && ((name[0] | 0x20) != 'u' ||
	    strcasecmp(name, "unknown") != 0) && dnsmsg_name_ok(name);
}

/* Append the words to buf at *o (a space first unless at the start). */
static void
words(char *buf, size_t size, size_t *o, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val), sp = *o ? 1 : 0;

	if (*o + sp + kl + vl + 1 > size)
		return;
	if (sp)
		buf[(*o)++] = ' ';
	memcpy(buf + *o, key, kl);
	memcpy(buf + *o + kl, val, vl + 1);
	*o += kl + vl;
}

static void
note_tempfail(struct dnscheck *c, const char *what, const char *why)
{
	if (c->r->why[0] == '\0')
		snprintf(c->r->why, sizeof(c->r->why), "%s:%s", what, why);
}

/* Stop every lookup still in flight (NULL handles are no-ops). */
static void
cancel_lookups(struct dnscheck *c)
{
	dns_lookup_cancel(c->ptr.l);
	dns_lookup_cancel(c->fwd.l);
	for (size_t i = 0; i < DNSCHECK_ZONES_MAX; i++)
		dns_lookup_cancel(c->bl[i].l);
}

static void
finish(struct dnscheck *c)
{
	size_t o = 0;

	if (c->finished)
		return;
	c->finished = true;
	if (!c->cache_only)
		ev_timer_stop(c->loop, &c->deadline);
	for (size_t i = 0; i < c->dc->nzones && i < DNSCHECK_ZONES_MAX; i++) {
		int n;
		if (c->bl_code[i][0] == '\0')
			continue;
		n = snprintf(c->r->dnsbl + o, sizeof(c->r->dnsbl) - o, "%s%s:%s",
		    o ? "," : "", c->dc->zones[i].zone, c->bl_code[i]);
		if (n > 0 && (size_t)n < sizeof(c->r->dnsbl) - o)
			o += (size_t)n;
		if (c->bl_class[i] != NULL && c->r->dnsbl_class[0] == '\0')
			snprintf(c->r->dnsbl_class, sizeof(c->r->dnsbl_class), "%s",
			    c->bl_class[i]);
	}
	if (c->cache_only)
		return;
	c->done(c->arg, c->r);
	free(c);
}

static void
slot_done(struct slot *s)
{
	s->l = NULL;
	s->busy = false;
	if (--s->c->pending == 0 && !s->c->starting)
		finish(s->c);
}

static void
fwd_cb(void *arg, const struct dns_answer *a)
{
	struct slot *s = arg;
	struct dnscheck *c = s->c;

	if (a->status == DNS_TEMPFAIL) {
		c->r->fc = DC_FC_TEMPFAIL;
		note_tempfail(c, dns_type_name(a->qtype), a->why);
	} else {
		c->r->fc = DC_FC_FORGED;
		for (size_t i = 0; i < a->n; i++) {
			if (addr_equal(&a->addrs[i], &c->client))
				c->r->fc = DC_FC_CONFIRMED;
		}
	}
	slot_done(s);
}

/* Look up (qtype, name), or the client's PTR when name is NULL. */
static void
start_slot(struct dnscheck *c, struct slot *s, int qtype, const char *name,
    dns_answer_fn *fn)
{
	struct dns_lookup *l;

	s->c = c;
	s->busy = true;
	c->pending++;
	if (c->cache_only) {
		const struct dns_answer *a = name != NULL ?
		    dns_cached(c->d, qtype, name) : dns_cached_ptr(c->d, &c->client);
		if (a != NULL)
			fn(s, a);
		else
			c->missed = true;       /* the slot stays busy */
		return;
	}
	l = name != NULL ? dns_lookup(c->d, qtype, name, fn, s) :
	    dns_lookup_ptr(c->d, &c->client, fn, s);
	if (l != NULL)
		s->l = l;
}

static void
start_fwd(struct dnscheck *c)
{
	start_slot(c, &c->fwd, c->client.family == AF_INET6 ? DNS_T_AAAA :
	    DNS_T_A, c->r->name, fwd_cb);
}

static void
ptr_cb(void *arg, const struct dns_answer *a)
{
	struct slot *s = arg;
	struct dnscheck *c = s->c;

	switch (a->status) {
	case DNS_OK:
		c->r->ptr = DC_PTR_FOUND;
		str_copy(c->r->name, sizeof(c->r->name), a->names[0]);
		if (c->dc->forward_confirm && !c->finished)
			start_fwd(c);
		break;
	case DNS_NOTFOUND:
		c->r->ptr = DC_PTR_NONE;
		break;
	case DNS_TEMPFAIL:
		c->r->ptr = DC_PTR_TEMPFAIL;
		note_tempfail(c, "PTR", a->why);
		break;
	}
	slot_done(s);
}

/*
 * 127.255.255.0/24 is where DNSBLs put their error codes (Spamhaus:
 * .252 a malformed query, .254 a query through a public resolver, .255
 * over quota): no listing, whatever range `codes` maps, or every client
 * would take the class.  Said at most every ten minutes per zone; a zone
 * is known by its place in the list and its name (a reload that changes
 * either starts its ten minutes anew).
 */
static bool
bl_error(const struct dnscheck *c, size_t zi, uint32_t v)
{
	static struct {
		char      zone[DNSCONF_ZONE_MAX + 1];
		ev_tstamp when;
	} said[DNSCHECK_ZONES_MAX];
	const struct dnsbl_zone *z = &c->dc->zones[zi];
	char code[ADDR_STRLEN];
	ev_tstamp now;

	if ((v >> 8) != 0x7fffff)
		return false;
	/* ev_time(), not ev_now(): dnscheck_cached() has no loop */
	now = ev_time();
	if (strcmp(said[zi].zone, z->zone) != 0) {
		str_copy(said[zi].zone, sizeof(said[zi].zone), z->zone);
		said[zi].when = now - 600;
	}
	if (now - said[zi].when >= 600) {
		said[zi].when = now;
		snprintf(code, sizeof(code), "127.255.255.%u", v & 0xff);
		log_warnx("DNSBL %s answered %s, an error code, not a listing "
		    "(.254: queries through a public resolver are refused, "
		    ".255: over quota): ignored; ask it through a resolver of "
		    "your own", z->zone, code);
	}
	return true;
}

static void
bl_cb(void *arg, const struct dns_answer *a)
{
	struct slot *s = arg;
	struct dnscheck *c = s->c;
	const struct dnsbl_zone *z = &c->dc->zones[s->zone];

	if (a->status == DNS_TEMPFAIL) {
		c->r->bl_tempfail = true;
		note_tempfail(c, z->zone, a->why);
	}
	for (size_t i = 0; i < a->n; i++) {
		uint32_t v;
		const char *cls;
		if (a->addrs[i].family != AF_INET)
			continue;
		memcpy(&v, a->addrs[i].a, 4);
		v = ntohl(v);
		if (bl_error(c, s->zone, v))
			continue;
		cls = dnsconf_code_class(z, v);
		/* Keep the first answer, or the first one with a class. */
		if (c->bl_code[s->zone][0] == '\0' ||
		    (cls != NULL && c->bl_class[s->zone] == NULL)) {
			addr_format(&a->addrs[i], c->bl_code[s->zone],
			    sizeof(c->bl_code[s->zone]));
			c->bl_class[s->zone] = cls;
		}
	}
	slot_done(s);
}

static void
deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dnscheck *c = w->data;

	c->r->late = true;
	if (c->ptr.busy) {
		c->r->ptr = DC_PTR_TEMPFAIL;
		note_tempfail(c, "PTR", "deadline");
	}
	if (c->fwd.busy) {
		c->r->fc = DC_FC_TEMPFAIL;
		note_tempfail(c, "forward", "deadline");
	}
	for (size_t i = 0; i < DNSCHECK_ZONES_MAX; i++) {
		if (c->bl[i].busy) {
			c->r->bl_tempfail = true;
			note_tempfail(c, c->dc->zones[i].zone, "deadline");
		}
	}
	cancel_lookups(c);
	finish(c);
}

/* Every field of a result set to "nothing known" (strings empty). */
static void
result_reset(struct dnscheck_result *r)
{
	r->ptr = DC_PTR_SKIPPED;
	r->fc = DC_FC_SKIPPED;
	r->name[0] = r->dnsbl_class[0] = r->dnsbl[0] = r->why[0] = '\0';
	r->bl_tempfail = r->late = false;
}

/* Fill c from the request and start what is needed (see the header). */
static void
check_begin(struct dnscheck *c, const struct addr *client, const char *name,
    bool verified)
{
	const struct dns_config *dc = c->dc;
	char rev[DNS_NAME_MAX + 1];

	c->client = *client;
	c->starting = true;
	if (name != NULL) {             /* usable: the caller checked */
		c->r->ptr = DC_PTR_GIVEN;
		str_copy(c->r->name, sizeof(c->r->name), name);
		c->r->fc = verified ? DC_FC_VERIFIED : DC_FC_SKIPPED;
	}
	if (c->d == NULL) {
		if (c->r->ptr != DC_PTR_GIVEN)
			c->r->ptr = dc->no_ptr ? DC_PTR_SKIPPED : DC_PTR_TEMPFAIL;
		if (c->r->ptr == DC_PTR_TEMPFAIL || dc->nzones > 0)
			note_tempfail(c, "dns", "no resolver");
		c->r->bl_tempfail = dc->nzones > 0;
	} else {
		if (c->r->ptr == DC_PTR_GIVEN && !verified && dc->forward_confirm)
			start_fwd(c);
		else if (c->r->ptr != DC_PTR_GIVEN && !dc->no_ptr)
			start_slot(c, &c->ptr, DNS_T_PTR, NULL, ptr_cb);
		for (size_t i = 0; i < dc->nzones && i < DNSCHECK_ZONES_MAX; i++) {
			const struct dnsbl_zone *z = &dc->zones[i];
			if (client->family == AF_INET6 && z->no_ipv6)
				continue;
			if (dnsmsg_revname(client, z->zone, rev,
			    sizeof(rev)) < 0) {         /* the config forbids */
				c->r->bl_tempfail = true;
				note_tempfail(c, z->zone, "name too long");
				continue;
			}
			c->bl[i].zone = (int)i;
			start_slot(c, &c->bl[i], DNS_T_A, rev, bl_cb);
		}
	}
	c->starting = false;
}

struct dnscheck *
dnscheck_start(struct ev_loop *loop, struct dns *d,
    const struct dns_config *dc, const struct addr *client, const char *name,
    bool verified, long long deadline_ms, dnscheck_done_fn *done, void *arg)
{
	struct dnscheck *c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->d = d;
	c->dc = dc;
	c->done = done;
	c->arg = arg;
	c->r = &c->res;
	result_reset(c->r);
	ev_timer_init(&c->deadline, deadline_cb, (double)deadline_ms / 1000.0, 0.);
	c->deadline.data = c;
	check_begin(c, client, name, verified);
	if (c->pending == 0) {
		finish(c);              /* calls done() and frees c */
		return NULL;
	}
	ev_timer_start(loop, &c->deadline);
	return c;
}

bool
dnscheck_cached(struct dns *d, const struct dns_config *dc,
    const struct addr *client, const char *name, bool verified,
    struct dnscheck_result *out)
{
	struct dnscheck c;

	if (d == NULL)
		return false;
	/* Not the whole 2 KiB zeroed per request: only what a cache-only
	 * check reads (no timer, no lookup handles, no deadline). */
	c.d = d;
	c.dc = dc;
	c.pending = 0;
	c.finished = c.missed = false;
	c.cache_only = true;
	for (size_t i = 0; i < dc->nzones && i < DNSCHECK_ZONES_MAX; i++) {
		c.bl_code[i][0] = '\0';
		c.bl_class[i] = NULL;
	}
	c.r = out;                      /* written in place, not copied */
	result_reset(out);
	check_begin(&c, client, name, verified);
	if (c.missed || c.pending != 0)
		return false;
	finish(&c);                     /* fills the DNSBL summary */
	return true;
}

void
dnscheck_cancel(struct dnscheck *c)
{
	if (c == NULL)
		return;
	ev_timer_stop(c->loop, &c->deadline);
	cancel_lookups(c);
	free(c);
}

enum dnscheck_decision
dnscheck_decide(const struct dnscheck_result *r, const char **class)
{
	*class = NULL;
	if (r->dnsbl_class[0] != '\0') {
		*class = r->dnsbl_class;
		return DC_DECIDE_CLASS;
	}
	if (r->ptr == DC_PTR_NONE) {
		*class = "unknown";
		return DC_DECIDE_CLASS;
	}
	if (r->ptr == DC_PTR_TEMPFAIL || r->fc == DC_FC_TEMPFAIL)
		return DC_DECIDE_TEMPFAIL;
	if (r->ptr == DC_PTR_SKIPPED) {         /* Postfix had none either */
		*class = "unknown";
		return DC_DECIDE_CLASS;
	}
	return DC_DECIDE_NAME;
}

void
dnscheck_reason(const struct dnscheck_result *r, char *buf, size_t size)
{
	static const char *const ptrs[] = { "skipped", "given", "found",
		"none", "tempfail" };
	static const char *const fcs[] = { "skipped", "verified", "confirmed",
		"forged", "tempfail" };
	size_t o = 0;
	char esc[DNS_NAME_MAX * 4 + 8];

	if (size == 0)
		return;
	buf[0] = '\0';
	if (r->ptr != DC_PTR_GIVEN && r->ptr != DC_PTR_SKIPPED)
		words(buf, size, &o, "ptr=", r->ptr == DC_PTR_FOUND ?
		    r->name : ptrs[r->ptr]);    /* names are printable */
	if (r->fc != DC_FC_SKIPPED && r->fc != DC_FC_VERIFIED)
		words(buf, size, &o, "fcrdns=", fcs[r->fc]);
	if (r->dnsbl[0] != '\0')
		words(buf, size, &o, "dnsbl=", r->dnsbl);
	if (r->why[0] != '\0') {               /* one word: spaces as '-' */
		char *p = log_escs(esc, sizeof(esc), r->why);
		for (; *p != '\0'; p++)
			if (*p == ' ')
				*p = '-';
		words(buf, size, &o, "dns_tempfail=", esc);
	}
}
