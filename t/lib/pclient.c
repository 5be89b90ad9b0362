/*
 * pclient.c - policy protocol load and test client (tests, `make bench`).
 *
 *   pclient [-s SPEC] [-c CONNS] [-n REQS] [-p DEPTH] [-f FILE] [-a N=V]...
 *           [-m RCPTS:NEWPCT] [-e ACTION] [-d MS] [-t SECONDS]
 *       CONNS connections (default 1) each send REQS requests (default
 *       1000), DEPTH at a time (pipelined when > 1), then print one line:
 *       conns= requests= ok= errors= seconds= rps= p50_us= p99_us= max_us=
 *       An error is a reply that is not action=..., one other than -e, or
 *       a request left unanswered when the server closed or -t passed.
 *       Exit 0 when there was no error, 1 otherwise.
 *   pclient -r [-k | -R] [-s SPEC] [-t SECONDS]
 *       raw: send stdin on one connection, shut the write side (not with
 *       -k), print every byte received until the server closes (exit 0) or
 *       -t passes (exit 3).  -R: reset the connection (RST) right after
 *       sending instead, and exit 0.
 *   pclient -i [-c CONNS] [-s SPEC] [-t SECONDS]
 *       idle: open CONNS connections, one request each, print "idle N",
 *       hold them until SIGTERM or -t, exit 0 (2 when a connection got
 *       no answer within -t).
 *   pclient -P      print a free TCP port on 127.0.0.1.
 *
 * SPEC is inet:IP:PORT, inet:[IPv6]:PORT or unix:PATH.  Requests carry the
 * attributes Postfix 3.8 sends; client_address and client_name rotate
 * through FILE (any field that parses as an IP is the address, the first
 * other field the name; other lines skipped, e.g. the corpus TSV) or are
 * generated (10.x.y.z, host-N.example.net).  -a adds or overrides nothing:
 * it appends one more attribute line.  Without -m each request takes the
 * next client of that rotation.  -m RCPTS:NEWPCT is Postfix's mix: a
 * connection asks about one client RCPTS times in a row (one message, one
 * request per recipient) before the next client, and NEWPCT of 100 clients
 * are new ones, never asked about before in this run (10.128.0.0/9,
 * new-N.example.net), the others from the rotation.
 */
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/num.h"
#include "common/sock.h"
#include "common/xmalloc.h"

struct pconn {
	int     fd;
	ev_io   rio, wio;
	ev_timer delay;
	long    sent, answered;
	double *t_sent;                 /* ring of DEPTH send times */
	char   *out;                    /* pending bytes to write */
	size_t  outlen, outoff, outcap;
	char   *in;                     /* unparsed reply bytes */
	size_t  inlen, incap;
	bool    done;
	const char *cur;                /* -m: the current client's request */
	size_t  curlen;
	long    left;                   /* -m: requests left for it */
	char   *own;                    /* -m: a new client's request, or NULL */
};

static const char *o_spec = "inet:127.0.0.1:10040", *o_expect;
static long o_conns = 1, o_reqs = 1000, o_depth = 1, o_delay_ms;
static long o_rcpts, o_newpct;          /* -m RCPTS:NEWPCT; 0: no -m */
static double o_timeout = 60;
static char **pool;                     /* prebuilt requests */
static size_t npool, *poollen;
static char *extra;                     /* -a lines */
static double *lat;                     /* one per answered request */
static long nlat, nok, nerr, ndone;
static struct ev_loop *loop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_spec(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		if (strlen(spec + 5) >= sizeof(sun->sun_path))
			return -1;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, spec + 5);
		sl = sizeof(*sun);
	} else if (strncmp(spec, "inet:", 5) == 0) {
		const char *h = spec + 5, *c = strrchr(h, ':'), *e;
		struct addr a;
		long long port;
		size_t hl = c ? (size_t)(c - h) : 0;

		if (hl > 1 && h[0] == '[' && h[hl - 1] == ']')
			h++, hl -= 2;
		if (c == NULL || addr_parse_n(&a, h, hl) < 0 ||
		    num_parse(c + 1, 1, 65535, &port, &e) < 0)
			return -1;
		if (a.family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, a.a, 4);
			sin->sin_port = htons((unsigned short)port);
			sl = sizeof(*sin);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, a.a, 16);
			s6->sin6_port = htons((unsigned short)port);
			sl = sizeof(*s6);
		}
	} else {
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static char *request_new(const char *ip, const char *name)
{
	return xasprintf("request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "protocol_name=ESMTP\nhelo_name=%s\nqueue_id=\n"
	    "sender=bench@example.org\nrecipient=user@example.net\n"
	    "recipient_count=0\nclient_address=%s\nclient_name=%s\n"
	    "reverse_client_name=%s\ninstance=1a2b.5f3c9d1e.0\nsasl_method=\n"
	    "sasl_username=\nsasl_sender=\nsize=0\nccert_subject=\n"
	    "ccert_issuer=\nccert_fingerprint=\nccert_pubkey_fingerprint=\n"
	    "encryption_protocol=\nencryption_cipher=\nencryption_keysize=0\n"
	    "etrn_domain=\nstress=\nclient_port=54321\npolicy_context=\n"
	    "server_address=127.0.0.1\nserver_port=25\n"
	    "compatibility_level=3.6\nmail_version=3.7.11\n%s\n",
	    name, ip, name, name, extra ? extra : "");
}

static void pool_add(const char *ip, const char *name)
{
	char *r = request_new(ip, name);

	pool = xreallocarray(pool, npool + 1, sizeof(*pool));
	poollen = xreallocarray(poollen, npool + 1, sizeof(*poollen));
	pool[npool] = r;
	poollen[npool++] = strlen(r);
}

static void pool_load(const char *file)
{
	char line[4096];
	FILE *fp;

	if (file == NULL) {
		for (int i = 0; i < 1024; i++) {
			char ip[32], name[64];

			snprintf(ip, sizeof(ip), "10.%d.%d.%d", (i >> 16) & 255,
			    (i >> 8) & 255, i & 255);
			snprintf(name, sizeof(name), "host-%d.example.net", i);
			pool_add(ip, name);
		}
		return;
	}
	if ((fp = fopen(file, "r")) == NULL) {
		perror(file);
		exit(2);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *ip = NULL, *name = NULL, *f, *save = NULL;
		struct addr a;

		for (f = strtok_r(line, " \t\r\n", &save); f != NULL;
		    f = strtok_r(NULL, " \t\r\n", &save)) {
			if (ip == NULL && addr_parse(&a, f) == 0)
				ip = f;
			else if (name == NULL)
				name = f;
		}
		if (ip != NULL)
			pool_add(ip, name ? name : "unknown");
	}
	fclose(fp);
	if (npool == 0) {
		fprintf(stderr, "%s: no line with an IP address\n", file);
		exit(2);
	}
}

static void pc_flush(struct pconn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t w = write(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff);

		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			c->outoff = c->outlen = 0;
			return;
		}
		c->outoff += (size_t)w;
	}
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
		ev_io_stop(loop, &c->wio);
	} else {
		ev_io_start(loop, &c->wio);
	}
}

static unsigned long next;              /* the rotation through the pool */

/* -m: the next client of c, asked about o_rcpts times. */
static void pc_next_client(struct pconn *c)
{
	static unsigned long clients, fresh;
	char ip[32], name[64];
	size_t k;

	free(c->own);
	c->own = NULL;
	if (clients++ * (unsigned long)o_newpct % 100 < (unsigned long)o_newpct) {
		snprintf(ip, sizeof(ip), "10.%lu.%lu.%lu", 128 + fresh / 65536 % 128,
		    fresh / 256 % 256, fresh % 256);
		snprintf(name, sizeof(name), "new-%lu.example.net", fresh++);
		c->cur = c->own = request_new(ip, name);
		c->curlen = strlen(c->own);
	} else {
		k = next++ % npool;
		c->cur = pool[k];
		c->curlen = poollen[k];
	}
	c->left = o_rcpts;
}

static void pc_fill(struct pconn *c)
{
	double t = now();

	while (c->sent < o_reqs && c->sent - c->answered < o_depth) {
		const char *r;
		size_t n;

		if (o_rcpts == 0) {
			size_t k = next++ % npool;

			r = pool[k];
			n = poollen[k];
		} else {
			if (c->left == 0)
				pc_next_client(c);
			c->left--;
			r = c->cur;
			n = c->curlen;
		}
		if (c->outlen + n > c->outcap) {
			c->outcap = (c->outlen + n) * 2;
			c->out = xreallocarray(c->out, c->outcap, 1);
		}
		memcpy(c->out + c->outlen, r, n);
		c->outlen += n;
		c->t_sent[c->sent % o_depth] = t;
		c->sent++;
	}
	pc_flush(c);
}

static void pc_finish(struct pconn *c)
{
	if (c->done)
		return;
	c->done = true;
	free(c->own);
	c->own = NULL;
	nerr += o_reqs - c->answered;   /* never answered */
	ev_io_stop(loop, &c->rio);
	ev_io_stop(loop, &c->wio);
	ev_timer_stop(loop, &c->delay);
	close(c->fd);
	if (++ndone == o_conns)
		ev_break(loop, EVBREAK_ALL);
}

static void pc_delay_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	pc_fill(w->data);
}

static void pc_read_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct pconn *c = w->data;
	char *p, *end;
	ssize_t r;

	if (c->incap - c->inlen < 4096) {
		c->incap = c->incap * 2 + 4096;
		c->in = xreallocarray(c->in, c->incap, 1);
	}
	r = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
	if (r <= 0) {
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		pc_finish(c);
		return;
	}
	c->inlen += (size_t)r;
	p = c->in;
	while ((end = memmem(p, c->inlen - (size_t)(p - c->in), "\n\n", 2))) {
		double t = now();
		size_t alen = (size_t)(end - p);

		if (alen < 7 || memcmp(p, "action=", 7) != 0 ||
		    (o_expect && (strlen(o_expect) != alen - 7 ||
		    memcmp(p + 7, o_expect, alen - 7) != 0)))
			nerr++;
		else
			nok++;
		lat[nlat++] = t - c->t_sent[c->answered % o_depth];
		c->answered++;
		p = end + 2;
	}
	c->inlen -= (size_t)(p - c->in);
	memmove(c->in, p, c->inlen);
	if (c->answered >= o_reqs) {
		c->answered = o_reqs;
		pc_finish(c);
	} else if (o_delay_ms > 0 && c->sent == c->answered) {
		ev_timer_set(&c->delay, (double)o_delay_ms / 1000., 0.);
		ev_timer_start(loop, &c->delay);
	} else {
		pc_fill(c);
	}
}

static void pc_write_cb(struct ev_loop *l, ev_io *w, int revents)
{
	pc_flush(w->data);
}

static void timeout_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	fprintf(stderr, "pclient: timeout after %.0f s\n", o_timeout);
	ev_break(loop, EVBREAK_ALL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run_load(void)
{
	struct pconn *cs = xcalloc((size_t)o_conns, sizeof(*cs));
	ev_timer to;
	double t0, secs;

	lat = xcalloc((size_t)(o_conns * o_reqs) + 1, sizeof(double));
	loop = ev_default_loop(0);
	for (long i = 0; i < o_conns; i++) {
		struct pconn *c = &cs[i];

		if ((c->fd = connect_spec(o_spec)) < 0) {
			fprintf(stderr, "pclient: connect %s: %s\n", o_spec,
			    strerror(errno));
			return 2;
		}
		c->t_sent = xcalloc((size_t)o_depth, sizeof(double));
		ev_io_init(&c->rio, pc_read_cb, c->fd, EV_READ);
		ev_io_init(&c->wio, pc_write_cb, c->fd, EV_WRITE);
		ev_init(&c->delay, pc_delay_cb);
		c->rio.data = c->wio.data = c->delay.data = c;
	}
	t0 = now();
	for (long i = 0; i < o_conns; i++) {
		sock_set_nonblock(cs[i].fd);
		ev_io_start(loop, &cs[i].rio);
		pc_fill(&cs[i]);
	}
	ev_timer_init(&to, timeout_cb, o_timeout, 0.);
	ev_timer_start(loop, &to);
	ev_run(loop, 0);
	secs = now() - t0;
	for (long i = 0; i < o_conns; i++)
		pc_finish(&cs[i]);
	qsort(lat, (size_t)nlat, sizeof(double), cmp_double);
	printf("conns=%ld requests=%ld ok=%ld errors=%ld seconds=%.3f "
	    "rps=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f\n", o_conns,
	    o_conns * o_reqs, nok, nerr, secs, (double)nok / secs,
	    nlat ? lat[nlat / 2] * 1e6 : 0., nlat ? lat[nlat * 99 / 100] * 1e6 :
	    0., nlat ? lat[nlat - 1] * 1e6 : 0.);
	return nerr == 0 && nok == o_conns * o_reqs ? 0 : 1;
}

/* -r: stdin out, everything received to stdout. */
static int run_raw(bool keep_open, bool reset)
{
	char buf[65536];
	size_t len = 0, cap = 0;
	char *data = NULL;
	double end;
	ssize_t r;
	int fd;

	while ((r = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		if (len + (size_t)r > cap) {
			cap = (len + (size_t)r) * 2;
			data = xreallocarray(data, cap, 1);
		}
		memcpy(data + len, buf, (size_t)r);
		len += (size_t)r;
	}
	if ((fd = connect_spec(o_spec)) < 0) {
		fprintf(stderr, "pclient: connect %s: %s\n", o_spec,
		    strerror(errno));
		free(data);
		return 2;
	}
	for (size_t off = 0; off < len; ) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;          /* closed: read what came back */
		}
		off += (size_t)w;
	}
	free(data);
	if (reset) {
		struct linger lg = { 1, 0 };

		usleep(100 * 1000);     /* let the server read it first */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		return 0;
	}
	if (!keep_open)
		shutdown(fd, SHUT_WR);
	end = now() + o_timeout;
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int ms = (int)((end - now()) * 1000);

		if (ms <= 0 || poll(&pfd, 1, ms) == 0) {
			close(fd);
			return 3;
		}
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		fwrite(buf, 1, (size_t)r, stdout);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* -i: CONNS idle connections that each answered one request. */
static int run_idle(void)
{
	int *fds = xcalloc((size_t)o_conns, sizeof(int));
	char buf[256];
	double end;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (long i = 0; i < o_conns; i++) {
		size_t k = (size_t)i % npool, got = 0;

		if ((fds[i] = connect_spec(o_spec)) < 0) {
			fprintf(stderr, "pclient: connect %ld: %s\n", i,
			    strerror(errno));
			return 2;
		}
		if (write(fds[i], pool[k], poollen[k]) != (ssize_t)poollen[k])
			return 2;
		while (got < 2 || memcmp(buf + got - 2, "\n\n", 2) != 0) {
			struct pollfd pfd = { fds[i], POLLIN, 0 };
			ssize_t r = -1;

			if (poll(&pfd, 1, (int)(o_timeout * 1000)) == 1)
				r = read(fds[i], buf + got, sizeof(buf) - got);
			if (r <= 0 || (got += (size_t)r) >= sizeof(buf)) {
				fprintf(stderr, "pclient: conn %ld: no answer\n", i);
				return 2;
			}
		}
	}
	printf("idle %ld\n", o_conns);
	fflush(stdout);
	end = now() + o_timeout;
	while (!stop && now() < end)
		usleep(50 * 1000);
	for (long i = 0; i < o_conns; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

static int free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sl) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
		return 2;
	printf("%u\n", ntohs(sin.sin_port));
	close(fd);
	return 0;
}

static long opt_num(const char *s, long min, long max)
{
	long long v;
	const char *e;

	if (num_parse(s, min, max, &v, &e) < 0) {
		fprintf(stderr, "pclient: %s: %s\n", s, e);
		exit(2);
	}
	return (long)v;
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	bool raw = false, keep = false, idle = false, reset = false;
	int ch;

	while ((ch = getopt(argc, argv, "a:c:d:e:f:ikm:n:p:PrRs:t:")) != -1) {
		switch (ch) {
		case 'a': {
			char *x = xasprintf("%s%s\n", extra ? extra : "", optarg);
			free(extra);
			extra = x;
			break;
		}
		case 'c': o_conns = opt_num(optarg, 1, 1000000); break;
		case 'd': o_delay_ms = opt_num(optarg, 0, 600000); break;
		case 'e': o_expect = optarg; break;
		case 'f': file = optarg; break;
		case 'i': idle = true; break;
		case 'k': keep = true; break;
		case 'm': {
			char *colon = strchr(optarg, ':');

			if (colon == NULL) {
				fprintf(stderr, "pclient: -m RCPTS:NEWPCT\n");
				return 2;
			}
			*colon = '\0';
			o_rcpts = opt_num(optarg, 1, 1000);
			o_newpct = opt_num(colon + 1, 0, 100);
			break;
		}
		case 'n': o_reqs = opt_num(optarg, 1, 100000000); break;
		case 'p': o_depth = opt_num(optarg, 1, 100000); break;
		case 'P': return free_port();
		case 'r': raw = true; break;
		case 'R': raw = reset = true; break;
		case 's': o_spec = optarg; break;
		case 't': o_timeout = (double)opt_num(optarg, 1, 86400); break;
		default:
			fprintf(stderr, "usage: see the head of t/lib/pclient.c\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (raw)
		return run_raw(keep, reset);
	pool_load(file);
	if (idle)
		return run_idle();
	if (o_delay_ms > 0)
		o_depth = 1;
	return run_load();
}
