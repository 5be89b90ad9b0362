/*
 * t/fwclient.c - the helper command queue (pure) and the helper client
 * against a scripted peer on a unix socket in the same event loop.
 *
 * The peer plays the firewall-helper: it accepts, reads command lines and
 * answers each according to the test's script (OK, ERR, nothing, a bad
 * line, or closing the connection).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <ev.h>

#include "common/addr.h"
#include "common/log.h"
#include "policyd/fwclient.h"
#include "policyd/fwqueue.h"
#include "t/tap.h"

/* ------------------------------------------------------------ the queue */

static struct addr
A(const char *s)
{
	struct addr a;

	if (addr_parse(&a, s) < 0)
		abort();
	return a;
}

static const char *
ip(const struct addr *a)
{
	static char buf[4][ADDR_STRLEN];
	static int k;

	k = (k + 1) % 4;
	return addr_format(a, buf[k], sizeof(buf[k]));
}

static void
push(struct fwqueue *q, const char *s, struct addr *dropped, int want)
{
	struct addr a = A(s);
	char line[80];
	int n = snprintf(line, sizeof(line), "add %s\n", s);

	is_int(fwqueue_push(q, &a, line, (size_t)n, dropped), want,
	    "push %s %s", s, want ? "drops the oldest" : "fits");
}

static void
test_queue(void)
{
	struct fwqueue *q = fwqueue_new(3);
	const struct fwq_item *it;
	struct addr got;

	push(q, "192.0.2.1", &got, 0);
	push(q, "192.0.2.2", &got, 0);
	it = fwqueue_next(q);
	is_str(it ? it->line : NULL, "add 192.0.2.1\n", "next: oldest first");
	is_int(fwqueue_inflight(q), 1, "one in flight");
	is_int(fwqueue_unsent(q), 1, "one waiting");
	is_int(fwqueue_ack(q, &got), 1, "ack matches");
	is_str(ip(&got), "192.0.2.1", "ack names the oldest in flight");
	is_int(fwqueue_ack(q, &got), -1, "ack with nothing in flight: bad peer");

	/* Overflow while nothing is in flight. */
	push(q, "192.0.2.3", &got, 0);
	push(q, "192.0.2.4", &got, 0);
	push(q, "192.0.2.5", &got, 1);
	is_str(ip(&got), "192.0.2.2", "overflow drops the oldest");
	is_int(fwqueue_len(q), 3, "still full, not more");

	/* Overflow of an item in flight: its reply is swallowed. */
	it = fwqueue_next(q);
	is_str(it->line, "add 192.0.2.3\n", "next after overflow");
	push(q, "192.0.2.6", &got, 1);
	is_str(ip(&got), "192.0.2.3", "overflow drops the one in flight");
	is_int(fwqueue_owed(q), 1, "its reply is still owed");
	is_int(fwqueue_inflight(q), 0, "nothing of ours in flight");
	is_int(fwqueue_ack(q, &got), 0, "reply to the dropped one swallowed");
	it = fwqueue_next(q);
	is_str(it->line, "add 192.0.2.4\n", "then the next one");
	it = fwqueue_next(q);
	is_str(it->line, "add 192.0.2.5\n", "and the next");

	/* Connection lost: in-flight items are sent again, in order. */
	fwqueue_rewind(q);
	is_int(fwqueue_owed(q), 0, "rewind: no reply owed");
	is_int(fwqueue_unsent(q), 3, "rewind: all waiting again");
	it = fwqueue_next(q);
	is_str(it->line, "add 192.0.2.4\n", "rewind: resend from the oldest");
	is_int(fwqueue_ack(q, &got), 1, "ack after rewind");
	is_str(ip(&got), "192.0.2.4", "ack after rewind matches");
	fwqueue_free(q);
	fwqueue_free(NULL);

	/* A queue of one, many pushes: no leak, last one kept. */
	q = fwqueue_new(1);
	for (int i = 0; i < 1000; i++) {
		char s[32];
		struct addr a;
		snprintf(s, sizeof(s), "10.0.%d.%d", i / 256, i % 256);
		a = A(s);
		fwqueue_push(q, &a, s, strlen(s), NULL);
	}
	it = fwqueue_next(q);
	is_str(it->line, "10.0.3.231", "queue of one keeps the newest");
	fwqueue_free(q);
}

/* ------------------------------------------------------- a scripted peer */

/* ANS_REFUSE: what the helper says to a peer it does not allow (unasked,
 * but here sent once the first line is in, as when the helper was slow to
 * accept), then the connection is closed. */
enum answer { ANS_OK, ANS_ERR, ANS_NONE, ANS_BAD, ANS_CLOSE, ANS_REFUSE };

struct peer {
	struct ev_loop *loop;
	char path[108];
	int lfd, cfd;
	ev_io lw, cw;
	char in[8192];
	size_t inlen;
	enum answer (*script)(struct peer *p, const char *line);
	int lines, conns;
	char seen[64][64];      /* command lines received, in order */
};

static void peer_drop(struct peer *p)
{
	if (p->cfd >= 0) {
		ev_io_stop(p->loop, &p->cw);
		close(p->cfd);
		p->cfd = -1;
	}
	p->inlen = 0;
}

static void
peer_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct peer *p = w->data;
	ssize_t r = read(p->cfd, p->in + p->inlen, sizeof(p->in) - p->inlen);
	char *nl;

	if (r <= 0) {
		if (r < 0 && errno == EAGAIN)
			return;
		peer_drop(p);
		return;
	}
	p->inlen += (size_t)r;
	while ((nl = memchr(p->in, '\n', p->inlen)) != NULL) {
		*nl = '\0';
		if (p->lines < 64)
			snprintf(p->seen[p->lines], sizeof(p->seen[0]), "%.63s", p->in);
		p->lines++;
		const char *rep = NULL;
		switch (p->script(p, p->in)) {
		case ANS_OK:    rep = "OK added\n"; break;
		case ANS_ERR:   rep = "ERR never_block 127.0.0.1\n"; break;
		case ANS_BAD:   rep = "HELLO\n"; break;
		case ANS_NONE:  break;
		case ANS_CLOSE: peer_drop(p); return;
		case ANS_REFUSE:
			if (write(p->cfd, "ERR not allowed\n", 16) < 0)
				abort();
			peer_drop(p);
			return;
		}
		if (rep != NULL && write(p->cfd, rep, strlen(rep)) < 0)
			abort();
		size_t used = (size_t)(nl - p->in) + 1;
		memmove(p->in, nl + 1, p->inlen - used);
		p->inlen -= used;
	}
}

static void
peer_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct peer *p = w->data;
	int fd = accept4(p->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	peer_drop(p);
	p->cfd = fd;
	p->conns++;
	ev_io_init(&p->cw, peer_read_cb, fd, EV_READ);
	p->cw.data = p;
	ev_io_start(loop, &p->cw);
}

static void
peer_listen(struct peer *p)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p->path);
	unlink(p->path);
	p->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(p->lfd, 16) < 0)
		abort();
	ev_io_init(&p->lw, peer_accept_cb, p->lfd, EV_READ);
	p->lw.data = p;
	ev_io_start(p->loop, &p->lw);
}

static void
peer_stop(struct peer *p)
{
	peer_drop(p);
	if (p->lfd >= 0) {
		ev_io_stop(p->loop, &p->lw);
		close(p->lfd);
		p->lfd = -1;
		unlink(p->path);
	}
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents) { }

/* Run the loop until cond holds or ms pass; returns cond. */
static int
run_until(struct ev_loop *loop, int (*cond)(void *), void *arg, double ms)
{
	ev_tstamp end = ev_now(loop) + ms / 1000.0;
	ev_timer tick;

	ev_timer_init(&tick, tick_cb, 0.01, 0.01);
	ev_timer_start(loop, &tick);
	while (!(cond && cond(arg)) && ev_now(loop) < end)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &tick);
	return cond ? cond(arg) : 1;
}

static struct fwclient *g_client;
static int
drained(void *arg)
{
	struct fwclient_stats st;

	fwclient_stats(g_client, &st);
	return st.pending == 0 && st.connected;
}

static enum answer script_ok(struct peer *p, const char *l) { return ANS_OK; }
static enum answer script_err_second(struct peer *p, const char *l)
{ return p->lines == 2 ? ANS_ERR : ANS_OK; }
/* First connection: ack one, then hang up; later connections ack all. */
static enum answer script_restart(struct peer *p, const char *l)
{ return p->conns == 1 && p->lines > 1 ? ANS_CLOSE : ANS_OK; }
static enum answer script_bad_first(struct peer *p, const char *l)
{ return p->conns == 1 ? ANS_BAD : ANS_OK; }
static enum answer script_mute_first(struct peer *p, const char *l)
{ return p->conns == 1 ? ANS_NONE : ANS_OK; }
static enum answer script_refuse_first(struct peer *p, const char *l)
{ return p->conns == 1 ? ANS_REFUSE : ANS_OK; }
static enum answer script_mute(struct peer *p, const char *l)
{ return ANS_NONE; }

static int ndropped;
static char dropped_ips[8][ADDR_STRLEN];
static void
dropped_cb(void *arg, const struct addr *a)
{
	if (ndropped < 8)
		addr_format(a, dropped_ips[ndropped], ADDR_STRLEN);
	ndropped++;
}

struct live {
	const char *name;
	enum answer (*script)(struct peer *, const char *);
	int absent_first;       /* helper not there when the client starts */
	size_t queue_size;
	int nadd;
	/* expected */
	int acked, errors, dropped, reconnects_min, lines_min;
};

static const struct live lives[] = {
	{ "plain", script_ok, 0, 100, 5, 5, 0, 0, 0, 5 },
	{ "helper absent, then there", script_ok, 1, 100, 5, 5, 0, 0, 0, 5 },
	{ "ERR counted, not resent", script_err_second, 0, 100, 3, 2, 1, 0, 0, 3 },
	{ "restart loses nothing unacked", script_restart, 0, 100, 4, 4, 0, 0, 1, 5 },
	{ "bad reply: peer dropped", script_bad_first, 0, 100, 2, 2, 1, 0, 1, 3 },
	{ "no reply in time: reconnect", script_mute_first, 0, 100, 2, 2, 0, 0, 1, 3 },
	{ "not allowed: closed, retried, nothing lost", script_refuse_first, 0, 100, 3, 3, 1, 0, 1, 4 },
	{ "overflow while absent", script_ok, 1, 3, 5, 3, 0, 2, 0, 3 },
};

static void
test_live(struct ev_loop *loop, const char *dir, const struct live *lv)
{
	struct peer p = { .loop = loop, .lfd = -1, .cfd = -1, .script = lv->script };
	struct fwclient_opts o = {
		.queue_size = lv->queue_size, .ttl = 3600,
		.backoff_min_ms = 10, .backoff_max_ms = 40,
		.reply_timeout_ms = 200, .dropped_cb = dropped_cb,
	};
	struct fwclient_stats st;
	char reason[64];

	snprintf(p.path, sizeof(p.path), "%s/cmd.sock", dir);
	o.socket = p.path;
	ndropped = 0;
	if (!lv->absent_first)
		peer_listen(&p);
	g_client = fwclient_new(loop, &o);
	for (int i = 0; i < lv->nadd; i++) {
		char s[32];
		snprintf(s, sizeof(s), "192.0.2.%d", i + 1);
		struct addr a = A(s);
		snprintf(reason, sizeof(reason), "class=dynamic n=%d", i);
		fwclient_add(g_client, &a, reason);
	}
	fwclient_stats(g_client, &st);
	is_int(st.sent, 0, "%s: nothing written from fwclient_add", lv->name);
	if (lv->absent_first) {
		run_until(loop, NULL, NULL, 100);
		fwclient_stats(g_client, &st);
		ok(!st.connected && (int)st.pending == lv->nadd - lv->dropped,
		    "%s: queued while absent (%zu)", lv->name, st.pending);
		peer_listen(&p);
	}
	ok(run_until(loop, drained, NULL, 3000), "%s: queue drained", lv->name);
	fwclient_stats(g_client, &st);
	is_int(st.acked, lv->acked, "%s: acked", lv->name);
	is_int(st.errors, lv->errors, "%s: errors", lv->name);
	is_int(st.dropped, lv->dropped, "%s: dropped", lv->name);
	is_int(ndropped, lv->dropped, "%s: drop callback", lv->name);
	is_int(st.queued, lv->nadd, "%s: queued", lv->name);
	ok((int)st.reconnects >= lv->reconnects_min, "%s: reconnects %llu >= %d",
	    lv->name, st.reconnects, lv->reconnects_min);
	ok(p.lines >= lv->lines_min, "%s: helper read %d lines >= %d", lv->name,
	    p.lines, lv->lines_min);
	char want[128];
	snprintf(want, sizeof(want), "add 192.0.2.%d ttl=3600 reason=class=dynamic n=%d",
	    lv->dropped + 1, lv->dropped);
	is_str(p.seen[0], want, "%s: first line the helper read", lv->name);
	if (lv->dropped)
		is_str(dropped_ips[0], "192.0.2.1", "%s: oldest dropped first", lv->name);
	fwclient_free(g_client);
	peer_stop(&p);
}

static int
connected(void *arg)
{
	struct fwclient_stats st;

	fwclient_stats(g_client, &st);
	return st.connected;
}

/* Commands are written in batches: a full batch (1024) goes out at the end
 * of the loop iteration that queued it, not after the flush delay. */
static void
test_batch(struct ev_loop *loop, const char *dir)
{
	struct peer p = { .loop = loop, .lfd = -1, .cfd = -1, .script = script_ok };
	struct fwclient_opts o = {
		.queue_size = 2000, .backoff_min_ms = 10, .backoff_max_ms = 40,
	};
	struct fwclient_stats st;

	snprintf(p.path, sizeof(p.path), "%s/cmd.sock", dir);
	o.socket = p.path;
	peer_listen(&p);
	g_client = fwclient_new(loop, &o);
	ok(run_until(loop, connected, NULL, 3000), "batch: connected");
	struct addr first = A("198.51.100.250");
	fwclient_add(g_client, &first, "class=dynamic");
	ok(run_until(loop, drained, NULL, 3000), "batch: the first reply came");
	for (int i = 0; i < 1100; i++) {
		struct addr a = A("198.51.100.1");

		a.a[2] = (unsigned char)(i / 250);
		a.a[3] = (unsigned char)(i % 250 + 1);
		fwclient_add(g_client, &a, "class=dynamic");
	}
	fwclient_stats(g_client, &st);
	is_int(st.sent, 1, "batch: nothing written from fwclient_add");
	ev_run(loop, EVRUN_NOWAIT);
	fwclient_stats(g_client, &st);
	is_int(st.sent, 1 + 1100, "batch: all written at the end of the iteration");
	ok(run_until(loop, drained, NULL, 3000), "batch: all answered");
	fwclient_free(g_client);
	peer_stop(&p);
}

/* The peer listening at dir/cmd.sock, g_client connecting to it with o. */
static void
mute_start(struct peer *p, struct fwclient_opts *o, const char *dir)
{
	snprintf(p->path, sizeof(p->path), "%s/cmd.sock", dir);
	o->socket = p->path;
	peer_listen(p);
	g_client = fwclient_new(p->loop, o);
}

/* Queue a block for 192.0.2.(i + 1). */
static void
add_nth(int i)
{
	char s[32];

	snprintf(s, sizeof(s), "192.0.2.%d", i + 1);
	struct addr a = A(s);
	fwclient_add(g_client, &a, "class=dynamic");
}

/* A helper that takes connections but never answers (stalled: they sit in
 * its backlog): each connection carries one command, not the whole queue,
 * so the copies the helper runs when it wakes stay few.  Freed with the
 * queue full, every command is reported dropped. */
static int
three_conns(void *arg)
{
	return ((struct peer *)arg)->conns >= 3;
}

static void
test_unproven(struct ev_loop *loop, const char *dir)
{
	struct peer p = { .loop = loop, .lfd = -1, .cfd = -1, .script = script_mute };
	struct fwclient_opts o = {
		.queue_size = 100, .backoff_min_ms = 10, .backoff_max_ms = 10,
		.reply_timeout_ms = 50, .dropped_cb = dropped_cb,
	};

	ndropped = 0;
	mute_start(&p, &o, dir);
	for (int i = 0; i < 20; i++)
		add_nth(i);
	ok(run_until(loop, three_conns, &p, 3000), "unproven: reconnected (%d)",
	    p.conns);
	fwclient_free(g_client);
	is_int(ndropped, 20, "freed: every queued command reported dropped");
	run_until(loop, NULL, NULL, 50);        /* the peer reads what is left */
	is_int(p.lines, p.conns, "unproven: one command per connection");
	is_str(p.seen[p.lines - 1], "add 192.0.2.1 reason=class=dynamic",
	    "unproven: the oldest, each time");
	peer_stop(&p);
}

/* The same while the queue overflows: the command in flight dropped for
 * room still owes its reply, so the connection stays unproven. */
static void
test_unproven_overflow(struct ev_loop *loop, const char *dir)
{
	struct peer p = { .loop = loop, .lfd = -1, .cfd = -1, .script = script_mute };
	struct fwclient_opts o = {
		.queue_size = 3, .backoff_min_ms = 10, .backoff_max_ms = 10,
		.reply_timeout_ms = 5000, .dropped_cb = dropped_cb,
	};

	mute_start(&p, &o, dir);
	for (int i = 0; i < 10; i++) {
		add_nth(i);
		run_until(loop, NULL, NULL, 30);
	}
	is_int(p.conns, 1, "unproven, overflowing: still the first connection");
	is_int(p.lines, 1, "unproven, overflowing: one command on it");
	fwclient_free(g_client);
	peer_stop(&p);
}

int
main(void)
{
	char dir[] = "/tmp/fwclient.XXXXXX";
	struct ev_loop *loop = ev_default_loop(0);

	log_init("t/fwclient", 1, 0);
	test_queue();
	if (mkdtemp(dir) == NULL)
		skip_all("mkdtemp");
	for (size_t i = 0; i < sizeof(lives) / sizeof(lives[0]); i++)
		test_live(loop, dir, &lives[i]);
	test_batch(loop, dir);
	test_unproven(loop, dir);
	test_unproven_overflow(loop, dir);
	fwclient_free(NULL);
	rmdir(dir);
	return done_testing();
}
