/*
 * fwsrv.c - see fwsrv.h.
 *
 * Each connection has a bounded input buffer (a line can never exceed
 * FWPROTO_LINE_MAX) and a bounded output buffer; reading stops while the
 * output holds more than OUT_HIGH bytes, and so does the handling of lines
 * already read (a peer that does not read its replies stops being served,
 * and nobody else is held up: one "list" at a time per peer).  Once the
 * status peers together hold LIST_BUDGET bytes of listings unread, a new
 * "list" is answered "ERR busy" (so they hold at most that and one
 * listing more): 32 slow readers cannot make the helper hold 32 copies of
 * a large table.  At most
 * MAX_CONNS command connections and MAX_STATUS_CONNS status connections,
 * counted apart, so that status clients never crowd out policyd (root has
 * ROOT_STATUS_EXTRA more status places, which nobody else can take); more
 * are accepted, logged and closed.  When accept() itself fails (no descriptor
 * left), that listener pauses (accept_pause.h).  A peer silent for its
 * socket's idle_timeout (status: 60 s by default; command: never, policyd
 * keeps its connection) is closed.  A peer that
 * is not allowed gets its "ERR not allowed" line, then the socket is shut
 * for writing and whatever it sends is read and discarded until it closes
 * or REFUSED_LINGER seconds pass: closing a unix socket with unread input
 * would reset the peer before it could read the answer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "common/accept_pause.h"
#include "common/buf.h"
#include "common/fwproto.h"
#include "common/log.h"
#include "common/sock.h"
#include "common/xmalloc.h"
#include "firewall-helper/fwconf.h"
#include "firewall-helper/fwcore.h"
#include "firewall-helper/fwprom.h"
#include "firewall-helper/fwsrv.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

#define MAX_CONNS     256
#define MAX_STATUS_CONNS 32
#define ROOT_STATUS_EXTRA 4
#define MAX_REFUSED   16            /* per socket: refused peers lingering */
#define LIST_BUDGET   (64u << 20)
#define PEER_WARN_EVERY 10.0        /* seconds between warnings of a kind */
#define IN_LIMIT      (64u << 10)
#define OUT_LIMIT_CMD (16u << 20)
#define OUT_LIMIT_ST  (64u << 20)
#define OUT_HIGH      (1u << 20)
#define MAX_GROUPS    1024
#define REFUSED_LINGER 2.0

struct lsock {
	int    fd;
	bool   status;
	char  *path;                /* we made the file: unlink at exit */
	ev_io  w;
	struct accept_pause pause;
};

struct conn {
	int    fd;
	bool   status;
	bool   held;                /* a reply waits for the commit */
	size_t ready;               /* leading bytes of out that may be sent:
	                               replies up to the last commit */
	bool   closing;             /* close once the output is written */
	bool   eof;                 /* the peer is done sending */
	bool   paused;              /* reading stopped: output is full */
	bool   refused;             /* not allowed: answer, drain, close */
	ev_io  rw, ww;
	ev_timer tw;                /* refused: give up after REFUSED_LINGER;
	                               else the idle timeout, if any */
	struct buf in, out;
	char   peer[80];
	struct conn *prev, *next;
};

static struct ev_loop *loop;
static const struct fwh_config *cfg;
static struct lsock lsocks[2];
static struct conn *conns;
static int nconns[2];           /* command, status: allowed peers */
static int nrefused[2];         /* ... refused peers, told so, lingering */

static const struct fwh_sockcfg *sockcfg(bool status)
{
	return status ? &cfg->status : &cfg->cmd;
}

static bool id_in(unsigned id, const unsigned *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

/* Is the peer on fd allowed on this socket (SO_PEERCRED and SO_PEERGROUPS
 * against its allow lists)?  desc: "pid=,uid=,gid="; *root: it is uid 0. */
static bool peer_allowed(int fd, bool status, char *desc, size_t size,
    bool *root)
{
	const struct fwh_sockcfg *sc = sockcfg(status);
	gid_t *groups = xcalloc(MAX_GROUPS, sizeof(gid_t));
	socklen_t glen = MAX_GROUPS * sizeof(gid_t);
	size_t ng = 0;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool ok;

	if (sock_peercred(fd, &pid, &uid, &gid) == -1) {
		log_warn("%s socket: SO_PEERCRED", status ? "status" : "command");
		free(groups);
		return false;
	}
	snprintf(desc, size, "pid=%ld,uid=%ld,gid=%ld", (long)pid, (long)uid,
	    (long)gid);
	*root = uid == 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		ng = glen / sizeof(gid_t);
	ok = uid == 0 || uid == geteuid() ||
	    id_in(uid, sc->uids, sc->nuids) || id_in(gid, sc->gids, sc->ngids);
	for (size_t i = 0; !ok && i < ng; i++)
		ok = id_in(groups[i], sc->gids, sc->ngids);
	free(groups);
	return ok;
}

static void conn_close(struct conn *c)
{
	ev_io_stop(loop, &c->rw);
	ev_io_stop(loop, &c->ww);
	ev_timer_stop(loop, &c->tw);
	close(c->fd);
	buf_release(&c->in);
	buf_release(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->refused)
		nrefused[c->status]--;
	else
		nconns[c->status]--;
	free(c);
}

static void kick_writer(struct conn *c)
{
	if (c->ready > 0)
		ev_io_start(loop, &c->ww);
}

static void reply(struct conn *c, const char *s)
{
	size_t n = strlen(s);

	if (buf_append(&c->out, s, n) == -1 || buf_append(&c->out, "\n", 1) == -1) {
		log_warnx("peer %s: output limit reached, closing", c->peer);
		c->closing = true;
	}
	/* Behind a held reply, a reply waits too (order); a held reply is
	 * released by committed(), not by the next write. */
	if (!c->held)
		c->ready = buf_used(&c->out);
}

static void status_line(struct conn *c, char *line, size_t len)
{
	char r[80];             /* the longest: "ERR busy: ..." with 20 digits */
	long n;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (strcmp(line, "status") == 0) {
		fwcore_status(&c->out);
		reply(c, "OK");
	} else if (strcmp(line, "stats") == 0) {
		fwcore_stats(&c->out);
		reply(c, "OK");
	} else if (strcmp(line, "stats prometheus") == 0) {
		if (fwprom_stats(&c->out) == -1)
			reply(c, "ERR stats truncated: output limit");
		else
			reply(c, "OK");
	} else if (strcmp(line, "list") == 0) {
		size_t unread = 0;

		for (const struct conn *k = conns; k != NULL; k = k->next)
			if (k->status)
				unread += buf_used(&k->out);
		if (unread > LIST_BUDGET) {
			snprintf(r, sizeof(r), "ERR busy: %zu MiB of listings not "
			    "read yet, try later", unread >> 20);
			reply(c, r);
			return;
		}
		n = fwcore_list(&c->out);
		if (n < 0)
			reply(c, "ERR list truncated: output limit");
		else {
			snprintf(r, sizeof(r), "OK %ld entries", n);
			reply(c, r);
		}
	} else {
		fwcore_count_malformed();
		reply(c, "ERR unknown command (status, stats, stats prometheus, list)");
	}
}

static void command_line(struct conn *c, const char *line, size_t len)
{
	struct fwproto_cmd cmd;
	const char *err;
	char r[FWPROTO_LINE_MAX + 64], esc[160];

	if (fwproto_parse(line, len, &cmd, &err) == -1) {
		fwcore_count_malformed();
		log_warnx("peer %s: malformed command: %s: \"%s\"", c->peer, err,
		    log_esc(esc, sizeof(esc), line, len));
		snprintf(r, sizeof(r), "ERR %s", err);
		reply(c, r);
		return;
	}
	if (fwcore_command(&cmd, c->peer, r, sizeof(r)))
		c->held = true;
	reply(c, r);
}

static void process(struct conn *c)
{
	char *head, *nl;
	size_t used;

	if (c->refused) {
		/* Discard what it sent: closing a unix socket with unread data
		 * resets the peer, which would lose our ERR line. */
		buf_consume(&c->in, buf_used(&c->in));
		if (c->closing || c->eof)
			conn_close(c);
		return;
	}
	while (!c->closing && (used = buf_used(&c->in)) > 0) {
		if (buf_used(&c->out) > OUT_HIGH)
			break;          /* the rest when the peer has read */
		head = buf_head(&c->in);
		nl = memchr(head, '\n', used < FWPROTO_LINE_MAX ? used : FWPROTO_LINE_MAX);
		if (nl == NULL) {
			if (used >= FWPROTO_LINE_MAX) {
				fwcore_count_malformed();
				log_warnx("peer %s: line too long, closing", c->peer);
				reply(c, "ERR line too long");
				c->closing = true;
			}
			break;
		}
		*nl = '\0';
		if (c->status)
			status_line(c, head, (size_t)(nl - head));
		else
			command_line(c, head, (size_t)(nl - head));
		buf_consume(&c->in, (size_t)(nl - head) + 1);
	}
	/* Lines that came with the EOF were answered above; now close (once
	 * those still waiting for the output to drain are done too). */
	if (c->eof && buf_used(&c->out) <= OUT_HIGH)
		c->closing = true;
	if (buf_used(&c->out) > OUT_HIGH && !c->paused) {
		ev_io_stop(loop, &c->rw);
		c->paused = true;
	}
	if (c->closing)
		ev_io_stop(loop, &c->rw);
	kick_writer(c);
	if (c->closing && !c->held && buf_used(&c->out) == 0)
		conn_close(c);
}

/* The peer did something: the idle timeout starts again. */
static void active(struct conn *c)
{
	if (!c->refused && c->tw.repeat > 0.)
		ev_timer_again(loop, &c->tw);
}

static void read_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct conn *c = w->data;
	ssize_t r;

	active(c);
	for (int i = 0; i < 16; i++) {
		r = buf_read_fd(&c->in, c->fd);
		if (r > 0)
			continue;
		if (r == 0)
			c->eof = true;
		else if (errno != EAGAIN && errno != EINTR && errno != ENOBUFS) {
			log_debug("peer %s: read: %s", c->peer, strerror(errno));
			c->closing = true;
			c->held = false;
			buf_consume(&c->out, buf_used(&c->out));
			c->ready = 0;
		}
		break;
	}
	process(c);
}

static void write_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct conn *c = w->data;
	ssize_t r = c->ready > 0 ? write(c->fd, buf_head(&c->out), c->ready) : 0;

	if (r < 0 && errno != EAGAIN && errno != EINTR) {
		log_debug("peer %s: write: %s", c->peer, strerror(errno));
		conn_close(c);
		return;
	}
	if (r > 0) {
		buf_consume(&c->out, (size_t)r);
		c->ready -= (size_t)r;
		active(c);
	}
	if (c->ready > 0)
		return;
	ev_io_stop(loop, &c->ww);
	if (buf_used(&c->out) > 0)
		return;                 /* replies held until the next commit */
	if (c->refused) {
		shutdown(c->fd, SHUT_WR);       /* the peer sees EOF; we drain */
		return;
	}
	if (c->closing) {
		conn_close(c);
		return;
	}
	if (c->paused) {
		c->paused = false;
		ev_io_start(loop, &c->rw);
		process(c);             /* lines that were waiting in the input */
	}
}

/* After each commit: held replies may go. */
static void committed(void)
{
	struct conn *c, *next;

	for (c = conns; c; c = next) {
		next = c->next;
		if (!c->held)
			continue;
		c->held = false;
		c->ready = buf_used(&c->out);
		if (c->ready > 0)
			ev_io_start(loop, &c->ww);
		else if (c->closing)
			conn_close(c);
	}
}

static void linger_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	struct conn *c = w->data;

	if (!c->refused)
		log_debug("peer %s: idle, closed", c->peer);
	conn_close(c);
}

/*
 * A warning any peer can cause at will: at most one of each kind and
 * socket (status: 0 or 1) every PEER_WARN_EVERY seconds, with the number
 * left unsaid since.
 */
enum peer_warn { WARN_REFUSED, WARN_FULL };

static void warn_peer(enum peer_warn what, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn_peer(enum peer_warn what, int status, const char *fmt, ...)
{
	static ev_tstamp last[2][2] = { { -1e9, -1e9 }, { -1e9, -1e9 } };
	static unsigned long unsaid[2][2];
	ev_tstamp *l = &last[what][status];
	unsigned long *u = &unsaid[what][status];
	char line[256];
	va_list ap;

	if (ev_now(loop) - *l < PEER_WARN_EVERY) {
		(*u)++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (*u > 0)
		log_warnx("%s (and %lu more like it since the last)", line, *u);
	else
		log_warnx("%s", line);
	*l = ev_now(loop);
	*u = 0;
}

/*
 * Allowed peers and refused ones are counted apart: refused peers linger a
 * little (their "ERR not allowed" read before the close), at most
 * MAX_REFUSED at once, and never take the places of allowed ones, so that
 * a stranger reconnecting in a loop cannot lock policyd or root out.
 */
static void accept_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct lsock *ls = w->data;
	const char *name = ls->status ? "status" : "command";
	char desc[64];
	struct conn *c;
	int fd, st = ls->status;

	while ((fd = accept4(ls->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		bool root = false;
		bool allowed = peer_allowed(fd, ls->status, desc, sizeof(desc),
		    &root);

		if (!allowed) {
			fwcore_count_peer_refused();
			warn_peer(WARN_REFUSED, st, "%s socket: peer %s not "
			    "allowed, dropped", name, desc);
			if (nrefused[st] >= MAX_REFUSED) {
				close(fd);
				continue;
			}
		} else if (nconns[st] >= (!ls->status ? MAX_CONNS :
		    MAX_STATUS_CONNS + (root ? ROOT_STATUS_EXTRA : 0))) {
			warn_peer(WARN_FULL, st, "%s socket: %d connections, "
			    "peer %s dropped", name, nconns[st], desc);
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->refused = !allowed;
		c->fd = fd;
		c->status = ls->status;
		snprintf(c->peer, sizeof(c->peer), "%s:%s", name, desc);
		buf_init(&c->in, IN_LIMIT);
		buf_init(&c->out, ls->status ? OUT_LIMIT_ST : OUT_LIMIT_CMD);
		ev_io_init(&c->rw, read_cb, fd, EV_READ);
		ev_io_init(&c->ww, write_cb, fd, EV_WRITE);
		ev_timer_init(&c->tw, linger_cb, REFUSED_LINGER, 0);
		c->rw.data = c->ww.data = c->tw.data = c;
		ev_io_start(loop, &c->rw);
		if (c->refused) {
			reply(c, FWPROTO_NOT_ALLOWED);
			ev_io_start(loop, &c->ww);
			ev_timer_start(loop, &c->tw);
		} else if (sockcfg(ls->status)->idle_ms > 0) {
			c->tw.repeat = (double)sockcfg(ls->status)->idle_ms / 1000.;
			ev_timer_again(loop, &c->tw);
		}
		c->next = conns;
		if (conns)
			conns->prev = c;
		conns = c;
		if (c->refused)
			nrefused[st]++;
		else
			nconns[st]++;
		log_debug("%s socket: peer %s connected", name, desc);
	}
	accept_pause(loop, &ls->pause, ls->status ? "status socket" :
	    "command socket");
}

int fwsrv_open(const struct fwh_config *c, uid_t sock_uid)
{
	int nsd = sock_systemd_fds();

	cfg = c;
	for (int i = 0; i < 2; i++) {
		const struct fwh_sockcfg *sc = sockcfg(i == 1);
		struct sock_opts o = { sc->mode, sock_uid, sc->gid, 0 };
		char *spec;

		lsocks[i].status = i == 1;
		if (i < nsd) {
			lsocks[i].fd = 3 + i;
			sock_set_nonblock(lsocks[i].fd);
			continue;
		}
		spec = xasprintf("unix:%s", sc->path);
		lsocks[i].fd = sock_listen_spec(spec, &o);
		free(spec);
		if (lsocks[i].fd == -1)
			return -1;
		lsocks[i].path = xstrdup(sc->path);
	}
	return 0;
}

void fwsrv_start(struct ev_loop *l)
{
	loop = l;
	fwcore_on_commit(committed);
	for (int i = 0; i < 2; i++) {
		ev_io_init(&lsocks[i].w, accept_cb, lsocks[i].fd, EV_READ);
		lsocks[i].w.data = &lsocks[i];
		ev_io_start(loop, &lsocks[i].w);
		accept_pause_init_io(&lsocks[i].pause, &lsocks[i].w);
	}
}

void fwsrv_reload(const struct fwh_config *c)
{
	if (strcmp(c->cmd.path, cfg->cmd.path) != 0 ||
	    strcmp(c->status.path, cfg->status.path) != 0 ||
	    c->cmd.mode != cfg->cmd.mode || c->status.mode != cfg->status.mode ||
	    c->cmd.gid != cfg->cmd.gid || c->status.gid != cfg->status.gid)
		log_warnx("reload: socket paths, modes and groups take effect at restart");
	cfg = c;
	/* The allow lists hold for open connections too: a peer the new ones
	 * leave out is told so and closed, with nothing more done for it
	 * (an operator revoking an account means it at once). */
	for (struct conn *k = conns, *next; k != NULL; k = next) {
		char desc[64];
		bool root;

		next = k->next;
		if (k->refused || k->closing ||
		    peer_allowed(k->fd, k->status, desc, sizeof(desc), &root))
			continue;
		log_warnx("%s socket: peer %s no longer allowed after the "
		    "reload: closing", k->status ? "status" : "command", desc);
		buf_consume(&k->in, buf_used(&k->in));
		reply(k, FWPROTO_NOT_ALLOWED);
		k->closing = true;
		/* closed once its replies are out, or REFUSED_LINGER on
		 * whatever it does (a peer that reads nothing) */
		ev_timer_stop(loop, &k->tw);
		ev_timer_set(&k->tw, REFUSED_LINGER, 0.);
		ev_timer_start(loop, &k->tw);
		process(k);
	}
}

void fwsrv_stop(void)
{
	while (conns) {
		/* last chance for replies already in the buffers */
		(void)buf_write_fd(&conns->out, conns->fd);
		conn_close(conns);
	}
	for (int i = 0; i < 2; i++) {
		if (lsocks[i].fd <= 0)
			continue;
		ev_io_stop(loop, &lsocks[i].w);
		accept_pause_stop(loop, &lsocks[i].pause);
		close(lsocks[i].fd);
		if (lsocks[i].path)
			unlink(lsocks[i].path);
		free(lsocks[i].path);
		lsocks[i].path = NULL;
		lsocks[i].fd = -1;
	}
}
