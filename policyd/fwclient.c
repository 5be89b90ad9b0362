/*
 * fwclient.c - the helper client: queue, connection, replies (see fwclient.h).
 *
 * States: disconnected (retry timer armed), connecting (rare for unix
 * sockets: EINPROGRESS, wait for writable), connected (read watcher always
 * on; the write watcher is only started when the socket is full).
 *
 * Queued lines are written in batches, so that the helper wakes once for
 * many commands rather than once per loop iteration: the first command
 * after a write arms a FLUSH_DELAY timer, and FLUSH_BATCH unwritten
 * commands start an ev_prepare watcher, which runs before the loop next
 * blocks, after the Postfix answers (conn.c answers in a prepare watcher
 * too: one started there runs on the next turn).  The delay is small
 * against the helper's own batch window (its replies wait for its commit
 * anyway).
 * The out buffer holds lines already taken from the queue (in flight); on
 * any loss of the connection it is discarded and the queue rewound, so those
 * lines are sent again.  Each written line is counted in `sent` when it
 * leaves the queue for the out buffer.
 *
 * A new connection carries one command until its first reply: a connect
 * to a helper that is stalled only lands in its listen backlog, and when
 * policyd gives up on it and connects again, every such connection would
 * otherwise hold a copy of the whole queue, each run once the helper wakes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <ev.h>

#include "common/buf.h"
#include "common/fwproto.h"
#include "common/log.h"
#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "policyd/fwclient.h"
#include "policyd/fwqueue.h"

#define OUT_FILL   (32u * 1024)         /* refill the out buffer below this */
#define OUT_LIMIT  (OUT_FILL + FWPROTO_LINE_MAX)
#define IN_LIMIT   (64u * 1024)          /* replies come per commit */
#define FLUSH_DELAY 0.005               /* seconds a command may wait */
#define FLUSH_BATCH 1024                /* ... unless this many wait */

enum fwc_state { FWC_DOWN, FWC_CONNECTING, FWC_UP };

struct fwclient {
	struct ev_loop *loop;
	struct fwclient_opts o;
	char *path;
	struct fwqueue *q;
	int fd;
	enum fwc_state state;
	bool ever_up, down_logged;
	bool drop_logged;               /* until the queue is half empty */
	bool proven;                    /* a reply came on this connection */
	bool full_logged;               /* "ERR full", until the next OK or
					 * connection */
	long long backoff_ms;
	struct buf out, in;
	ev_io rio, wio;
	ev_prepare kick;                /* flush before the loop blocks */
	ev_timer flush;                 /* flush FLUSH_DELAY after a command */
	ev_timer retry, rtimer;
	struct fwclient_stats st;
};

static void fwc_connect(struct fwclient *c);

static void
fwc_down(struct fwclient *c, const char *why, int err)
{
	ev_io_stop(c->loop, &c->rio);
	ev_io_stop(c->loop, &c->wio);
	ev_prepare_stop(c->loop, &c->kick);
	ev_timer_stop(c->loop, &c->flush);
	ev_timer_stop(c->loop, &c->rtimer);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_release(&c->out);
	buf_release(&c->in);
	fwqueue_rewind(c->q);
	if (!c->down_logged) {
		log_warnx("firewall helper %s: %s%s%s; %zu commands queued, "
		    "retrying", c->path, why, err ? ": " : "",
		    err ? strerror(err) : "", fwqueue_len(c->q));
		c->down_logged = true;
	} else {
		log_debug("firewall helper %s: %s%s%s", c->path, why,
		    err ? ": " : "", err ? strerror(err) : "");
	}
	c->state = FWC_DOWN;
	ev_timer_set(&c->retry, (double)c->backoff_ms / 1000.0, 0.);
	ev_timer_start(c->loop, &c->retry);
	c->backoff_ms *= 2;
	if (c->backoff_ms > c->o.backoff_max_ms)
		c->backoff_ms = c->o.backoff_max_ms;
}

/* Move queued lines to the out buffer and write what the socket takes. */
static void
fwc_flush(struct fwclient *c)
{
	for (;;) {
		const struct fwq_item *it;

		while (buf_used(&c->out) < OUT_FILL &&
		    (c->proven || fwqueue_owed(c->q) == 0) &&
		    (it = fwqueue_next(c->q)) != NULL) {
			if (buf_append(&c->out, it->line, it->len) < 0)
				fatalx("fwclient: out buffer invariant");
			c->st.sent++;
		}
		if (buf_used(&c->out) == 0) {
			ev_io_stop(c->loop, &c->wio);
			return;
		}
		ssize_t w = send(c->fd, buf_head(&c->out), buf_used(&c->out),
		    MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				ev_io_start(c->loop, &c->wio);
				return;
			}
			if (errno == EINTR)
				continue;
			fwc_down(c, "write", errno);
			return;
		}
		buf_consume(&c->out, (size_t)w);
		if (c->o.reply_timeout_ms > 0 && !ev_is_active(&c->rtimer))
			ev_timer_again(c->loop, &c->rtimer);
	}
}

static void
fwc_up(struct fwclient *c)
{
	c->state = FWC_UP;
	c->proven = false;
	c->full_logged = false;         /* a restarted helper: worth saying */
	if (c->ever_up)
		c->st.reconnects++;
	c->ever_up = true;
	if (c->down_logged)
		log_info("firewall helper %s: connected, %zu commands queued",
		    c->path, fwqueue_len(c->q));
	c->down_logged = false;
	ev_io_set(&c->rio, c->fd, EV_READ);
	ev_io_set(&c->wio, c->fd, EV_WRITE);
	ev_io_start(c->loop, &c->rio);
	if (fwqueue_unsent(c->q) > 0)
		ev_io_start(c->loop, &c->wio);
}

/* One reply line (without LF): NULL, or why the connection must go. */
static const char *
fwc_reply(struct fwclient *c, const char *line, size_t len)
{
	char a[ADDR_STRLEN], why[160];
	struct addr addr;
	bool okay;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == strlen(FWPROTO_NOT_ALLOWED) &&
	    memcmp(line, FWPROTO_NOT_ALLOWED, len) == 0) {
		/* unasked, whatever we sent: it answers no command */
		c->st.errors++;
		return "not allowed (the helper's command_socket.allow_users "
		    "or allow_groups)";
	}
	if (len >= 2 && memcmp(line, "OK", 2) == 0 &&
	    (len == 2 || line[2] == ' '))
		okay = true;
	else if (len >= 3 && memcmp(line, "ERR", 3) == 0 &&
	    (len == 3 || line[3] == ' '))
		okay = false;
	else {
		c->st.errors++;
		log_warnx("firewall helper %s: bad reply \"%s\"", c->path,
		    log_esc(why, sizeof(why), line, len));
		return "bad peer";
	}
	int r = fwqueue_ack(c->q, &addr);
	if (r < 0) {
		c->st.errors++;
		log_warnx("firewall helper %s: reply to no command \"%s\"",
		    c->path, log_esc(why, sizeof(why), line, len));
		return "bad peer";
	}
	c->proven = true;
	c->backoff_ms = c->o.backoff_min_ms;
	if (c->drop_logged && fwqueue_len(c->q) < c->o.queue_size / 2)
		c->drop_logged = false;
	if (okay) {
		c->st.acked += r;
		c->full_logged = false;
		return NULL;
	}
	c->st.errors++;
	size_t skip = len > 4 ? 4 : len;
	bool full = len > 4 + 5 && memcmp(line + 4, "full ", 5) == 0;
	/* a full table refuses every block until it has room: said once */
	if (!full || !c->full_logged)
		log_warnx("firewall helper refused client=%s: %s%s",
		    r ? addr_format(&addr, a, sizeof(a)) : "(dropped)",
		    log_esc(why, sizeof(why), line + skip, len - skip),
		    full ? " (logged once until a block is taken again)" : "");
	else
		log_debug("firewall helper refused client=%s: full",
		    r ? addr_format(&addr, a, sizeof(a)) : "(dropped)");
	c->full_logged |= full;
	/* no room: nothing holds this client out, so its next refusal may
	 * ask again; other refusals (never_block, backend) would recur */
	if (r && full && c->o.dropped_cb != NULL)
		c->o.dropped_cb(c->o.cb_arg, &addr);
	return NULL;
}

static void
fwc_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fwclient *c = w->data;
	bool was_proven = c->proven;
	ssize_t r = buf_read_fd(&c->in, c->fd);

	if (r == 0) {
		fwc_down(c, "connection closed", 0);
		return;
	}
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		fwc_down(c, "read", errno);
		return;
	}
	for (;;) {
		char *p = buf_head(&c->in);
		size_t n = buf_used(&c->in);
		char *nl = n ? memchr(p, '\n', n) : NULL;

		if (nl == NULL) {
			if (n >= FWPROTO_LINE_MAX) {
				c->st.errors++;
				fwc_down(c, "reply line too long", 0);
			}
			break;
		}
		const char *why = fwc_reply(c, p, (size_t)(nl - p));

		if (why != NULL) {
			fwc_down(c, why, 0);
			return;
		}
		buf_consume(&c->in, (size_t)(nl - p) + 1);
	}
	if (c->state != FWC_UP)
		return;
	if (c->proven && !was_proven)
		fwc_flush(c);           /* the rest, held back until now */
	if (c->state != FWC_UP)
		return;
	if (fwqueue_owed(c->q) == 0)
		ev_timer_stop(loop, &c->rtimer);
	else if (c->o.reply_timeout_ms > 0)
		ev_timer_again(loop, &c->rtimer);
}

static void
fwc_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fwclient *c = w->data;

	if (c->state == FWC_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		ev_io_stop(loop, w);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err != 0) {
			fwc_down(c, "connect", err);
			return;
		}
		fwc_up(c);
		return;
	}
	fwc_flush(c);
}

/* The flush timer or the end-of-iteration watcher: write what waits. */
static void
fwc_kick(struct fwclient *c)
{
	ev_prepare_stop(c->loop, &c->kick);
	ev_timer_stop(c->loop, &c->flush);
	if (c->state == FWC_UP)
		fwc_flush(c);
}

static void
fwc_kick_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	fwc_kick(w->data);
}

static void
fwc_flush_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	fwc_kick(w->data);
}

static void
fwc_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	fwc_connect(w->data);
}

static void
fwc_rtimer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fwclient *c = w->data;

	ev_timer_stop(loop, w);
	if (c->state == FWC_UP && fwqueue_owed(c->q) > 0) {
		c->down_logged = false;         /* worth a warning each time */
		fwc_down(c, "no reply in time", 0);
	}
}

static void
fwc_connect(struct fwclient *c)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		fwc_down(c, "socket path too long", 0);
		return;
	}
	memcpy(sun.sun_path, c->path, strlen(c->path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fwc_down(c, "socket", errno);
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		fwc_up(c);
		return;
	}
	if (errno == EINPROGRESS) {
		c->state = FWC_CONNECTING;
		ev_io_set(&c->wio, c->fd, EV_WRITE);
		ev_io_start(c->loop, &c->wio);
		return;
	}
	/* EAGAIN on a unix socket: backlog full, not connected. */
	fwc_down(c, "connect", errno);
}

struct fwclient *
fwclient_new(struct ev_loop *loop, const struct fwclient_opts *o)
{
	struct fwclient *c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->o = *o;
	c->path = xstrdup(o->socket);
	c->o.socket = c->path;
	if (c->o.backoff_min_ms < 1)
		c->o.backoff_min_ms = 1;
	if (c->o.backoff_max_ms < c->o.backoff_min_ms)
		c->o.backoff_max_ms = c->o.backoff_min_ms;
	c->backoff_ms = c->o.backoff_min_ms;
	c->q = fwqueue_new(o->queue_size);
	c->fd = -1;
	c->state = FWC_DOWN;
	buf_init(&c->out, OUT_LIMIT);
	buf_init(&c->in, IN_LIMIT);
	ev_io_init(&c->rio, fwc_read_cb, -1, EV_READ);
	ev_io_init(&c->wio, fwc_write_cb, -1, EV_WRITE);
	ev_set_priority(&c->wio, EV_MINPRI);
	ev_prepare_init(&c->kick, fwc_kick_cb);
	ev_timer_init(&c->flush, fwc_flush_cb, FLUSH_DELAY, 0.);
	ev_timer_init(&c->retry, fwc_retry_cb, 0., 0.);
	ev_timer_init(&c->rtimer, fwc_rtimer_cb, 0.,
	    (double)c->o.reply_timeout_ms / 1000.0);
	c->rio.data = c->wio.data = c->retry.data = c->rtimer.data = c;
	c->kick.data = c->flush.data = c;
	ev_timer_start(loop, &c->retry);         /* first connect, from the loop */
	return c;
}

void
fwclient_free(struct fwclient *c)
{
	struct addr a;

	if (c == NULL)
		return;
	/* as far as we know, none of them reached the helper */
	while (fwqueue_pop(c->q, &a))
		if (c->o.dropped_cb != NULL)
			c->o.dropped_cb(c->o.cb_arg, &a);
	ev_io_stop(c->loop, &c->rio);
	ev_io_stop(c->loop, &c->wio);
	ev_prepare_stop(c->loop, &c->kick);
	ev_timer_stop(c->loop, &c->flush);
	ev_timer_stop(c->loop, &c->retry);
	ev_timer_stop(c->loop, &c->rtimer);
	if (c->fd >= 0)
		close(c->fd);
	buf_release(&c->out);
	buf_release(&c->in);
	fwqueue_free(c->q);
	free(c->path);
	free(c);
}

void
fwclient_add(struct fwclient *c, const struct addr *a, const char *reason)
{
	struct fwproto_cmd cmd;
	char line[FWPROTO_LINE_MAX];
	struct addr old;

	cmd.op = FWPROTO_ADD;
	cmd.addr = *a;
	cmd.ttl = c->o.ttl;
	str_copy(cmd.reason, sizeof(cmd.reason), reason ? reason : "");
	int n = fwproto_format(&cmd, line, sizeof(line));
	if (n < 0)
		fatalx("fwclient: command does not fit a line");
	c->st.queued++;
	if (fwqueue_push(c->q, a, line, (size_t)n, &old) > 0) {
		char s[ADDR_STRLEN];

		c->st.dropped++;
		addr_format(&old, s, sizeof(s));
		if (!c->drop_logged)
			log_warnx("firewall queue full (%zu commands): dropping "
			    "the oldest, first client=%s", c->o.queue_size, s);
		else
			log_debug("firewall queue full: dropped client=%s", s);
		c->drop_logged = true;
		if (c->o.dropped_cb != NULL)
			c->o.dropped_cb(c->o.cb_arg, &old);
	}
	/* Written after the Postfix answer, in a batch (see the top). */
	if (c->state != FWC_UP || ev_is_active(&c->wio))
		return;
	if (fwqueue_unsent(c->q) >= FLUSH_BATCH)
		ev_prepare_start(c->loop, &c->kick);
	else if (!ev_is_active(&c->flush)) {
		/* set each time: a stopped one-shot timer keeps what was left */
		ev_timer_set(&c->flush, FLUSH_DELAY, 0.);
		ev_timer_start(c->loop, &c->flush);
	}
}

void
fwclient_stats(const struct fwclient *c, struct fwclient_stats *st)
{
	*st = c->st;
	st->pending = fwqueue_len(c->q);
	st->connected = c->state == FWC_UP;
}

void
fwclient_stats_format(const struct fwclient_stats *st, char *buf,
    size_t size)
{
	snprintf(buf, size, "fw_connected=%d fw_queued=%llu fw_sent=%llu "
	    "fw_acked=%llu fw_errors=%llu fw_dropped=%llu fw_reconnects=%llu "
	    "fw_pending=%zu", st->connected ? 1 : 0, st->queued, st->sent,
	    st->acked, st->errors, st->dropped, st->reconnects, st->pending);
}
