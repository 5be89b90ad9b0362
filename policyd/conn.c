/*
 * conn.c - one Postfix connection: read, parse, ask the policy, answer,
 * log (see conn.h).
 *
 * Reading only queues the connection (conn_read_cb()); the requests read on
 * one turn of the loop are answered together by conn_batch(), before the
 * loop polls again.  Every other path ends in conn_settle(), the one place
 * that writes queued answers, decides whether to read on, closes, or
 * releases idle storage.  Code below it only sets flags (busy, eof, dead),
 * so a connection is never freed while a caller up the stack still uses it;
 * conn_batch() settles other connections from inside conn_read_cb(), never
 * the reader's own: a read callback runs once a turn, so the reader is not
 * queued yet.
 */
#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/sock.h"
#include "common/xmalloc.h"
#include "policyd/answerlog.h"
#include "policyd/config.h"
#include "policyd/conn.h"
#include "policyd/idle.h"
#include "policyd/policy_proto.h"
#include "policyd/stats.h"

/* What the log line of one request needs: the request's own strings while
 * policy_start() runs (an answer given at once is logged from them), copies
 * when the answer has to wait.
 *
 * duration_ms takes one clock read per request: t0 is the loop's time
 * (ev_now()), which libev read when the poll returned, and which the
 * logging of each answer moves on (ev_now_update(), the read that gives
 * t1).  So a request's duration runs from the moment the loop turned to it
 * - the wake-up that read it, or the answer logged just before it on the
 * same turn - to its answer: its read, parsing, policy and DNS wait.
 * libev's time is its monotonic clock plus an offset to the wall clock
 * that it re-reads every half second: a request in flight then may show a
 * wall-clock step or NTP's slew of that half second (a negative duration
 * is logged as 0).  Resolution: a double's, about 0.25 us. */
struct reqlog {
	ev_tstamp t0;
	const char *client, *name, *rname, *helo, *state;
	char *copy;                     /* owns the copies, or NULL */
};
#define REQLOG_CUT 256                  /* bytes of each string kept */

struct conn {
	struct conn_env *env;
	struct conn     *prev, *next;
	int              fd;
	ev_io            rio, wio;
	struct idle      idle;
	struct buf       in, out;
	struct policy_parser *parser;
	struct policy_job *job;         /* pending answer, or NULL */
	struct reqlog   *rl;            /* of the pending request */
	bool             busy;          /* a request is with the policy */
	bool             in_start;      /* inside ops->start() */
	bool             rl_heap;       /* rl was allocated */
	bool             eof;           /* read no more; close when done */
	bool             dead;          /* close at conn_settle() */
	bool             flush_last;    /* try to send queued answers first */
	bool             keeps;         /* one of env->nkeep */
	struct conn     *rnext, **rprev;        /* on env->ready */
	size_t           toff, tlen;    /* what it read into env->turn */
	char             peer[64];
};

/* what a slice leaves over after a request fits the (empty) read-ahead */
_Static_assert(CONN_TURN_BUF <= SERVER_IN_MAX, "turn buffer too large");

static void conn_settle(struct conn *c);
static void reqlog_free(struct reqlog *rl);

struct conn *conn_next(const struct conn *c)
{
	return c->next;
}

/* On env->ready: read on this turn, for conn_batch() to answer. */
static void conn_queue(struct conn *c)
{
	struct conn_env *env = c->env;

	if (c->rprev != NULL)
		return;
	c->rnext = env->ready;
	if (env->ready != NULL)
		env->ready->rprev = &c->rnext;
	env->ready = c;
	c->rprev = &env->ready;
}

static void conn_unqueue(struct conn *c)
{
	if (c->rprev == NULL)
		return;
	*c->rprev = c->rnext;
	if (c->rnext != NULL)
		c->rnext->rprev = c->rprev;
	c->rprev = NULL;
}

static void conn_free(struct conn *c)
{
	struct conn_env *env = c->env;

	conn_unqueue(c);
	if (c->job != NULL)
		env->ops->cancel(c->job);
	if (c->rl_heap)
		reqlog_free(c->rl);
	if (c->flush_last)
		(void)buf_write_fd(&c->out, c->fd);
	ev_io_stop(env->loop, &c->rio);
	ev_io_stop(env->loop, &c->wio);
	idle_stop(env->loop, &c->idle);
	close(c->fd);
	buf_release(&c->in);
	buf_release(&c->out);
	policy_parser_free(c->parser);
	if (c->keeps)
		env->nkeep--;
	if (c->prev)
		c->prev->next = c->next;
	else
		env->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	env->nconns--;
	stats_inc(STAT_CONN_CLOSED);
	free(c);
	if (env->closed)
		env->closed(env);
}

static void reqlog_fill(struct reqlog *rl, const struct policy_req *req)
{
	rl->client = req->client_address;
	rl->name = req->client_name;
	rl->rname = req->reverse_client_name;
	rl->helo = req->helo_name;
	rl->state = req->protocol_state;
	rl->copy = NULL;
}

/* The answer will come later: keep copies (cut) of what the log needs. */
static struct reqlog *reqlog_keep(const struct reqlog *rl)
{
	const char **f[5];
	struct reqlog *k = xmalloc(sizeof(*k));
	size_t len[5], total = 0;
	char *p;

	*k = *rl;
	f[0] = &k->client, f[1] = &k->name, f[2] = &k->rname;
	f[3] = &k->helo, f[4] = &k->state;
	for (int i = 0; i < 5; i++) {
		len[i] = *f[i] ? strnlen(*f[i], REQLOG_CUT) : 0;
		total += len[i] + 1;
	}
	p = k->copy = xmalloc(total);
	for (int i = 0; i < 5; i++) {
		if (*f[i] == NULL)
			continue;
		memcpy(p, *f[i], len[i]);
		p[len[i]] = '\0';
		*f[i] = p;
		p += len[i] + 1;
	}
	return k;
}

static void reqlog_free(struct reqlog *rl)
{
	free(rl->copy);
	free(rl);
}

static void conn_log(struct conn *c, const struct policy_result *res)
{
	const struct config *cfg = c->env->cfg;
	const struct reqlog *rl = c->rl;
	long long us;
	struct logline l;

	if (rl == NULL || cfg->log.requests == CONFIG_LOGREQ_NONE ||
	    (cfg->log.requests == CONFIG_LOGREQ_ACTED && !res->would &&
	    strncasecmp(res->action, "DUNNO", 5) == 0))
		return;
	ev_now_update(c->env->loop);    /* t1, and the next request's t0 */
	us = (long long)((ev_now(c->env->loop) - rl->t0) * 1e6 + 0.5);
	if (us < 0)
		us = 0;
	l.len = 0;
	LOGLINE_LIT(&l, "client=");
	logline_esc(&l, rl->client, 64);
	LOGLINE_LIT(&l, " name=\"");
	logline_esc(&l, rl->name, 128);
	LOGLINE_LIT(&l, "\" rname=\"");
	logline_esc(&l, rl->rname, 128);
	LOGLINE_LIT(&l, "\" helo=\"");
	logline_esc(&l, rl->helo, 128);
	LOGLINE_LIT(&l, "\" state=");
	logline_esc(&l, rl->state, 24);
	LOGLINE_LIT(&l, " action=\"");
	logline_esc(&l, res->action, 256);
	LOGLINE_LIT(&l, "\" class=");
	logline_put(&l, res->class ? res->class : "-");
	LOGLINE_LIT(&l, " reason=\"");
	logline_esc(&l, res->reason, 512);
	LOGLINE_LIT(&l, "\" fw=");
	/* fwgate's own words and numbers (fwgate.h): nothing to escape */
	logline_put(&l, res->fw[0] ? res->fw : "-");
	LOGLINE_LIT(&l, " duration_ms=");
	logline_num(&l, (unsigned long long)us / 1000, 1);
	LOGLINE_LIT(&l, ".");
	logline_num(&l, (unsigned long long)us % 1000, 3);
	answerlog_put(l.buf, l.len);
}

/* policy_done_fn: queue the answer, log it. */
static void conn_done_cb(void *arg, const struct policy_result *res)
{
	struct conn *c = arg;
	char reply[POLICY_ACTION_MAX + 16];
	char esc[128];
	int n;

	n = policy_reply_format(reply, sizeof(reply), res->action,
	    strlen(res->action));
	if (n < 0) {
		log_warnx("%s: not a valid action \"%s\": answering DUNNO",
		    c->peer, log_escs(esc, sizeof(esc), res->action));
		n = policy_reply_format(reply, sizeof(reply), "DUNNO", 5);
	}
	stats_answer(reply + strlen("action="), res->class);
	if (buf_append(&c->out, reply, (size_t)n) < 0) {
		log_warnx("%s: client does not read its answers (%zu bytes "
		    "queued): closing", c->peer, buf_used(&c->out));
		c->dead = true;
	}
	conn_log(c, res);
	if (c->rl_heap)
		reqlog_free(c->rl);
	c->rl = NULL;
	c->rl_heap = false;
	c->job = NULL;
	c->busy = false;
	if (!c->in_start) {
		/* answered later, from the loop: go on with what is queued */
		idle_touch(c->env->loop, &c->idle);
		conn_settle(c);
	}
}

static void conn_dispatch(struct conn *c, const struct policy_req *req)
{
	struct conn_env *env = c->env;
	struct reqlog rl;
	struct policy_job *job;

	if (env->cfg->log.requests != CONFIG_LOGREQ_NONE) {
		rl.t0 = ev_now(env->loop);      /* see struct reqlog */
		reqlog_fill(&rl, req);
		c->rl = &rl;
	}
	if (log_verbose()) {
		char esc[64];

		log_debug("%s: request for client %s", c->peer,
		    log_escs(esc, sizeof(esc), req->client_address));
	}
	stats_inc(STAT_REQUESTS);
	c->busy = true;
	c->in_start = true;
	job = env->ops->start(env->loop, env->cfg, req, conn_done_cb, c);
	c->in_start = false;
	if (c->busy) {
		if (job == NULL)
			fatalx("policy start: no job and no answer");
		c->job = job;
		if (c->rl == &rl) {
			c->rl = reqlog_keep(&rl);
			c->rl_heap = true;
		}
	}
}

/* Parse and answer from data until a request is pending or c is done;
 * returns the bytes consumed. */
static size_t conn_feed(struct conn *c, const char *data, size_t len)
{
	size_t off = 0, used;
	struct policy_req req;

	while (off < len && !c->busy && !c->dead) {
		switch (policy_parser_feed(c->parser, data + off, len - off,
		    &used, &req)) {
		case POLICY_PARSE_DONE:
			off += used;
			conn_dispatch(c, &req);
			break;
		case POLICY_PARSE_MORE:
			off += used;
			break;
		case POLICY_PARSE_ERROR:
			stats_inc(STAT_MALFORMED);
			log_warnx("%s: malformed request (%s): closing",
			    c->peer, policy_parser_error(c->parser));
			c->dead = true;
			c->flush_last = true;
			return len;
		}
	}
	return off;
}

/* Answer what c read this turn, then what waits in its buffer. */
static void conn_process_in(struct conn *c)
{
	size_t used;

	if (c->tlen > 0) {
		const char *d = c->env->turn + c->toff;

		used = conn_feed(c, d, c->tlen);
		if (!c->dead && used < c->tlen &&
		    buf_append(&c->in, d + used, c->tlen - used) < 0)
			fatalx("conn: read-ahead exceeds its bound");
		c->tlen = 0;
	}
	if (c->busy || c->dead || buf_used(&c->in) == 0)
		return;
	used = conn_feed(c, buf_head(&c->in), buf_used(&c->in));
	buf_consume(&c->in, used);
}

static void conn_flush(struct conn *c)
{
	struct ev_loop *loop = c->env->loop;

	if (buf_used(&c->out) > 0) {
		ssize_t w = buf_write_fd(&c->out, c->fd);

		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			log_debug("%s: write: %s", c->peer, strerror(errno));
			c->dead = true;
			return;
		}
	}
	if (buf_used(&c->out) > 0)
		ev_io_start(loop, &c->wio);
	else
		ev_io_stop(loop, &c->wio);
}

/*
 * Idle: hold no storage - except up to CONN_KEEP connections, each while
 * what it holds is small.  Postfix's busy connections then reuse their
 * buffers rather than a malloc() and free() of each per request, and idle
 * ones hold at most CONN_KEEP * CONN_KEEP_BYTES, 2 MiB.  A connection that
 * releases its storage gives its place back.
 */
#define CONN_KEEP       256
#define CONN_KEEP_BYTES 8192

static void conn_rest(struct conn *c)
{
	struct conn_env *env = c->env;
	size_t held = policy_parser_held(c->parser) + c->in.cap + c->out.cap;

	if (held <= CONN_KEEP_BYTES && (c->keeps || env->nkeep < CONN_KEEP)) {
		if (!c->keeps) {
			c->keeps = true;
			env->nkeep++;
		}
		return;
	}
	if (c->keeps) {
		c->keeps = false;
		env->nkeep--;
	}
	buf_release(&c->in);
	buf_release(&c->out);
	policy_parser_shrink(c->parser);
}

/* After conn_process_in() (no slice left): bytes received and not yet
 * answered - a request partly read, or bytes Postfix sent that wait in the
 * socket. */
static bool conn_unread(const struct conn *c)
{
	int n = 0;

	if (buf_used(&c->in) > 0 || policy_parser_pending(c->parser))
		return true;
	return ioctl(c->fd, FIONREAD, &n) == 0 && n > 0;
}

static void conn_settle(struct conn *c)
{
	struct ev_loop *loop = c->env->loop;

	conn_process_in(c);
	/* stopping: read on until what was received is answered (the drain
	 * timer bounds it), then no more */
	if (c->env->stopping && !c->eof && !c->dead && !conn_unread(c)) {
		c->eof = true;
		ev_io_stop(loop, &c->rio);
	}
	if (!c->dead)
		conn_flush(c);
	if (!c->dead && c->eof && !c->busy && buf_used(&c->out) == 0) {
		if (policy_parser_pending(c->parser) || buf_used(&c->in) > 0)
			log_debug("%s: closed in the middle of a request",
			    c->peer);
		c->dead = true;
	}
	if (c->dead) {
		conn_free(c);
		return;
	}
	if (!c->eof && !ev_is_active(&c->rio) &&
	    buf_used(&c->in) < c->in.limit)
		ev_io_start(loop, &c->rio);
	if (!c->busy && buf_used(&c->in) == 0 && buf_used(&c->out) == 0)
		conn_rest(c);
}

/*
 * The requests read on this turn, answered together, and then the answers
 * written: parser, policy and log run for the whole batch between two
 * system calls, not once between each read and write, so that their code
 * and data stay in the caches and the TLB from one request to the next.  A
 * system call evicts some of them, and under page-table isolation without
 * PCID it flushes the TLB.
 */
static void conn_batch(struct conn_env *env)
{
	struct conn *c;

	for (c = env->ready; c != NULL; c = c->rnext)
		conn_process_in(c);
	env->turnlen = 0;               /* every connection took its bytes */
	while ((c = env->ready) != NULL) {
		conn_unqueue(c);
		conn_settle(c);
	}
}

static void conn_batch_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	conn_batch(w->data);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	struct conn_env *env = c->env;
	ssize_t r;

	if (!c->busy && buf_used(&c->in) == 0 && c->tlen == 0) {
		/* nothing queued: read into the turn's buffer */
		if (CONN_TURN_BUF - env->turnlen < CONN_READ_MIN) {
			log_debug("%zu bytes read on this turn: answering "
			    "them before reading on", env->turnlen);
			conn_batch(env);        /* full: answer what it holds */
		}
		r = read(c->fd, env->turn + env->turnlen,
		    CONN_TURN_BUF - env->turnlen);
		if (r > 0) {
			c->toff = env->turnlen;
			c->tlen = (size_t)r;
			env->turnlen += (size_t)r;
		}
	} else if (buf_used(&c->in) >= c->in.limit) {
		ev_io_stop(loop, w);    /* full: wait for the policy */
		return;
	} else {
		r = buf_read_fd(&c->in, c->fd);
	}
	if (r > 0) {
		idle_touch(loop, &c->idle);
	} else if (r == 0) {
		c->eof = true;
		ev_io_stop(loop, w);
	} else if (errno != EAGAIN && errno != EINTR) {
		log_debug("%s: read: %s", c->peer, strerror(errno));
		c->dead = true;
	}
	conn_queue(c);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;

	idle_touch(loop, &c->idle);
	conn_settle(c);
}

static void conn_idle_cb(struct ev_loop *loop, struct idle *t)
{
	struct conn *c = t->data;

	if (c->busy) {          /* the policy answers by its deadline */
		idle_start(loop, &c->idle, t->timeout, conn_idle_cb, c);
		return;
	}
	log_debug("%s: idle for %.0f s: closing", c->peer, t->timeout);
	c->dead = true;
	conn_settle(c);
}

void conn_new(struct conn_env *env, int fd)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->env = env;
	c->fd = fd;
	buf_init(&c->in, SERVER_IN_MAX);
	buf_init(&c->out, SERVER_OUT_MAX);
	c->parser = policy_parser_new();
	sock_peer_name(fd, c->peer, sizeof(c->peer));
	ev_io_init(&c->rio, conn_read_cb, fd, EV_READ);
	c->rio.data = c;
	ev_io_init(&c->wio, conn_write_cb, fd, EV_WRITE);
	c->wio.data = c;
	ev_io_start(env->loop, &c->rio);
	idle_start(env->loop, &c->idle,
	    (double)env->cfg->idle_timeout_ms / 1000.0, conn_idle_cb, c);
	c->next = env->head;
	if (env->head)
		env->head->prev = c;
	env->head = c;
	env->nconns++;
	stats_inc(STAT_CONN_ACCEPTED);
	log_debug("%s: connected", c->peer);
}

void conn_env_init(struct conn_env *env)
{
	env->turn = xmalloc(CONN_TURN_BUF);
	env->turnlen = 0;
	env->ready = NULL;
	ev_prepare_init(&env->batch, conn_batch_cb);
	env->batch.data = env;
	ev_prepare_start(env->loop, &env->batch);
}

void conn_env_fini(struct conn_env *env)
{
	ev_prepare_stop(env->loop, &env->batch);
	free(env->turn);
}

void conn_drain(struct conn *c)
{
	conn_settle(c);         /* env->stopping: see conn_settle() */
}

void conn_abort(struct conn *c)
{
	c->dead = true;
	conn_settle(c);
}
