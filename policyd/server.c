/*
 * server.c - listeners, accepting, signals, reload and drain (see
 * server.h); each connection is conn.c's.
 *
 * Accepting: up to ACCEPT_BATCH connections per readiness event.  When
 * accept() fails for lack of descriptors or memory (EMFILE, ENFILE,
 * ENOBUFS, ENOMEM) every listener is paused for ACCEPT_PAUSE seconds
 * instead of spinning on a socket that stays readable; that is logged once
 * per minute at most.  Past max_connections a new connection is closed at
 * once (Postfix then uses its default action).
 */
#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/accept_pause.h"
#include "common/log.h"
#include "common/sock.h"
#include "common/xmalloc.h"
#include "policyd/config.h"
#include "policyd/conn.h"
#include "policyd/server.h"
#include "policyd/stats.h"

#define ACCEPT_BATCH   64
#define DRAIN_GRACE    2.0             /* seconds past the deadline */

struct listener {
	ev_io            io;
	struct server   *srv;
	struct listener *next;
	char            *name;          /* spec, or "systemd fd N" */
	char            *unlink_path;   /* unix socket we created */
};

struct server {
	struct conn_env  env;           /* first: conn.c's view */
	struct listener *listeners;
	ev_signal        sighup, sigterm, sigint;
	struct accept_pause pause;      /* of every listener at once */
	ev_timer         drain_timer;
	ev_tstamp        overload_logged;
};

static void server_closed(struct conn_env *env)
{
	struct server *srv = (struct server *)env;

	if (env->stopping && env->nconns == 0)
		ev_break(env->loop, EVBREAK_ALL);
	(void)srv;
}

static void listeners_set(struct server *srv, bool on)
{
	for (struct listener *l = srv->listeners; l; l = l->next) {
		if (on)
			ev_io_start(srv->env.loop, &l->io);
		else
			ev_io_stop(srv->env.loop, &l->io);
	}
}

/* accept_pause_fn: every listener, and none resumes while stopping. */
static void pause_set(struct ev_loop *loop, void *arg, bool on)
{
	struct server *srv = arg;

	if (!on || !srv->env.stopping)
		listeners_set(srv, on);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct listener *l = (struct listener *)w;
	struct server *srv = l->srv;

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			accept_pause(loop, &srv->pause, l->name);
			return;
		}
		if (srv->env.nconns >= (unsigned long long)
		    srv->env.cfg->max_connections) {
			if (ev_now(loop) - srv->overload_logged >= 60.) {
				log_warnx("%s: %u connections open "
				    "(max_connections): refusing new ones",
				    l->name, srv->env.nconns);
				srv->overload_logged = ev_now(loop);
			}
			stats_inc(STAT_CONN_REFUSED);
			close(fd);
			continue;
		}
		conn_new(&srv->env, fd);
	}
}

static void listener_add(struct server *srv, int fd, const char *name,
    const char *unlink_path)
{
	struct listener *l = xcalloc(1, sizeof(*l));

	l->srv = srv;
	l->name = xstrdup(name);
	l->unlink_path = unlink_path ? xstrdup(unlink_path) : NULL;
	ev_io_init(&l->io, accept_cb, fd, EV_READ);
	l->next = srv->listeners;
	srv->listeners = l;
	ev_io_start(srv->env.loop, &l->io);
}

int server_listen(struct server *srv)
{
	const struct config *cfg = srv->env.cfg;
	int n = sock_systemd_fds();

	if (n > 0) {
		for (int i = 0; i < n; i++) {
			char name[32];

			snprintf(name, sizeof(name), "systemd fd %d", 3 + i);
			listener_add(srv, 3 + i, name, NULL);
		}
		log_info("listening on %d socket(s) from systemd", n);
		return 0;
	}
	for (size_t i = 0; i < cfg->nlisten; i++) {
		const struct listen_config *lc = &cfg->listen[i];
		struct sock_opts o = { lc->mode, lc->uid, lc->gid, 0 };
		int fd = sock_listen_spec(lc->spec, &o);

		if (fd < 0)
			return -1;      /* logged with the spec */
		listener_add(srv, fd, lc->spec, strncmp(lc->spec, "unix:", 5)
		    == 0 ? lc->spec + 5 : NULL);
		log_info("listening on %s", lc->spec);
	}
	return 0;
}

static bool listen_same(const struct config *a, const struct config *b)
{
	if (a->nlisten != b->nlisten)
		return false;
	for (size_t i = 0; i < a->nlisten; i++) {
		const struct listen_config *x = &a->listen[i], *y = &b->listen[i];

		if (strcmp(x->spec, y->spec) != 0 || x->mode != y->mode ||
		    x->uid != y->uid || x->gid != y->gid)
			return false;
	}
	return true;
}

static void sighup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct server *srv = w->data;
	struct config_errs errs = { NULL, 0 };
	struct config *cfg;

	cfg = config_load(srv->env.cfg->file, &errs);
	if (cfg == NULL) {
		config_errs_log(&errs);
		log_warnx("%s: %zu error(s): keeping the running configuration",
		    srv->env.cfg->file, errs.n);
		config_errs_free(&errs);
		return;
	}
	if (!listen_same(srv->env.cfg, cfg))
		log_warnx("%s: listen: changes take effect at the next start",
		    cfg->file);
	config_unref(srv->env.cfg);
	srv->env.cfg = cfg;
	if (srv->env.ops->reloaded)
		srv->env.ops->reloaded(loop, cfg);
	log_info("%s: configuration reloaded", cfg->file);
}

static void drain_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct server *srv = w->data;

	log_warnx("stopping: %u connection(s) still busy: closing them",
	    srv->env.nconns);
	while (srv->env.head != NULL)
		conn_abort(srv->env.head);
	ev_break(loop, EVBREAK_ALL);
}

void server_stop(struct server *srv)
{
	struct ev_loop *loop = srv->env.loop;
	struct conn *c, *next;

	if (srv->env.stopping)
		return;
	srv->env.stopping = true;
	sd_notify("STOPPING=1");
	log_info("stopping: answering %u connection(s) in flight",
	    srv->env.nconns);
	listeners_set(srv, false);
	accept_pause_stop(loop, &srv->pause);
	for (c = srv->env.head; c != NULL; c = next) {
		next = conn_next(c);
		conn_drain(c);
	}
	if (srv->env.nconns == 0) {
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	ev_timer_set(&srv->drain_timer,
	    (double)srv->env.cfg->deadline_ms / 1000.0 + DRAIN_GRACE, 0.);
	ev_timer_start(loop, &srv->drain_timer);
}

static void sigterm_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	server_stop(w->data);
}

struct server *server_new(struct ev_loop *loop, struct config *cfg,
    const struct server_ops *ops)
{
	struct server *srv = xcalloc(1, sizeof(*srv));

	srv->env.loop = loop;
	srv->env.cfg = cfg;
	srv->env.ops = ops;
	srv->env.closed = server_closed;
	srv->overload_logged = -1e9;
	signal(SIGPIPE, SIG_IGN);
	ev_signal_init(&srv->sighup, sighup_cb, SIGHUP);
	ev_signal_init(&srv->sigterm, sigterm_cb, SIGTERM);
	ev_signal_init(&srv->sigint, sigterm_cb, SIGINT);
	srv->sighup.data = srv->sigterm.data = srv->sigint.data = srv;
	ev_signal_start(loop, &srv->sighup);
	ev_signal_start(loop, &srv->sigterm);
	ev_signal_start(loop, &srv->sigint);
	accept_pause_init(&srv->pause, pause_set, srv);
	ev_init(&srv->drain_timer, drain_timer_cb);
	srv->drain_timer.data = srv;
	conn_env_init(&srv->env);
	return srv;
}

int server_run(struct server *srv)
{
	sd_notify("READY=1");
	ev_run(srv->env.loop, 0);
	return 0;
}

void server_free(struct server *srv)
{
	struct ev_loop *loop;

	if (srv == NULL)
		return;
	loop = srv->env.loop;
	while (srv->env.head != NULL)
		conn_abort(srv->env.head);
	while (srv->listeners != NULL) {
		struct listener *l = srv->listeners;

		srv->listeners = l->next;
		ev_io_stop(loop, &l->io);
		close(l->io.fd);
		if (l->unlink_path)
			unlink(l->unlink_path);
		free(l->unlink_path);
		free(l->name);
		free(l);
	}
	ev_signal_stop(loop, &srv->sighup);
	ev_signal_stop(loop, &srv->sigterm);
	ev_signal_stop(loop, &srv->sigint);
	accept_pause_stop(loop, &srv->pause);
	ev_timer_stop(loop, &srv->drain_timer);
	conn_env_fini(&srv->env);
	config_unref(srv->env.cfg);
	free(srv);
}

const struct config *server_config(const struct server *srv)
{
	return srv->env.cfg;
}

unsigned server_nconns(const struct server *srv)
{
	return srv->env.nconns;
}
