/*
 * dns.c - c-ares in the libev loop, with the cache and merged lookups
 * (see dns.h).
 *
 * Ownership: struct dns owns the channel, the socket watchers (a list: c-ares
 * has a handful of sockets), the timer, the cache and the in-flight table.
 * A struct pending is one query sent to c-ares; it lives until c-ares calls
 * back (even when every waiter has gone), so the callback argument is never
 * dangling.  A struct dns_lookup is one waiter on a pending query.
 */
#include <ares.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "policyd/dns.h"
#include "policyd/dnsconf.h"

struct dns_sock {
	ev_io io;
	struct dns *d;
	struct dns_sock *next;
};

struct pending {
	struct pending *hnext;
	struct dns *d;
	struct dns_lookup *waiters;     /* doubly linked */
	uint32_t hash;
	int qtype;
	char name[];
};

struct dns_lookup {
	struct dns_lookup *prev, *next;
	struct pending *p;
	dns_answer_fn *fn;
	void *arg;
};

struct dns {
	struct ev_loop *loop;
	ares_channel ch;
	bool have_channel;
	ev_timer timer;
	double try_timeout;             /* seconds, first try */
	struct dns_sock *socks;
	struct dnscache *cache;
	struct pending **tab;           /* in flight, by hash */
	size_t ntab;                    /* power of two */
	unsigned min_ttl, max_ttl, neg_ttl;
	/* The configuration the channel was made with. */
	char *servers_csv;
	long long timeout_ms;
	bool rebuild;                   /* do it when nothing is in flight */
	const struct dns_config *last_dc;
	struct pending *submitting;     /* see dns_lookup() */
	bool submit_done;
	struct dns_stats st;
};

static struct dns *the_dns;
static bool ares_inited;

static void timer_update(struct dns *d);

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dns_sock *s = w->data;
	struct dns *d = s->d;
	int fd = w->fd;

	ares_process_fd(d->ch, (revents & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (revents & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	if (d->st.inflight == 0)
		ev_timer_stop(d->loop, &d->timer);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dns *d = w->data;

	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	timer_update(d);
}

/* Set the timer from ares_timeout() (c-ares walks its queries here, so it
 * is called when a timer fires or a sooner timeout may exist, not per
 * packet). */
static void
timer_update(struct dns *d)
{
	struct timeval tv, *tp;

	ev_timer_stop(d->loop, &d->timer);
	if (!d->have_channel || d->st.inflight == 0)
		return;
	tp = ares_timeout(d->ch, NULL, &tv);
	if (tp == NULL)
		return;
	ev_timer_set(&d->timer, (double)tp->tv_sec + tp->tv_usec / 1e6 + 0.001,
	    0.0);
	ev_timer_start(d->loop, &d->timer);
}

static void
sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = data;
	struct dns_sock **pp, *s;
	int ev = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	for (pp = &d->socks; (s = *pp) != NULL; pp = &s->next) {
		if (s->io.fd == fd)
			break;
	}
	if (s == NULL) {
		if (ev == 0)
			return;
		s = xcalloc(1, sizeof(*s));
		s->d = d;
		ev_io_init(&s->io, io_cb, fd, ev);
		s->io.data = s;
		s->next = d->socks;
		d->socks = s;
		d->st.sockets++;
		ev_io_start(d->loop, &s->io);
		return;
	}
	ev_io_stop(d->loop, &s->io);
	if (ev == 0) {
		*pp = s->next;
		d->st.sockets--;
		free(s);
		return;
	}
	ev_io_set(&s->io, fd, ev);
	ev_io_start(d->loop, &s->io);
}

static int
count_servers(ares_channel ch)
{
	struct ares_addr_port_node *list = NULL;
	int n = 0;

	if (ares_get_servers_ports(ch, &list) != ARES_SUCCESS)
		return -1;
	for (struct ares_addr_port_node *p = list; p != NULL; p = p->next)
		n++;
	ares_free_data(list);
	return n;
}

/*
 * With one server, c-ares is told to hand SERVFAIL and REFUSED replies to
 * us (ARES_FLAG_NOCHECKRESP) so the log can say which it was; with several
 * it tries the next server on them instead, and reports "connection
 * refused" when all failed (c-ares 1.18 does not keep the rcode).
 */
static int
channel_init(struct dns *d, long long t, bool nocheck)
{
	struct ares_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.sock_state_cb = sock_state_cb;
	o.sock_state_cb_data = d;
	o.timeout = (int)t;
	o.tries = DNS_TRIES;
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    (nocheck ? ARES_FLAG_NOCHECKRESP : 0);
	rc = ares_init_options(&d->ch, &o, ARES_OPT_SOCK_STATE_CB |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
	if (rc != ARES_SUCCESS)
		log_warnx("dns: c-ares init: %s", ares_strerror(rc));
	return rc == ARES_SUCCESS ? 0 : -1;
}

static int
channel_open(struct dns *d, const struct dns_config *dc)
{
	long long t = dnsconf_timeout_ms(dc) / 3;
	char *csv = dnsconf_servers_csv(dc);
	int rc;

	if (t < 50)
		t = 50;
	if (channel_init(d, t, dc->nservers == 1) < 0) {
		free(csv);
		return -1;
	}
	if (csv != NULL && (rc = ares_set_servers_ports_csv(d->ch, csv)) !=
	    ARES_SUCCESS) {
		log_warnx("dns: servers %s: %s", csv, ares_strerror(rc));
		ares_destroy(d->ch);
		free(csv);
		return -1;
	}
	if (csv == NULL && count_servers(d->ch) == 1) {
		ares_destroy(d->ch);
		if (channel_init(d, t, true) < 0)
			return -1;
	}
	d->have_channel = true;
	d->try_timeout = (double)t / 1000.0;
	free(d->servers_csv);
	d->servers_csv = csv;
	d->timeout_ms = dnsconf_timeout_ms(dc);
	log_debug("dns: resolver ready, servers=%s try_timeout_ms=%lld",
	    csv ? csv : "system", t);
	return 0;
}

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

	if (!ares_inited) {
		int rc = ares_library_init(ARES_LIB_INIT_ALL);
		if (rc != ARES_SUCCESS) {
			log_warnx("dns: c-ares: %s", ares_strerror(rc));
			return NULL;
		}
		ares_inited = true;
	}
	d = xcalloc(1, sizeof(*d));
	d->loop = loop;
	ev_timer_init(&d->timer, timer_cb, 0.0, 0.0);
	d->timer.data = d;
	d->ntab = 1024;
	d->tab = xcalloc(d->ntab, sizeof(*d->tab));
	d->cache = dnscache_new(dnsconf_cache_size(dc));
	if (channel_open(d, dc) < 0) {
		dnscache_free(d->cache);
		free(d->tab);
		free(d);
		return NULL;
	}
	apply_limits(d, dc);
	return d;
}

static bool
same_channel_config(const struct dns *d, const struct dns_config *dc)
{
	char *csv = dnsconf_servers_csv(dc);
	bool same = dnsconf_timeout_ms(dc) == d->timeout_ms &&
	    ((csv == NULL && d->servers_csv == NULL) ||
	    (csv != NULL && d->servers_csv != NULL &&
	    strcmp(csv, d->servers_csv) == 0));

	free(csv);
	return same;
}

static void
channel_close(struct dns *d)
{
	if (!d->have_channel)
		return;
	ares_destroy(d->ch);            /* callbacks run: ARES_EDESTRUCTION */
	d->have_channel = false;
	ev_timer_stop(d->loop, &d->timer);
	while (d->socks != NULL) {      /* c-ares closed them already */
		struct dns_sock *s = d->socks;
		d->socks = s->next;
		ev_io_stop(d->loop, &s->io);
		free(s);
	}
	d->st.sockets = 0;
}

struct dns *
dns_get(struct ev_loop *loop, const struct dns_config *dc)
{
	static bool failed_once;
	struct dns *d = the_dns;

	if (d == NULL) {
		if ((d = the_dns = dns_new(loop, dc)) == NULL && !failed_once) {
			failed_once = true;
			log_warnx("dns: no resolver; answering without DNS");
		}
		return d;
	}
	if (dc != d->last_dc) {
		apply_limits(d, dc);
		d->rebuild = !same_channel_config(d, dc);
	}
	if (d->rebuild && d->st.inflight == 0) {
		channel_close(d);
		if (channel_open(d, dc) < 0) {
			dns_shutdown();
			return NULL;
		}
		d->rebuild = false;
	}
	return d;
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
	dnscache_put(d->cache, p->qtype, p->name, a, clamp_ttl(d, a),
	    ev_now(d->loop));
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
ares_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct pending *p = arg;
	struct dns_answer a;

	answer_from_ares(&a, p->qtype, status, abuf, alen);
	if (log_verbose())
		log_debug("dns: %s %s: %s%s%s", dns_type_name(p->qtype),
		    p->name, dns_status_name(a.status), a.why ? " " : "",
		    a.why ? a.why : "");
	deliver(p, &a);
	dns_answer_release(&a);
}

struct dns_lookup *
dns_lookup(struct dns *d, int qtype, const char *name, dns_answer_fn *fn,
    void *arg)
{
	char key[DNS_NAME_MAX + 2];
	const struct dns_answer *hit;
	struct dns_lookup *l;
	struct pending *p;
	uint32_t h;
	size_t n = strlen(name);

	d->st.lookups++;
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX) {
		struct dns_answer bad = { .qtype = qtype, .status = DNS_NOTFOUND,
		    .why = "bad name", .ttl = DNSMSG_TTL_NONE };
		fn(arg, &bad);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] + 32 : name[i]);
	key[n] = '\0';
	if ((hit = dnscache_get(d->cache, qtype, key, ev_now(d->loop))) != NULL) {
		d->st.cache_hits++;
		fn(arg, hit);
		return NULL;
	}
	h = dnscache_hash(qtype, key);
	for (p = d->tab[h & (d->ntab - 1)]; p != NULL; p = p->hnext) {
		if (p->hash == h && p->qtype == qtype && strcmp(p->name, key) == 0)
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
	p = xmalloc(sizeof(*p) + n + 1);
	memset(p, 0, sizeof(*p));
	memcpy(p->name, key, n + 1);
	p->d = d;
	p->hash = h;
	p->qtype = qtype;
	p->waiters = l;
	l->p = p;
	p->hnext = d->tab[h & (d->ntab - 1)];
	d->tab[h & (d->ntab - 1)] = p;
	if (++d->st.inflight > d->ntab)
		tab_grow(d);
	d->st.queries++;
	/* c-ares may call back before ares_query() returns. */
	d->submitting = p;
	d->submit_done = false;
	ares_query(d->ch, key, 1 /* C_IN */, qtype, ares_cb, p);
	d->submitting = NULL;
	if (d->submit_done)
		return NULL;
	if (!ev_is_active(&d->timer) ||
	    ev_timer_remaining(d->loop, &d->timer) > d->try_timeout)
		timer_update(d);
	return l;
}

const struct dns_answer *
dns_cached(struct dns *d, int qtype, const char *name)
{
	char key[DNS_NAME_MAX + 2];
	const struct dns_answer *hit;
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] + 32 : name[i]);
	key[n] = '\0';
	hit = dnscache_get(d->cache, qtype, key, ev_now(d->loop));
	if (hit != NULL) {
		d->st.lookups++;
		d->st.cache_hits++;
	}
	return hit;
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
	channel_close(d);
	dnscache_free(d->cache);
	free(d->tab);
	free(d->servers_csv);
	free(d);
}

void
dns_stats(const struct dns *d, struct dns_stats *st)
{
	*st = d->st;
	dnscache_stats(d->cache, &st->cache);
}
