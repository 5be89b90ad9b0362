/*
 * statsock.c - the status socket and the summary timer (see statsock.h).
 *
 * One listener; each client gets a struct statcli with one ev_io (read,
 * then write) and one ev_timer for its deadline.  The request line is
 * read into a small bounded buffer, the answer built into a bounded
 * output buffer and written as the socket allows.  When accept() fails
 * for want of descriptors or memory, the listener pauses (accept_pause.h).
 */
#include <errno.h>
#include <ev.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/accept_pause.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/sock.h"
#include "common/xmalloc.h"
#include "policyd/stats.h"
#include "policyd/statsock.h"

struct statcli {
	ev_io            io;
	ev_timer         timer;
	struct statsock *s;
	struct statcli  *next;
	struct buf       in, out;
};

struct statsock {
	struct ev_loop *loop;
	ev_io           listen;         /* fd -1: no socket */
	struct accept_pause pause;
	ev_timer        summary;
	char           *path;
	long long       interval_ms;
	struct statcli *clients;
	unsigned        nclients;
};

static void cli_close(struct statcli *c)
{
	struct statsock *s = c->s;

	for (struct statcli **p = &s->clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	s->nclients--;
	ev_io_stop(s->loop, &c->io);
	ev_timer_stop(s->loop, &c->timer);
	close(c->io.fd);
	buf_release(&c->in);
	buf_release(&c->out);
	free(c);
}

static void cli_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	cli_close(w->data);
}

static void cli_answer(struct statcli *c, const char *line)
{
	int rc = 0;

	if (strcmp(line, "stats") == 0)
		rc = stats_format(&c->out, STATS_PLAIN, time(NULL));
	else if (strcmp(line, "stats prometheus") == 0)
		rc = stats_format(&c->out, STATS_PROMETHEUS, time(NULL));
	else {
		static const char err[] = "ERR unknown command "
		    "(stats, stats prometheus)\n";
		rc = buf_append(&c->out, err, sizeof(err) - 1);
	}
	if (rc < 0)
		log_warnx("status socket: answer cut at %d bytes",
		    STATSOCK_OUT_MAX);
}

static void cli_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct statcli *c = (struct statcli *)w;
	char *lf, line[STATSOCK_LINE_MAX + 1];
	size_t len;
	ssize_t n;

	if (w->events & EV_WRITE) {
		n = buf_write_fd(&c->out, w->fd);
		if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
		    buf_used(&c->out) == 0)
			cli_close(c);
		return;
	}
	n = buf_read_fd(&c->in, w->fd);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	lf = memchr(buf_head(&c->in), '\n', buf_used(&c->in));
	if (lf == NULL && n > 0 && buf_used(&c->in) < STATSOCK_LINE_MAX)
		return;                         /* more to come */
	if (lf == NULL && n > 0) {
		static const char err[] = "ERR line too long\n";
		(void)buf_append(&c->out, err, sizeof(err) - 1);
	} else if (lf == NULL && buf_used(&c->in) == 0) {
		cli_close(c);                   /* EOF or error, nothing asked */
		return;
	} else {
		/* a line, or a last line without LF before EOF */
		len = lf ? (size_t)(lf - buf_head(&c->in)) : buf_used(&c->in);
		memcpy(line, buf_head(&c->in), len);
		line[len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		cli_answer(c, line);
	}
	ev_io_stop(loop, w);
	ev_io_set(w, w->fd, EV_WRITE);
	ev_io_start(loop, w);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct statsock *s = w->data;
	struct statcli *c;
	int fd;

	while ((fd = accept4(w->fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (s->nclients >= STATSOCK_CLIENTS) {
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->s = s;
		buf_init(&c->in, STATSOCK_LINE_MAX);
		buf_init(&c->out, STATSOCK_OUT_MAX);
		ev_io_init(&c->io, cli_io_cb, fd, EV_READ);
		ev_timer_init(&c->timer, cli_timeout_cb, STATSOCK_TIMEOUT, 0.);
		c->timer.data = c;
		ev_io_start(loop, &c->io);
		ev_timer_start(loop, &c->timer);
		c->next = s->clients;
		s->clients = c;
		s->nclients++;
	}
	accept_pause(loop, &s->pause, "status socket");
}

static void summary_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	char line[LOG_LINE_MAX];

	stats_summary(line, sizeof(line));
	log_info("%s", line);
}

static void listen_open(struct statsock *s)
{
	struct sock_opts o = { 0660, (uid_t)-1, (gid_t)-1, 0 };
	char *spec;
	int fd;

	if (s->path == NULL)
		return;
	spec = xasprintf("unix:%s", s->path);
	fd = sock_listen_spec(spec, &o);            /* logs its errors */
	free(spec);
	if (fd < 0) {
		log_warnx("status socket %s not available: running without it",
		    s->path);
		return;
	}
	ev_io_set(&s->listen, fd, EV_READ);
	ev_io_start(s->loop, &s->listen);
	log_info("status socket on %s", s->path);
}

static void listen_close(struct statsock *s)
{
	accept_pause_stop(s->loop, &s->pause);
	if (s->listen.fd < 0)
		return;
	ev_io_stop(s->loop, &s->listen);
	close(s->listen.fd);
	unlink(s->path);
	ev_io_set(&s->listen, -1, EV_READ);
}

static void summary_set(struct statsock *s, long long interval_ms)
{
	ev_timer_stop(s->loop, &s->summary);
	s->interval_ms = interval_ms;
	if (interval_ms > 0) {
		ev_timer_set(&s->summary, (double)interval_ms / 1000.,
		    (double)interval_ms / 1000.);
		ev_timer_start(s->loop, &s->summary);
	}
}

struct statsock *statsock_new(struct ev_loop *loop, const char *path,
    long long interval_ms)
{
	struct statsock *s = xcalloc(1, sizeof(*s));

	s->loop = loop;
	s->path = path ? xstrdup(path) : NULL;
	ev_io_init(&s->listen, accept_cb, -1, EV_READ);
	s->listen.data = s;
	accept_pause_init_io(&s->pause, &s->listen);
	ev_init(&s->summary, summary_cb);
	s->summary.data = s;
	stats_start(time(NULL));
	listen_open(s);
	summary_set(s, interval_ms);
	return s;
}

void statsock_update(struct statsock *s, const char *path,
    long long interval_ms)
{
	bool same;

	if (s == NULL)
		return;
	same = (path == NULL && s->path == NULL) ||
	    (path != NULL && s->path != NULL && strcmp(path, s->path) == 0);
	if (!same || (path != NULL && s->listen.fd < 0)) {
		listen_close(s);
		free(s->path);
		s->path = path ? xstrdup(path) : NULL;
		listen_open(s);
	}
	if (interval_ms != s->interval_ms)
		summary_set(s, interval_ms);
}

void statsock_free(struct statsock *s)
{
	if (s == NULL)
		return;
	while (s->clients != NULL)
		cli_close(s->clients);
	listen_close(s);
	ev_timer_stop(s->loop, &s->summary);
	free(s->path);
	free(s);
}
