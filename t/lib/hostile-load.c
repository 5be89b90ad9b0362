/*
 * hostile-load.c - a checking load client: C connections, R requests in
 * all, every answer compared with what it must be.
 *
 *   hostile-load [-c CONNS] [-n REQUESTS | -T SECONDS] [-d DEPTH]
 *                [-r RATE] [-t SECONDS] [-e ACTION | -k FILE=ACTION ...]
 *                TARGET
 *
 * Each connection keeps DEPTH requests in flight (default 1, as Postfix
 * does) and sends the next when an answer arrives; with -T it sends for
 * that long, then waits for the answers in flight; -r caps the requests
 * sent per second (all connections together).  With -k, requests
 * cycle through the kinds given (a request template file, "@N@" replaced
 * by a number 1..250, and the action its answer must carry exactly); with
 * -e every answer must carry ACTION; with neither, any well-formed answer
 * counts.  A connection closed by the server, a malformed answer or a
 * wrong action is an error; the run stops at the deadline (an error too
 * if requests are left).  Prints one line:
 *   requests=N answered=N errors=E wrong=W closed=X conns=C seconds=S
 *   rate=R max_latency_ms=L
 * and exits 0 when errors == 0.
 */
#include <sys/epoll.h>

#include "t/lib/hostile.h"

#define KINDS_MAX 8
#define DEPTH_MAX 64

struct kind {
	char *tmpl;
	const char *action;     /* NULL: any */
};

struct lconn {
	int fd;
	bool dead;
	unsigned inflight;
	unsigned kinds[DEPTH_MAX];      /* kind of each request in flight */
	double sent_at[DEPTH_MAX];
	unsigned head;                  /* oldest in flight */
	size_t have;
	char in[4096];
};

static struct hc_target target;
static struct kind kinds[KINDS_MAX];
static unsigned nkinds;
static unsigned long long nsent, nanswered, nwrong, nclosed, nbad;
static unsigned long long total = 10000;
static double send_until;       /* -T: stop sending then (0: unset) */
static double rate, t_start;    /* -r: requests per second (0: no cap) */
static unsigned depth = 1;
static double max_latency;

static void
lconn_send(struct lconn *c)
{
	char req[65536];
	unsigned k = nkinds ? (unsigned)(nsent % nkinds) : 0;
	size_t n;

	if (send_until > 0 && hc_now() > send_until) {
		total = nsent;          /* the run ends with these */
		return;
	}
	if (rate > 0 && (double)nsent >= rate * (hc_now() - t_start))
		return;                 /* ahead of the rate: later */
	if (nkinds)
		hc_tmpl = kinds[k].tmpl;
	n = hc_request(req, sizeof(req), nsent);
	if (send(c->fd, req, n, MSG_NOSIGNAL) != (ssize_t)n) {
		c->dead = true;
		nclosed++;
		return;
	}
	c->kinds[(c->head + c->inflight) % DEPTH_MAX] = k;
	c->sent_at[(c->head + c->inflight) % DEPTH_MAX] = hc_now();
	c->inflight++;
	nsent++;
}

static void
lconn_read(struct lconn *c)
{
	char action[512];
	size_t used;
	ssize_t r;
	int a;

	r = recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		c->dead = true;
		nclosed++;
		return;
	}
	c->have += (size_t)r;
	while ((a = hc_answer(c->in, c->have, &used, action,
	    sizeof(action))) == 1) {
		const struct kind *k = &kinds[c->kinds[c->head]];
		double lat = hc_now() - c->sent_at[c->head];

		if (c->inflight == 0) {
			nbad++;
			c->dead = true;
			return;
		}
		if (lat > max_latency)
			max_latency = lat;
		if (nkinds ? k->action && strcmp(action, k->action) != 0 :
		    !hc_expect_ok(action)) {
			if (nwrong++ < 5)
				fprintf(stderr, "wrong answer: %s (want %s)\n",
				    action, nkinds ? k->action : hc_expect);
		}
		c->head = (c->head + 1) % DEPTH_MAX;
		c->inflight--;
		nanswered++;
		memmove(c->in, c->in + used, c->have - used);
		c->have -= used;
	}
	if (a < 0) {
		nbad++;
		c->dead = true;
	}
}

int
main(int argc, char **argv)
{
	struct epoll_event ev, evs[128];
	struct lconn *cs;
	unsigned conns = 64, i, alive;
	double secs = 600, t0, deadline, el, run_for = 0;
	unsigned long long errors;
	char *eq;
	int ch, ep, k;

	while ((ch = getopt(argc, argv, "c:d:e:k:n:r:t:T:")) != -1) {
		switch (ch) {
		case 'c': conns = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': depth = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'e': hc_expect = optarg; break;
		case 'n': total = strtoull(optarg, NULL, 10); break;
		case 'r': rate = atof(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'T': run_for = atof(optarg); total = ~0ULL; break;
		case 'k':
			if (nkinds == KINDS_MAX || (eq = strrchr(optarg, '=')) == NULL)
				goto usage;
			*eq = '\0';
			if (hc_template_load(optarg) < 0) {
				fprintf(stderr, "hostile-load: %s: %s\n", optarg,
				    strerror(errno));
				return 2;
			}
			kinds[nkinds].tmpl = hc_tmpl;
			kinds[nkinds++].action = eq[1] ? eq + 1 : NULL;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || hc_target_parse(argv[optind], &target) < 0 ||
	    conns == 0 || depth == 0 || depth > DEPTH_MAX)
		goto usage;
	hc_nofile(conns + 64);
	if ((cs = calloc(conns, sizeof(*cs))) == NULL ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		abort();
	t0 = t_start = hc_now();
	deadline = t0 + secs;
	if (run_for > 0)
		send_until = t0 + run_for;
	for (i = 0; i < conns; i++) {
		if ((cs[i].fd = hc_connect(&target, false)) < 0) {
			fprintf(stderr, "hostile-load: connect: %s\n",
			    strerror(errno));
			return 1;
		}
		fcntl(cs[i].fd, F_SETFL, fcntl(cs[i].fd, F_GETFL) | O_NONBLOCK);
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		while (cs[i].inflight < depth && nsent < total && !cs[i].dead) {
			unsigned long long before = nsent;

			lconn_send(&cs[i]);
			if (nsent == before)
				break;  /* -T or -r: later */
		}
	}
	while (nanswered < total && hc_now() < deadline) {
		if (send_until > 0 && hc_now() > send_until)
			total = nsent;
		k = epoll_wait(ep, evs, 128, rate > 0 ? 1 : 200);
		for (i = 0; rate > 0 && i < conns; i++) {
			unsigned long long before;

			do {
				before = nsent;
				if (!cs[i].dead && cs[i].inflight < depth &&
				    nsent < total)
					lconn_send(&cs[i]);
			} while (nsent != before);
		}
		for (alive = 0, i = 0; i < conns; i++)
			alive += !cs[i].dead;
		if (alive == 0)
			break;
		for (int j = 0; j < k; j++) {
			struct lconn *c = &cs[evs[j].data.u32];

			if (c->dead)
				continue;
			lconn_read(c);
			while (!c->dead && c->inflight < depth && nsent < total) {
				unsigned long long before = nsent;

				lconn_send(c);
				if (nsent == before)
					break;  /* -T ran out */
			}
			if (c->dead)
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		}
	}
	el = hc_now() - t0;
	errors = nwrong + nclosed + nbad + (total - nanswered);
	if (total == ~0ULL)
		total = nsent;
	printf("requests=%llu answered=%llu errors=%llu wrong=%llu closed=%llu "
	    "malformed=%llu conns=%u seconds=%.2f rate=%.0f "
	    "max_latency_ms=%.1f\n", total, nanswered, errors, nwrong, nclosed,
	    nbad, conns, el, el > 0 ? (double)nanswered / el : 0.0,
	    max_latency * 1000);
	for (i = 0; i < conns; i++)
		close(cs[i].fd);
	close(ep);
	free(cs);
	return errors == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: hostile-load [-c CONNS] [-n REQUESTS] [-d DEPTH] "
	    "[-t SECONDS] [-e ACTION | -k FILE=ACTION ...] HOST:PORT|unix:PATH\n");
	return 2;
}
