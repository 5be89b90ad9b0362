/*
 * dnschan.c - a c-ares channel in the libev loop (see dnschan.h).
 *
 * Ownership: a channel owns its ares_channel, its socket watchers, its
 * timer and one struct cq per query in flight (c-ares's callback argument,
 * freed when c-ares calls back, so it is never dangling).
 */
#include <ares.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "policyd/dnschan.h"
#include "policyd/dnsconf.h"

struct csock {
	ev_io io;
	struct dnschan *c;
	struct csock *next;
};

struct cq {                             /* one query in flight */
	struct dnschan *c;
	dnschan_answer_fn *fn;
	void *arg;
};

struct dnschan {
	struct ev_loop *loop;
	ares_channel ch;
	ev_timer timer;                 /* from ares_timeout() */
	ev_timer reap;                  /* retired and idle: close */
	double try_timeout;             /* seconds, first try */
	struct csock *socks;
	size_t nsocks, inflight;
	bool retiring;
	char *servers;                  /* csv, or NULL: system */
	long long timeout_ms;
	struct dnschan *prev, *next;    /* every open channel */
};

static struct dnschan *all;

static void timer_update(struct dnschan *c);

static void
after_process(struct dnschan *c)
{
	if (c->inflight == 0) {
		ev_timer_stop(c->loop, &c->timer);
		if (c->retiring)        /* not from inside c-ares: via the loop */
			ev_timer_start(c->loop, &c->reap);
	}
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct csock *s = w->data;
	struct dnschan *c = s->c;
	int fd = w->fd;

	ares_process_fd(c->ch, (revents & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (revents & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	after_process(c);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dnschan *c = w->data;

	ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	timer_update(c);
	after_process(c);
}

static void
reap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	dnschan_close(w->data);
}

static void
timer_update(struct dnschan *c)
{
	struct timeval tv, *tp;

	ev_timer_stop(c->loop, &c->timer);
	if (c->inflight == 0 || (tp = ares_timeout(c->ch, NULL, &tv)) == NULL)
		return;
	ev_timer_set(&c->timer, (double)tp->tv_sec + tp->tv_usec / 1e6 + 0.001,
	    0.0);
	ev_timer_start(c->loop, &c->timer);
}

static void
sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dnschan *c = data;
	struct csock **pp, *s;
	int ev = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	for (pp = &c->socks; (s = *pp) != NULL; pp = &s->next) {
		if (s->io.fd == fd)
			break;
	}
	if (s == NULL) {
		if (ev == 0)
			return;
		s = xcalloc(1, sizeof(*s));
		s->c = c;
		ev_io_init(&s->io, io_cb, fd, ev);
		s->io.data = s;
		s->next = c->socks;
		c->socks = s;
		c->nsocks++;
		ev_io_start(c->loop, &s->io);
		return;
	}
	ev_io_stop(c->loop, &s->io);
	if (ev == 0) {
		*pp = s->next;
		c->nsocks--;
		free(s);
		return;
	}
	ev_io_set(&s->io, fd, ev);
	ev_io_start(c->loop, &s->io);
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

static int
init_channel(struct dnschan *c, long long t, bool nocheck)
{
	struct ares_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.sock_state_cb = sock_state_cb;
	o.sock_state_cb_data = c;
	o.timeout = (int)t;
	o.tries = DNSCHAN_TRIES;
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    (nocheck ? ARES_FLAG_NOCHECKRESP : 0);
	rc = ares_init_options(&c->ch, &o, ARES_OPT_SOCK_STATE_CB |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
	if (rc != ARES_SUCCESS)
		log_warnx("dns: c-ares init: %s", ares_strerror(rc));
	return rc == ARES_SUCCESS ? 0 : -1;
}

struct dnschan *
dnschan_open(struct ev_loop *loop, const struct dns_config *dc)
{
	static bool lib_ready;
	struct dnschan *c;
	long long t = dnsconf_timeout_ms(dc) / 3;
	int rc;

	if (!lib_ready) {
		if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
			log_warnx("dns: c-ares: %s", ares_strerror(rc));
			return NULL;
		}
		lib_ready = true;
	}
	if (t < 50)
		t = 50;
	c = xcalloc(1, sizeof(*c));
	c->loop = loop;
	c->servers = dnsconf_servers_csv(dc);
	c->timeout_ms = dnsconf_timeout_ms(dc);
	c->try_timeout = (double)t / 1000.0;
	ev_timer_init(&c->timer, timer_cb, 0., 0.);
	c->timer.data = c;
	ev_timer_init(&c->reap, reap_cb, 0., 0.);
	c->reap.data = c;
	if (init_channel(c, t, dc->nservers == 1) < 0)
		goto fail;
	if (c->servers != NULL &&
	    (rc = ares_set_servers_ports_csv(c->ch, c->servers)) != ARES_SUCCESS) {
		log_warnx("dns: servers %s: %s", c->servers, ares_strerror(rc));
		ares_destroy(c->ch);
		goto fail;
	}
	if (c->servers == NULL && count_servers(c->ch) == 1) {
		ares_destroy(c->ch);
		if (init_channel(c, t, true) < 0)
			goto fail;
	}
	log_debug("dns: channel open, servers=%s try_timeout_ms=%lld",
	    dnschan_servers(c), t);
	c->next = all;
	if (all != NULL)
		all->prev = c;
	all = c;
	return c;
fail:
	free(c->servers);
	free(c);
	return NULL;
}

static void
query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct cq *q = arg;
	struct dnschan *c = q->c;

	c->inflight--;
	q->fn(q->arg, status, abuf, alen);
	free(q);
}

void
dnschan_query(struct dnschan *c, const char *name, int qtype,
    dnschan_answer_fn *fn, void *arg)
{
	struct cq *q = xmalloc(sizeof(*q));

	q->c = c;
	q->fn = fn;
	q->arg = arg;
	c->inflight++;
	ares_query(c->ch, name, 1 /* C_IN */, qtype, query_cb, q);
	/* This query times out a first try from now: no earlier than any
	 * timer set, unless the timer waits for a later retry. */
	if (c->inflight > 0 && (!ev_is_active(&c->timer) ||
	    ev_timer_remaining(c->loop, &c->timer) > c->try_timeout))
		timer_update(c);
}

void
dnschan_retire(struct dnschan *c)
{
	if (c == NULL)
		return;
	c->retiring = true;
	if (c->inflight == 0)
		ev_timer_start(c->loop, &c->reap);
	log_debug("dns: channel servers=%s retired, %zu queries in flight",
	    dnschan_servers(c), c->inflight);
}

void
dnschan_close(struct dnschan *c)
{
	if (c == NULL)
		return;
	ares_destroy(c->ch);            /* callbacks run: ARES_EDESTRUCTION */
	ev_timer_stop(c->loop, &c->timer);
	ev_timer_stop(c->loop, &c->reap);
	while (c->socks != NULL) {      /* c-ares has closed the fds */
		struct csock *s = c->socks;
		c->socks = s->next;
		ev_io_stop(c->loop, &s->io);
		free(s);
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c->servers);
	free(c);
}

void
dnschan_close_all(void)
{
	while (all != NULL)
		dnschan_close(all);
}

bool
dnschan_same(const struct dnschan *c, const struct dns_config *dc)
{
	char *csv = dnsconf_servers_csv(dc);
	bool same = dnsconf_timeout_ms(dc) == c->timeout_ms &&
	    ((csv == NULL && c->servers == NULL) || (csv != NULL &&
	    c->servers != NULL && strcmp(csv, c->servers) == 0));

	free(csv);
	return same;
}

size_t
dnschan_inflight(const struct dnschan *c)
{
	return c ? c->inflight : 0;
}

size_t
dnschan_sockets(const struct dnschan *c)
{
	return c ? c->nsocks : 0;
}

const char *
dnschan_servers(const struct dnschan *c)
{
	return c->servers ? c->servers : "system";
}
