/*
 * dns.c - the resolver policyd uses: cache, merged lookups, and the c-ares
 * channel (dnschan.c) they go out through (see dns.h).
 *
 * Ownership: struct dns owns the current channel and the retired ones
 * still draining (they close themselves), the cache and the in-flight
 * table.  A struct pending is one query sent; it lives until the channel
 * calls back (even when every waiter has gone), so the callback argument
 * is never dangling.  A struct dns_lookup is one waiter on a pending query.
 */
#include <ares.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "policyd/dns.h"
#include "policyd/dnschan.h"
#include "policyd/dnsconf.h"

struct pending {
	struct pending *hnext;
	struct dns *d;
	struct dns_lookup *waiters;     /* doubly linked */
	uint32_t hash;
	int qtype;
	const char *qname;              /* the name asked: key[], or after it */
	size_t klen;
	char key[];                     /* the key, a NUL; for a PTR key the
	                                   reverse name asked follows */
};

struct dns_lookup {
	struct dns_lookup *prev, *next;
	struct pending *p;
	dns_answer_fn *fn;
	void *arg;
};

struct dns {
	struct ev_loop *loop;
	struct dnschan *chan;           /* current; retired ones drain alone */
	struct dnscache *cache;
	struct pending **tab;           /* in flight, by hash */
	size_t ntab;                    /* power of two */
	unsigned min_ttl, max_ttl, neg_ttl;
	const struct dns_config *last_dc;       /* applied; NULL after a
	                                           reload (see dns_reload) */
	struct pending *submitting;     /* see dns_lookup() */
	bool submit_done;
	struct dns_stats st;
};

static struct dns *the_dns;

static void
apply_limits(struct dns *d, const struct dns_config *dc)
{
	d->min_ttl = dnsconf_min_ttl(dc);
	d->max_ttl = dnsconf_max_ttl(dc);
	d->neg_ttl = dnsconf_negative_ttl(dc);
	dnscache_set_max(d->cache, dnsconf_cache_size(dc));
	d->last_dc = dc;
}

struct dns *
dns_new(struct ev_loop *loop, const struct dns_config *dc)
{
	struct dns *d;
	struct dnschan *c = dnschan_open(loop, dc);

	if (c == NULL)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->loop = loop;
	d->chan = c;
	d->ntab = 1024;
	d->tab = xcalloc(d->ntab, sizeof(*d->tab));
	d->cache = dnscache_new(dnsconf_cache_size(dc));
	apply_limits(d, dc);
	return d;
}

struct dns *
dns_get(struct ev_loop *loop, const struct dns_config *dc)
{
	static bool failed_once;
	struct dns *d = the_dns;
	struct dnschan *c;

	if (d == NULL) {
		if ((d = the_dns = dns_new(loop, dc)) == NULL && !failed_once) {
			failed_once = true;
			log_warnx("dns: no resolver; answering without DNS");
		}
		return d;
	}
	if (dc == d->last_dc)
		return d;
	apply_limits(d, dc);
	if (!dnschan_same(d->chan, dc)) {
		/* New servers or timeout: a new channel for new queries; the
		 * old one finishes what it has in flight, then closes. */
		if ((c = dnschan_open(loop, dc)) == NULL) {
			log_warnx("dns: keeping servers %s",
			    dnschan_servers(d->chan));
			return d;
		}
		dnschan_retire(d->chan);
		d->chan = c;
	}
	return d;
}

void
dns_reload(void)
{
	/* The config last applied may be freed now, and the next one could
	 * be allocated at its address: compare with nothing. */
	if (the_dns != NULL)
		the_dns->last_dc = NULL;
}

const struct dns *
dns_peek(void)
{
	return the_dns;
}

void
dns_shutdown(void)
{
	dns_free(the_dns);
	the_dns = NULL;
}

static void
tab_remove(struct dns *d, struct pending *p)
{
	struct pending **pp = &d->tab[p->hash & (d->ntab - 1)];

	while (*pp != NULL && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp == p)
		*pp = p->hnext;
}

static void
tab_grow(struct dns *d)
{
	size_t nt = d->ntab * 2;
	struct pending **t = xcalloc(nt, sizeof(*t));

	for (size_t i = 0; i < d->ntab; i++) {
		struct pending *p = d->tab[i], *next;
		for (; p != NULL; p = next) {
			next = p->hnext;
			p->hnext = t[p->hash & (nt - 1)];
			t[p->hash & (nt - 1)] = p;
		}
	}
	free(d->tab);
	d->tab = t;
	d->ntab = nt;
}

static unsigned
clamp_ttl(const struct dns *d, const struct dns_answer *a)
{
	unsigned t;

	if (a->status == DNS_TEMPFAIL)
		return strcmp(a->why, "cancelled") == 0 ? 0 : DNS_TEMPFAIL_TTL;
	t = a->ttl;
	if (t == DNSMSG_TTL_NONE)
		t = a->status == DNS_OK ? d->min_ttl : d->neg_ttl;
	if (t < d->min_ttl)
		t = d->min_ttl;
	if (t > d->max_ttl)
		t = d->max_ttl;
	return t;
}

/* Turn what c-ares gives into an answer. */
static void
answer_from_ares(struct dns_answer *a, int qtype, int status,
    const unsigned char *abuf, int alen)
{
	memset(a, 0, sizeof(*a));
	if (abuf != NULL && alen > 0 && status != ARES_ETIMEOUT &&
	    status != ARES_ECONNREFUSED && status != ARES_ECANCELLED &&
	    status != ARES_EDESTRUCTION) {
		if (dnsmsg_parse(abuf, (size_t)alen, qtype, a) == 0)
			return;
		a->status = DNS_TEMPFAIL;
		a->why = "malformed reply";
		a->qtype = qtype;
		return;
	}
	a->qtype = qtype;
	a->ttl = DNSMSG_TTL_NONE;
	a->status = DNS_TEMPFAIL;
	switch (status) {
	case ARES_ENOTFOUND:
		a->status = DNS_NOTFOUND;
		a->why = "nxdomain";
		break;
	case ARES_ENODATA:
		a->status = DNS_NOTFOUND;
		a->why = "nodata";
		break;
	case ARES_ESERVFAIL:
		a->why = "servfail";
		break;
	case ARES_EREFUSED:
		a->why = "refused";
		break;
	case ARES_ETIMEOUT:
		a->why = "timeout";
		break;
	case ARES_ECONNREFUSED:
		a->why = "servfail/refused/unreachable";
		break;
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		a->why = "cancelled";
		break;
	default:
		a->why = "resolver error";
		break;
	}
}

/* Hand an answer to every waiter of p and free p. */
static void
deliver(struct pending *p, const struct dns_answer *a)
{
	struct dns *d = p->d;
	struct dns_lookup *l;

	tab_remove(d, p);
	d->st.inflight--;
	if (a->status == DNS_OK)
		d->st.answers++;
	else if (a->status == DNS_NOTFOUND)
		d->st.notfound++;
	else
		d->st.tempfail++;
	dnscache_put_hashed(d->cache, p->qtype, p->key, p->klen, p->hash, a,
	    clamp_ttl(d, a), ev_now(d->loop));
	if (p == d->submitting)
		d->submit_done = true;
	while ((l = p->waiters) != NULL) {
		p->waiters = l->next;
		if (l->next)
			l->next->prev = NULL;
		l->fn(l->arg, a);
		free(l);
	}
	free(p);
}

static void
chan_cb(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct pending *p = arg;
	struct dns_answer a;

	answer_from_ares(&a, p->qtype, status, abuf, alen);
	if (log_verbose())
		log_debug("dns: %s %s: %s%s%s", dns_type_name(p->qtype),
		    p->qname, dns_status_name(a.status), a.why ? " " : "",
		    a.why ? a.why : "");
	deliver(p, &a);
	dns_answer_release(&a);
}

/* The cache and in-flight key of name, into key (DNS_NAME_MAX + 2 bytes):
 * lowercased, no trailing dot.  Its length, 0 when the name is empty or
 * too long. */
static size_t
key_make(char *key, const char *name)
{
	const uint64_t ones = 0x0101010101010101ull, top = ones * 0x80;
	size_t n = strlen(name), i;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX)
		return 0;
	memcpy(key, name, n);
	key[n] = '\0';
	for (i = 0; i + 8 <= n; i += 8) {       /* 8 bytes at a time */
		uint64_t w, low, ge_a, gt_z;

		memcpy(&w, key + i, 8);
		low = w & ~top;                 /* no carry between bytes */
		ge_a = low + ones * (0x80 - 'A');
		gt_z = low + ones * (0x80 - 'Z' - 1);
		w |= (ge_a & ~gt_z & ~w & top) >> 2;    /* 'A'..'Z' | 0x20 */
		memcpy(key + i, &w, 8);
	}
	for (; i < n; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] + 32);
	return n;
}

/*
 * What the cache and the in-flight table know a lookup by, made once.  A
 * name's key is the name lowercased (key_make()).  The key of an address's
 * PTR is the address itself: a NUL, its length and its bytes, which no
 * name equals (a name holds no NUL); so a PTR found in the cache takes
 * neither the reverse name nor its hash over twenty-odd bytes, and the
 * reverse name is written only for a query that goes out.
 */
struct dns_key {
	int      qtype;
	uint32_t hash;
	size_t   len;
	char     name[DNS_NAME_MAX + 2];
};

/* false when name is empty or too long. */
static bool
dns_key_make(struct dns_key *k, int qtype, const char *name)
{
	if ((k->len = key_make(k->name, name)) == 0)
		return false;
	k->qtype = qtype;
	k->hash = dnscache_hash(qtype, k->name, k->len);
	return true;
}

/* A request's PTR is keyed up to three times (the prefetch, the cache-only
 * check, the lookup): the hash of the last key made is kept.  Keys are
 * compared as 18 bytes, an IPv4 one zero-padded (a fixed size compares
 * inline); a key is never all zeros, as last is at first. */
static void
dns_key_ptr(struct dns_key *k, const struct addr *a)
{
	static char last[18];
	static uint32_t last_hash;
	size_t n = a->family == AF_INET ? 4 : 16;

	memset(k->name, 0, sizeof(last));
	k->name[1] = (char)n;
	memcpy(k->name + 2, a->a, n);
	k->len = n + 2;
	k->qtype = DNS_T_PTR;
	if (memcmp(last, k->name, sizeof(last)) != 0) {
		memcpy(last, k->name, sizeof(last));
		last_hash = dnscache_hash(DNS_T_PTR, k->name, k->len);
	}
	k->hash = last_hash;
}

/* The cached answer for k, counted; NULL when none. */
static const struct dns_answer *
cache_get(struct dns *d, const struct dns_key *k)
{
	const struct dns_answer *hit = dnscache_get_hashed(d->cache, k->qtype,
	    k->name, k->len, k->hash, ev_now(d->loop));

	if (hit != NULL) {
		d->st.lookups++;
		d->st.cache_hits++;
	}
	return hit;
}

/*
 * The answer for k: from the cache (fn called, NULL returned), else from
 * the query in flight for k, joined, or from one sent.  The name asked is
 * k's own, or for a PTR key the reverse name of ptr_of, written only here.
 */
static struct dns_lookup *
lookup_key(struct dns *d, const struct dns_key *k, const struct addr *ptr_of,
    dns_answer_fn *fn, void *arg)
{
	const struct dns_answer *hit;
	struct dns_lookup *l;
	struct pending *p;
	char rev[DNS_NAME_MAX + 1];
	size_t qlen = 0;

	if ((hit = cache_get(d, k)) != NULL) {
		fn(arg, hit);
		return NULL;
	}
	d->st.lookups++;
	for (p = d->tab[k->hash & (d->ntab - 1)]; p != NULL; p = p->hnext) {
		if (p->hash == k->hash && p->qtype == k->qtype &&
		    p->klen == k->len && memcmp(p->key, k->name, k->len) == 0)
			break;
	}
	l = xcalloc(1, sizeof(*l));
	l->fn = fn;
	l->arg = arg;
	if (p != NULL) {
		d->st.merged++;
		l->p = p;
		l->next = p->waiters;
		if (p->waiters)
			p->waiters->prev = l;
		p->waiters = l;
		return l;
	}
	if (ptr_of != NULL) {           /* fits: at most 73 bytes */
		(void)dnsmsg_revname(ptr_of, NULL, rev, sizeof(rev));
		qlen = strlen(rev) + 1;
	}
	p = xmalloc(sizeof(*p) + k->len + 1 + qlen);
	memset(p, 0, sizeof(*p));
	memcpy(p->key, k->name, k->len);
	p->key[k->len] = '\0';
	p->qname = p->key;              /* a name's key is the name */
	if (ptr_of != NULL) {
		p->qname = p->key + k->len + 1;
		memcpy(p->key + k->len + 1, rev, qlen);
	}
	p->klen = k->len;
	p->d = d;
	p->hash = k->hash;
	p->qtype = k->qtype;
	p->waiters = l;
	l->p = p;
	p->hnext = d->tab[k->hash & (d->ntab - 1)];
	d->tab[k->hash & (d->ntab - 1)] = p;
	if (++d->st.inflight > d->ntab)
		tab_grow(d);
	d->st.queries++;
	/* c-ares may call back before ares_query() returns. */
	d->submitting = p;
	d->submit_done = false;
	dnschan_query(d->chan, p->qname, k->qtype, chan_cb, p);
	d->submitting = NULL;
	if (d->submit_done)
		return NULL;
	return l;
}

struct dns_lookup *
dns_lookup(struct dns *d, int qtype, const char *name, dns_answer_fn *fn,
    void *arg)
{
	struct dns_key k;

	if (!dns_key_make(&k, qtype, name)) {
		struct dns_answer bad = { .qtype = qtype, .status = DNS_NOTFOUND,
		    .why = "bad name", .ttl = DNSMSG_TTL_NONE };
		d->st.lookups++;
		fn(arg, &bad);
		return NULL;
	}
	return lookup_key(d, &k, NULL, fn, arg);
}

struct dns_lookup *
dns_lookup_ptr(struct dns *d, const struct addr *a, dns_answer_fn *fn,
    void *arg)
{
	struct dns_key k;

	dns_key_ptr(&k, a);
	return lookup_key(d, &k, a, fn, arg);
}

const struct dns_answer *
dns_cached(struct dns *d, int qtype, const char *name)
{
	struct dns_key k;

	return dns_key_make(&k, qtype, name) ? cache_get(d, &k) : NULL;
}

const struct dns_answer *
dns_cached_ptr(struct dns *d, const struct addr *a)
{
	struct dns_key k;

	dns_key_ptr(&k, a);
	return cache_get(d, &k);
}

void
dns_prefetch_ptr(const struct dns *d, const struct addr *a)
{
	struct dns_key k;

	dns_key_ptr(&k, a);
	dnscache_prefetch(d->cache, k.hash);
}

void
dns_lookup_cancel(struct dns_lookup *l)
{
	if (l == NULL)
		return;
	if (l->prev)
		l->prev->next = l->next;
	else
		l->p->waiters = l->next;
	if (l->next)
		l->next->prev = l->prev;
	free(l);
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	dnschan_close_all();            /* waiters get "cancelled" */
	dnscache_free(d->cache);
	free(d->tab);
	free(d);
}

void
dns_stats(const struct dns *d, struct dns_stats *st)
{
	*st = d->st;
	st->sockets = dnschan_sockets(d->chan);
	dnscache_stats(d->cache, &st->cache);
}
