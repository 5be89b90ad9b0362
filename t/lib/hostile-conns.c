/*
 * hostile-conns.c - many connections at once, connection churn, and a
 * server short of file descriptors.
 *
 *   hostile-conns [-e ACTION] [-t SECONDS] TARGET many N
 *       open N connections at once (epoll, connects paced so the listen
 *       queue does not overflow), send one request on each, wait for every
 *       answer while all N stay open, then a second round on all of them;
 *       a witness connection opened first must be answered between phases.
 *   hostile-conns ... TARGET churn N
 *       N connections opened and closed in a tight loop, cycling through:
 *       close at once, close with a reset, close in the middle of a
 *       request, send a request and close without reading, send a request
 *       and half-close (the answer must still come); witness every 100.
 *   hostile-conns ... TARGET maxconn N
 *       for a server with max_connections: N: N connections are each
 *       answered; connection N+1 is closed without an answer while they
 *       stay open (twice); once one of the N closes, a new one is served.
 *   hostile-conns ... TARGET emfile N
 *       for a server started with a low descriptor limit: N connections
 *       each send a request; some cannot be accepted.  Those answered must
 *       be answered again (open connections keep being served); then the
 *       answered ones are closed, wave after wave, and every pending
 *       connection must be answered once descriptors are free.
 *
 * TARGET is HOST:PORT or unix:PATH.  One summary line on stdout; exit 0
 * when every check held, 1 otherwise (FAIL: on stderr).
 */
#include <poll.h>
#include <sys/epoll.h>

#include "t/lib/hostile.h"

enum cstate { C_CONNECTING, C_SENT, C_ANSWERED, C_DEAD };

struct hconn {
	int fd;
	enum cstate st;
	bool resent;
	size_t have;
	char in[256];
};

static struct hc_target target;
static double deadline;

static int
send_req(struct hconn *c)
{
	char req[4096];
	size_t n = hc_request(req, sizeof(req), hc_reqno++);

	c->have = 0;
	if (send(c->fd, req, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -1;
	c->st = C_SENT;
	return 0;
}

/* Read what is there; 1 answered, 0 not yet, -1 closed or bad. */
static int
read_answer(struct hconn *c)
{
	char action[256];
	size_t used;
	ssize_t r;

	r = recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0)
		return -1;
	c->have += (size_t)r;
	switch (hc_answer(c->in, c->have, &used, action, sizeof(action))) {
	case 0:
		return c->have == sizeof(c->in) ? -1 : 0;
	case 1:
		if (used != c->have || !hc_expect_ok(action))
			return -1;
		c->st = C_ANSWERED;
		c->have = 0;
		return 1;
	}
	return -1;
}

/* ---------------------------------------------------------------- many */

static int
run_many(unsigned n)
{
	struct hconn *cs = calloc(n, sizeof(*cs));
	struct epoll_event ev, evs[256];
	unsigned opened = 0, connecting = 0, answered = 0, round, errors = 0;
	unsigned long long peak = 0;
	int ep, wfd, k, i;
	double t0 = hc_now();

	hc_nofile(n + 64);
	if (cs == NULL || (ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		hc_fail("setup: %s", strerror(errno));
	if ((wfd = hc_connect(&target, false)) < 0)
		hc_fail("witness connect: %s", strerror(errno));
	hc_witness(wfd, "before");

	for (round = 1; round <= 2; round++) {
		answered = 0;
		if (round == 2) {
			for (unsigned j = 0; j < n; j++)
				if (send_req(&cs[j]) < 0)
					hc_fail("round 2: send on connection %u: %s",
					    j, strerror(errno));
		}
		while (answered < n) {
			/* open more, at most 512 handshakes in flight */
			while (round == 1 && opened < n && connecting < 512) {
				struct hconn *c = &cs[opened];

				if ((c->fd = hc_connect(&target, true)) < 0)
					hc_fail("connect %u: %s", opened,
					    strerror(errno));
				c->st = C_CONNECTING;
				ev.events = EPOLLOUT | EPOLLIN;
				ev.data.u32 = opened;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
					hc_fail("epoll_ctl: %s", strerror(errno));
				opened++;
				connecting++;
			}
			if (hc_now() > deadline)
				hc_fail("round %u: %u of %u answered by the deadline "
				    "(%u opened)", round, answered, n, opened);
			k = epoll_wait(ep, evs, 256, 100);
			for (i = 0; i < k; i++) {
				struct hconn *c = &cs[evs[i].data.u32];

				if (c->st == C_CONNECTING) {
					int err = 0;
					socklen_t el = sizeof(err);

					if (!(evs[i].events & (EPOLLOUT | EPOLLERR |
					    EPOLLHUP)))
						continue;
					getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
					if (err != 0)
						hc_fail("connect %u: %s",
						    evs[i].data.u32, strerror(err));
					connecting--;
					ev.events = EPOLLIN;
					ev.data.u32 = evs[i].data.u32;
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
					if (send_req(c) < 0)
						hc_fail("send %u: %s", evs[i].data.u32,
						    strerror(errno));
					continue;
				}
				if (c->st != C_SENT)
					continue;
				switch (read_answer(c)) {
				case 1:
					answered++;
					break;
				case -1:
					errors++;
					hc_fail("round %u: connection %u closed or "
					    "answered wrongly", round,
					    evs[i].data.u32);
				}
			}
			if (opened - connecting > peak)
				peak = opened - connecting;
		}
		hc_witness(wfd, round == 1 ? "after round 1" : "after round 2");
	}
	for (unsigned j = 0; j < n; j++)
		close(cs[j].fd);
	hc_witness(wfd, "after closing all");
	printf("mode=many connections=%u answered_rounds=2 peak_open=%llu "
	    "errors=%u seconds=%.2f\n", n, peak + 1, errors, hc_now() - t0);
	close(wfd);
	close(ep);
	free(cs);
	return 0;
}

/* ---------------------------------------------------------------- churn */

static int
run_churn(unsigned n)
{
	static const struct linger rst = { 1, 0 };
	char req[4096], action[256];
	unsigned i, kinds[5] = { 0 };
	int fd, wfd;
	size_t len;
	double t0 = hc_now();

	if ((wfd = hc_connect(&target, false)) < 0)
		hc_fail("witness connect: %s", strerror(errno));
	hc_witness(wfd, "before");
	for (i = 0; i < n; i++) {
		if (hc_now() > deadline)
			hc_fail("churn: deadline after %u connections", i);
		if ((fd = hc_connect(&target, false)) < 0)
			hc_fail("churn connect %u: %s", i, strerror(errno));
		len = hc_request(req, sizeof(req), hc_reqno++);
		kinds[i % 5]++;
		switch (i % 5) {
		case 0:                 /* open, close */
			break;
		case 1:                 /* reset */
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
			break;
		case 2:                 /* half a request */
			(void)send(fd, req, len / 2, MSG_NOSIGNAL);
			break;
		case 3:                 /* a request, never read */
			(void)send(fd, req, len, MSG_NOSIGNAL);
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
			break;
		case 4: {               /* request, half-close, answer, EOF */
			char in[512];
			size_t have = 0, used;
			ssize_t r;

			if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
				hc_fail("churn send: %s", strerror(errno));
			shutdown(fd, SHUT_WR);
			while ((r = recv(fd, in + have, sizeof(in) - have, 0)) > 0)
				have += (size_t)r;
			if (hc_answer(in, have, &used, action, sizeof(action)) != 1 ||
			    used != have || !hc_expect_ok(action))
				hc_fail("churn: half-closed connection %u not "
				    "answered (%zu bytes)", i, have);
			break;
		}
		}
		close(fd);
		if (i % 100 == 99)
			hc_witness(wfd, "during churn");
	}
	hc_witness(wfd, "after churn");
	close(wfd);
	printf("mode=churn connections=%u close=%u reset=%u half_request=%u "
	    "unread=%u half_close_answered=%u errors=0 seconds=%.2f\n", n,
	    kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], hc_now() - t0);
	return 0;
}

/* ---------------------------------------------------------------- maxconn */

/* 1: answered, 0: closed without an answer. */
static int
one_more(void)
{
	char action[256];
	int fd = hc_connect(&target, false), r;

	if (fd < 0)
		hc_fail("maxconn: connect: %s", strerror(errno));
	r = hc_roundtrip(fd, hc_reqno++, 5.0, action, sizeof(action));
	close(fd);
	if (r < 0)
		hc_fail("maxconn: bad answer");
	return r;
}

static int
run_maxconn(unsigned n)
{
	int *fds = calloc(n, sizeof(int));
	char action[256];
	unsigned i;
	int k;
	double t0 = hc_now();

	hc_nofile(n + 64);
	if (fds == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if ((fds[i] = hc_connect(&target, false)) < 0)
			hc_fail("maxconn: connect %u: %s", i, strerror(errno));
		if (hc_roundtrip(fds[i], hc_reqno++, 5.0, action, sizeof(action)) != 1)
			hc_fail("maxconn: connection %u of %u not answered", i + 1, n);
	}
	for (k = 0; k < 2; k++)
		if (one_more() != 0)
			hc_fail("maxconn: connection %u answered past the limit",
			    n + 1);
	for (i = 0; i < n; i++)         /* the N are still served */
		if (hc_roundtrip(fds[i], hc_reqno++, 5.0, action, sizeof(action)) != 1)
			hc_fail("maxconn: connection %u dropped at the limit", i + 1);
	close(fds[0]);
	for (k = 0; k < 100 && one_more() != 1; k++)
		usleep(20000);          /* the server sees the close soon */
	if (k == 100)
		hc_fail("maxconn: no room after a connection closed");
	for (i = 1; i < n; i++)
		close(fds[i]);
	printf("mode=maxconn limit=%u refused_past_limit=2 served_after_close=1 "
	    "errors=0 seconds=%.2f\n", n, hc_now() - t0);
	free(fds);
	return 0;
}

/* ---------------------------------------------------------------- emfile */

/* Poll every connection in state C_SENT until none progresses for quiet
 * seconds; returns how many were answered. */
static unsigned
collect(struct hconn *cs, unsigned n, double quiet)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	unsigned got = 0, i, want;
	double last = hc_now();

	if (p == NULL)
		abort();
	for (;;) {
		want = 0;
		for (i = 0; i < n; i++) {
			p[i].fd = cs[i].st == C_SENT ? cs[i].fd : -1;
			p[i].events = POLLIN;
			want += cs[i].st == C_SENT;
		}
		if (want == 0 || hc_now() - last > quiet || hc_now() > deadline)
			break;
		if (poll(p, n, 50) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			switch (read_answer(&cs[i])) {
			case 1:
				got++;
				last = hc_now();
				break;
			case -1:
				hc_fail("emfile: connection %u closed or answered "
				    "wrongly", i);
			}
		}
	}
	free(p);
	return got;
}

static int
run_emfile(unsigned n)
{
	struct hconn *cs = calloc(n, sizeof(*cs));
	unsigned first, again, waves = 0, closed = 0, pending, i, got;
	int fd;
	double t0 = hc_now();

	hc_nofile(n + 64);
	if (cs == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if ((cs[i].fd = hc_connect(&target, false)) < 0)
			hc_fail("connect %u: %s", i, strerror(errno));
		fcntl(cs[i].fd, F_SETFL, fcntl(cs[i].fd, F_GETFL) | O_NONBLOCK);
		if (send_req(&cs[i]) < 0)
			hc_fail("send %u: %s", i, strerror(errno));
	}
	first = collect(cs, n, 1.0);
	if (first == 0)
		hc_fail("emfile: no connection answered at all");
	if (first == n)
		hc_fail("emfile: all %u answered: the descriptor limit was "
		    "not reached (raise N)", n);
	/* The accepted ones keep being served while others wait. */
	for (i = 0; i < n; i++) {
		cs[i].resent = cs[i].st == C_ANSWERED;
		if (cs[i].resent && send_req(&cs[i]) < 0)
			hc_fail("emfile: resend %u: %s", i, strerror(errno));
	}
	again = collect(cs, n, 1.0);
	for (i = 0; i < n; i++)
		if (cs[i].resent && cs[i].st != C_ANSWERED)
			hc_fail("emfile: open connection %u not answered a "
			    "second time", i);
	pending = n - first - (again - first);
	/* Free descriptors wave by wave: close every answered connection. */
	while (pending > 0) {
		if (hc_now() > deadline)
			hc_fail("emfile: %u connections never answered", pending);
		for (i = 0; i < n; i++)
			if (cs[i].st == C_ANSWERED) {
				close(cs[i].fd);
				cs[i].st = C_DEAD;
				closed++;
			}
		waves++;
		got = collect(cs, n, 1.5);
		if (got == 0)
			hc_fail("emfile: after closing %u connections, none of "
			    "the %u waiting was answered", closed, pending);
		pending -= got;
	}
	for (i = 0; i < n; i++)
		if (cs[i].st != C_DEAD)
			close(cs[i].fd);
	if ((fd = hc_connect(&target, false)) < 0)
		hc_fail("emfile: connect after recovery: %s", strerror(errno));
	hc_witness(fd, "after recovery");
	close(fd);
	printf("mode=emfile connections=%u answered_at_first=%u "
	    "served_again=%u waves=%u errors=0 seconds=%.2f\n", n, first,
	    first, waves, hc_now() - t0);
	free(cs);
	return 0;
}

int
main(int argc, char **argv)
{
	double secs = 60;
	unsigned long n;
	int ch;

	while ((ch = getopt(argc, argv, "e:t:")) != -1) {
		switch (ch) {
		case 'e': hc_expect = optarg; break;
		case 't': secs = atof(optarg); break;
		default: goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || hc_target_parse(argv[0], &target) < 0)
		goto usage;
	n = strtoul(argv[2], NULL, 10);
	if (n == 0 || n > 1000000)
		goto usage;
	deadline = hc_now() + secs;
	if (strcmp(argv[1], "many") == 0)
		return run_many((unsigned)n);
	if (strcmp(argv[1], "churn") == 0)
		return run_churn((unsigned)n);
	if (strcmp(argv[1], "emfile") == 0)
		return run_emfile((unsigned)n);
	if (strcmp(argv[1], "maxconn") == 0)
		return run_maxconn((unsigned)n);
usage:
	fprintf(stderr, "usage: hostile-conns [-e ACTION] [-t SECONDS] "
	    "HOST:PORT|unix:PATH many|churn|maxconn|emfile N\n");
	return 2;
}
