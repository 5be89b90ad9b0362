/*
 * hostile-input.c - clients that send what a policy server must survive.
 *
 *   hostile-input [-e ACTION] [-t SECONDS] TARGET slow N
 *       N connections each send two requests one byte at a time,
 *       interleaved, a millisecond per round; both answers must come, and
 *       a witness connection is answered every 50 rounds meanwhile.
 *   hostile-input ... TARGET noread MAXMB
 *       one connection (small receive buffer) sends requests and never
 *       reads; the server must drop it before MAXMB megabytes were sent,
 *       while a witness connection keeps being answered.
 *   hostile-input ... TARGET limits
 *       every protocol limit of policy_proto.h at and past its edge, and
 *       the malformed shapes (NUL, no '=', empty name, no request=, wrong
 *       request=, no client_address=), each on a fresh connection: at the
 *       edge the request is answered and the connection stays usable; past
 *       it the server closes without answering; a witness after each case.
 *   hostile-input [-P PID] ... TARGET pipeline SECONDS
 *       for a server that holds each answer a while (debug.delay_ms): one
 *       connection pushes requests without waiting until the socket takes
 *       no more (megabytes, in kernel buffers), then reads answers for
 *       SECONDS: they must come in order, well-formed, while a witness
 *       connection is served too; with -P, the server's resident memory
 *       must not have grown by more than 4 MB (it stops reading at its
 *       read-ahead bound instead of buffering everything).
 *   hostile-input ... TARGET garbage N [SEED]
 *       N connections sending random bytes of five kinds (raw, printable
 *       lines, mutated requests, long lines, CR/LF storms) in random
 *       chunks; whatever comes back must be complete, well-formed answers;
 *       a witness every 10 connections.
 *
 * One summary line on stdout; exit 0 when every check held, 1 otherwise
 * (FAIL: on stderr), 2 on usage errors.
 */
#include <poll.h>
#include <stdint.h>

#include "policyd/policy_proto.h"
#include "t/lib/hostile.h"

static struct hc_target target;
static double deadline;

static int
connect_or_die(void)
{
	int fd = hc_connect(&target, false);

	if (fd < 0)
		hc_fail("connect: %s", strerror(errno));
	return fd;
}

static void
set_timeout(int fd, int opt, double secs)
{
	struct timeval tv;

	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	(void)setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* Send all of it unless the peer goes away; returns bytes sent. */
static size_t
send_all(int fd, const char *p, size_t n)
{
	size_t off = 0;
	ssize_t w;

	set_timeout(fd, SO_SNDTIMEO, 3.0);
	while (off < n) {
		w = send(fd, p + off, n - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	return off;
}

/* Read until EOF, reset, timeout, or (want > 0) want complete answers;
 * returns bytes, *closed set when the server closed (EOF or reset) rather
 * than went quiet. */
static int count_answers(const char *buf, size_t n);

static size_t
read_all(int fd, char *buf, size_t size, double timeout, bool *closed,
    int want)
{
	size_t have = 0;
	ssize_t r;

	*closed = false;
	set_timeout(fd, SO_RCVTIMEO, timeout);
	while (have < size) {
		r = recv(fd, buf + have, size - have, 0);
		if (r > 0) {
			have += (size_t)r;
			if (want > 0 && count_answers(buf, have) >= want)
				break;
			continue;
		}
		if (r == 0 || errno == ECONNRESET)
			*closed = true;
		break;
	}
	return have;
}

/* Every byte must be part of a complete, expected answer; returns the
 * number of answers, -1 if something else came. */
static bool partial_ok;         /* while reading: a partial answer is fine */

static int
count_answers(const char *buf, size_t n)
{
	char action[512];
	size_t off = 0, used;
	int k = 0;

	while (off < n) {
		switch (hc_answer(buf + off, n - off, &used, action,
		    sizeof(action))) {
		case 0:
			return partial_ok ? k : -1;
		case -1:
			return -1;
		}
		if (!hc_expect_ok(action))
			return -1;
		off += used;
		k++;
	}
	return k;
}

/* ---------------------------------------------------------------- slow */

static int
run_slow(unsigned n)
{
	int *fds = calloc(n, sizeof(int)), wfd;
	char req[4096], *all, in[256];
	size_t len1, len, pos;
	unsigned i, rounds = 0;
	bool closed;
	double t0 = hc_now();

	if (fds == NULL || (all = malloc(2 * sizeof(req))) == NULL)
		abort();
	wfd = connect_or_die();
	hc_witness(wfd, "before");
	len1 = hc_request(all, sizeof(req), hc_reqno++);
	len = len1 + hc_request(all + len1, sizeof(req), hc_reqno++);
	for (i = 0; i < n; i++)
		fds[i] = connect_or_die();
	for (pos = 0; pos < len; pos++) {
		for (i = 0; i < n; i++)
			if (send(fds[i], all + pos, 1, MSG_NOSIGNAL) != 1)
				hc_fail("slow: connection %u closed at byte %zu: %s",
				    i, pos, strerror(errno));
		usleep(1000);
		if (++rounds % 50 == 0)
			hc_witness(wfd, "while slow clients send");
		if (hc_now() > deadline)
			hc_fail("slow: deadline at byte %zu", pos);
	}
	for (i = 0; i < n; i++) {
		size_t have = 0, used, k = 0;
		char action[512];

		set_timeout(fds[i], SO_RCVTIMEO, 5.0);
		while (k < 2) {
			ssize_t r = recv(fds[i], in + have, sizeof(in) - have, 0);

			if (r <= 0)
				hc_fail("slow: connection %u: %zu of 2 answers", i, k);
			have += (size_t)r;
			while (have > 0 && hc_answer(in, have, &used, action,
			    sizeof(action)) == 1) {
				if (!hc_expect_ok(action))
					hc_fail("slow: unexpected action %s", action);
				memmove(in, in + used, have - used);
				have -= used;
				k++;
			}
		}
		if (have != 0 || read_all(fds[i], in, sizeof(in), 0.01,
		    &closed, 0) != 0)
			hc_fail("slow: connection %u: extra bytes", i);
		close(fds[i]);
	}
	hc_witness(wfd, "after");
	close(wfd);
	printf("mode=slow connections=%u bytes_each=%zu writes=%zu "
	    "answers=%u errors=0 seconds=%.2f\n", n, len, len * n, 2 * n,
	    hc_now() - t0);
	free(fds);
	free(all);
	return 0;
}

/* ---------------------------------------------------------------- noread */

static int
run_noread(unsigned maxmb)
{
	int fd, wfd, small = 4096;
	char batch[65536];
	size_t blen = 0, n;
	unsigned long long sent = 0, witnesses = 0;
	double t0 = hc_now(), next_witness = t0;
	struct pollfd p;

	wfd = connect_or_die();
	hc_witness(wfd, "before");
	if ((fd = socket(target.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		hc_fail("socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (connect(fd, (const struct sockaddr *)&target.ss, target.len) < 0)
		hc_fail("connect: %s", strerror(errno));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while ((n = hc_request(batch + blen, sizeof(batch) - blen, hc_reqno)) > 0) {
		blen += n;
		hc_reqno++;
	}
	for (;;) {
		ssize_t w = send(fd, batch, blen, MSG_NOSIGNAL);

		if (w > 0) {
			sent += (unsigned long long)w;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			break;          /* EPIPE / ECONNRESET: dropped */
		} else {
			p.fd = fd;
			p.events = POLLOUT;
			if (poll(&p, 1, 100) > 0 && (p.revents & (POLLERR | POLLHUP)))
				break;
		}
		if (hc_now() >= next_witness) {
			hc_witness(wfd, "while a client does not read");
			witnesses++;
			next_witness = hc_now() + 0.2;
		}
		if (sent > (unsigned long long)maxmb << 20)
			hc_fail("noread: %llu bytes sent and never dropped", sent);
		if (hc_now() > deadline)
			hc_fail("noread: deadline, %llu bytes sent, not dropped",
			    sent);
	}
	hc_witness(wfd, "after the drop");
	close(fd);
	close(wfd);
	printf("mode=noread sent_bytes=%llu dropped=1 witness_answers=%llu "
	    "errors=0 seconds=%.2f\n", sent, witnesses + 2, hc_now() - t0);
	return 0;
}

/* ---------------------------------------------------------------- pipeline */

static long
rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(fp);
	return kb;
}

static int
run_pipeline(double secs, long pid)
{
	char req[4096], in[8192], action[512];
	size_t n, have = 0, used;
	unsigned long long sent = 0, nreq = 0, answers = 0;
	long rss0 = pid ? rss_kb(pid) : -1, rss1 = -1;
	int fd, wfd;
	double t0 = hc_now(), until;
	ssize_t r;

	wfd = connect_or_die();
	hc_witness(wfd, "before");
	fd = connect_or_die();
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	n = hc_request(req, sizeof(req), 0);
	for (size_t off = 0;;) {        /* push until the socket is full */
		r = send(fd, req + off, n - off, MSG_NOSIGNAL);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { fd, POLLOUT, 0 };

			if (poll(&p, 1, 300) <= 0)
				break;  /* nothing drained for 300 ms: full */
			continue;
		}
		if (r <= 0)
			hc_fail("pipeline: send: %s", strerror(errno));
		sent += (size_t)r;
		off += (size_t)r;
		if (off == n) {
			off = 0;
			nreq++;
		}
		if (sent > (64u << 20))
			hc_fail("pipeline: 64 MB taken: the server buffers all");
	}
	if (pid)
		rss1 = rss_kb(pid);
	hc_witness(wfd, "with a full pipeline pending");
	until = hc_now() + secs;
	set_timeout(fd, SO_RCVTIMEO, 0.1);
	while (hc_now() < until) {
		r = recv(fd, in + have, sizeof(in) - have, 0);
		if (r == 0)
			hc_fail("pipeline: server closed the connection");
		if (r < 0)
			continue;
		have += (size_t)r;
		while (hc_answer(in, have, &used, action, sizeof(action)) == 1) {
			if (!hc_expect_ok(action))
				hc_fail("pipeline: unexpected action %s", action);
			memmove(in, in + used, have - used);
			have -= used;
			answers++;
		}
		if (have > 0 && hc_answer(in, have, &used, action,
		    sizeof(action)) < 0)
			hc_fail("pipeline: malformed answer");
	}
	hc_witness(wfd, "after");
	if (answers == 0)
		hc_fail("pipeline: no answer in %.1f s", secs);
	if (pid && rss1 > rss0 + 4096)
		hc_fail("pipeline: server RSS grew from %ld to %ld kB", rss0, rss1);
	close(fd);
	close(wfd);
	printf("mode=pipeline requests_pushed=%llu bytes_pushed=%llu "
	    "answers_read=%llu server_rss_kb_before=%ld with_pipeline=%ld "
	    "errors=0 seconds=%.2f\n", nreq, sent, answers, rss0, rss1,
	    hc_now() - t0);
	return 0;
}

/* ---------------------------------------------------------------- limits */

struct sb {
	char *p;
	size_t n, cap;
};

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* "NAME=" plus fill bytes up to a line of len bytes (without LF). */
static void
sb_line(struct sb *b, const char *name, size_t len, char fill, const char *end)
{
	size_t i, k = strlen(name) + 1;

	sb_str(b, name);
	sb_str(b, "=");
	for (i = k; i < len; i++)
		sb_add(b, &fill, 1);
	sb_str(b, end);
}

#define HEAD "request=smtpd_access_policy\nclient_address=192.0.2.9\n"

/* A request of exactly total bytes, padded with x= lines. */
static void
sb_request_of(struct sb *b, size_t total)
{
	size_t left = total - strlen(HEAD) - 1, k;

	sb_str(b, HEAD);
	while (left > 0) {
		k = left > 4000 ? 4000 : left;
		if (left - k > 0 && left - k < 3)
			k -= 3;
		sb_line(b, "x", k - 1, 'a', "\n");
		left -= k;
	}
	sb_str(b, "\n");
}

enum want { W_ANSWER, W_CLOSE, W_EITHER };

struct lcase {
	const char *name;
	enum want want;
	int answers;            /* W_CLOSE: answers before the close */
	struct sb b;
};

static unsigned ncase;
static struct lcase cases[64];

static struct sb *
lcase(const char *name, enum want want, int answers)
{
	struct lcase *c = &cases[ncase++];

	c->name = name;
	c->want = want;
	c->answers = answers;
	return &c->b;
}

static void
build_cases(void)
{
	struct sb *b;
	int i;
	char a[32];

	b = lcase("line of POLICY_LINE_MAX bytes", W_ANSWER, 1);
	sb_str(b, HEAD); sb_line(b, "x", POLICY_LINE_MAX, 'a', "\n\n");
	b = lcase("line of POLICY_LINE_MAX + 1 bytes", W_CLOSE, 0);
	sb_str(b, HEAD); sb_line(b, "x", POLICY_LINE_MAX + 1, 'a', "\n\n");
	b = lcase("line of POLICY_LINE_MAX bytes + CR", W_ANSWER, 1);
	sb_str(b, HEAD); sb_line(b, "x", POLICY_LINE_MAX, 'a', "\r\n\n");
	b = lcase("line of POLICY_LINE_MAX + 1 bytes + CR", W_CLOSE, 0);
	sb_str(b, HEAD); sb_line(b, "x", POLICY_LINE_MAX + 1, 'a', "\r\n\n");
	b = lcase("known attribute (helo_name) at the line limit", W_ANSWER, 1);
	sb_str(b, HEAD); sb_line(b, "helo_name", POLICY_LINE_MAX, 'h', "\n\n");
	b = lcase("line of 1 MB without LF", W_CLOSE, 0);
	sb_str(b, HEAD); sb_line(b, "x", 1 << 20, 'b', "");
	b = lcase("request of POLICY_REQ_MAX bytes", W_ANSWER, 1);
	sb_request_of(b, POLICY_REQ_MAX);
	b = lcase("request of POLICY_REQ_MAX + 1 bytes", W_CLOSE, 0);
	sb_request_of(b, POLICY_REQ_MAX + 1);
	b = lcase("POLICY_ATTR_MAX attributes", W_ANSWER, 1);
	sb_str(b, HEAD);
	for (i = 2; i < POLICY_ATTR_MAX; i++) {
		snprintf(a, sizeof(a), "a%d=%d\n", i, i);
		sb_str(b, a);
	}
	sb_str(b, "\n");
	b = lcase("POLICY_ATTR_MAX + 1 attributes", W_CLOSE, 0);
	sb_str(b, HEAD);
	for (i = 2; i <= POLICY_ATTR_MAX; i++) {
		snprintf(a, sizeof(a), "a%d=%d\n", i, i);
		sb_str(b, a);
	}
	sb_str(b, "\n");
	b = lcase("empty request", W_CLOSE, 0);
	sb_str(b, "\n");
	b = lcase("NUL byte in a value", W_CLOSE, 0);
	sb_str(b, HEAD); sb_add(b, "sender=a\0b\n\n", 12);
	b = lcase("line without '='", W_CLOSE, 0);
	sb_str(b, HEAD "just words\n\n");
	b = lcase("empty attribute name", W_CLOSE, 0);
	sb_str(b, HEAD "=value\n\n");
	b = lcase("no request=", W_CLOSE, 0);
	sb_str(b, "client_address=192.0.2.9\n\n");
	b = lcase("request= not smtpd_access_policy", W_CLOSE, 0);
	sb_str(b, "request=junk\nclient_address=192.0.2.9\n\n");
	b = lcase("no client_address=", W_CLOSE, 0);
	sb_str(b, "request=smtpd_access_policy\nclient_name=x.example\n\n");
	b = lcase("duplicate attributes (last wins)", W_ANSWER, 1);
	sb_str(b, HEAD "client_address=192.0.2.10\nsender=\nsender=a@b\n\n");
	b = lcase("CRLF line ends", W_ANSWER, 1);
	sb_str(b, "request=smtpd_access_policy\r\nclient_address=192.0.2.9\r\n\r\n");
	b = lcase("binary bytes in values", W_ANSWER, 1);
	sb_str(b, HEAD "helo_name=\x01\x02\x1b[31m\xff\xfe\"\\%s%n\nclient_name="
	    "\x7f\x80.example\nsender=<>\n\n");
	b = lcase("client_address not an address", W_EITHER, 1);
	sb_str(b, "request=smtpd_access_policy\nclient_address=not-an-ip\n\n");
	b = lcase("client_address empty", W_EITHER, 1);
	sb_str(b, "request=smtpd_access_policy\nclient_address=\n\n");
	b = lcase("client_address IPv6 and mapped", W_EITHER, 2);
	sb_str(b, "request=smtpd_access_policy\nclient_address=2001:db8::1\n\n"
	    "request=smtpd_access_policy\nclient_address=::ffff:192.0.2.1\n\n");
	b = lcase("1000 requests in one write", W_ANSWER, 1000);
	for (i = 0; i < 1000; i++)
		sb_str(b, HEAD "\n");
	b = lcase("two good requests, then a malformed one", W_CLOSE, 2);
	sb_str(b, HEAD "\n" HEAD "\n" "request=smtpd_access_policy\nnoequals\n\n");
}

static void
run_case(struct lcase *c, int wfd)
{
	static char in[1 << 16];
	size_t n;
	int k;
	bool closed;

	int fd = connect_or_die();

	(void)send_all(fd, c->b.p, c->b.n);
	partial_ok = true;
	n = read_all(fd, in, sizeof(in), c->want == W_EITHER ? 0.5 : 3.0,
	    &closed, c->want == W_CLOSE ? 0 : c->answers);
	partial_ok = false;
	/* answers are complete and expected, whatever the case */
	if ((k = count_answers(in, n)) < 0)
		hc_fail("limits: %s: bad bytes from the server (%zu bytes)",
		    c->name, n);
	switch (c->want) {
	case W_ANSWER:
		if (closed || k != c->answers)
			hc_fail("limits: %s: %d answers, %s (want %d, open)",
			    c->name, k, closed ? "closed" : "open", c->answers);
		hc_witness(fd, c->name);           /* the connection still works */
		break;
	case W_CLOSE:
		if (!closed || k != c->answers)
			hc_fail("limits: %s: %d answers, %s (want %d, closed)",
			    c->name, k, closed ? "closed" : "open", c->answers);
		break;
	case W_EITHER:
		if (!closed && k != c->answers)
			hc_fail("limits: %s: open but %d answers", c->name, k);
		break;
	}
	close(fd);
	hc_witness(wfd, c->name);
	printf("%-50s %d answer(s), %s\n", c->name, k,
	    closed ? "closed" : "open");
}

static int
run_limits(void)
{
	unsigned i;
	int wfd;
	double t0 = hc_now();

	build_cases();
	wfd = connect_or_die();
	hc_witness(wfd, "before");
	for (i = 0; i < ncase; i++) {
		if (hc_now() > deadline)
			hc_fail("limits: deadline at case %u", i);
		run_case(&cases[i], wfd);
		free(cases[i].b.p);
	}
	close(wfd);
	printf("mode=limits cases=%u errors=0 seconds=%.2f\n", ncase,
	    hc_now() - t0);
	return 0;
}

/* ---------------------------------------------------------------- garbage */

static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static void
garbage_fill(struct sb *b, unsigned kind)
{
	static const char pr[] = "abc=\n\n=\r 0123456789.:@-_xyz";
	size_t len = 1 + rnd(rnd(8) == 0 ? 100000 : 4000), i;
	char ch, req[4096];

	b->n = 0;
	switch (kind) {
	case 0:                 /* raw bytes */
		for (i = 0; i < len; i++) {
			ch = (char)rnd(256);
			sb_add(b, &ch, 1);
		}
		break;
	case 1:                 /* printable with line ends and '=' */
		for (i = 0; i < len; i++)
			sb_add(b, &pr[rnd(sizeof(pr) - 1)], 1);
		break;
	case 2:                 /* requests with bytes changed */
		for (i = 0; i < 1 + rnd(5); i++) {
			size_t n = hc_request(req, sizeof(req), hc_reqno++), m;

			for (m = rnd(4); m > 0; m--)
				req[rnd((uint32_t)n)] = (char)rnd(256);
			sb_add(b, req, n);
		}
		break;
	case 3:                 /* a good head, then a long line */
		sb_str(b, HEAD);
		for (i = 0; i < len; i++)
			sb_add(b, rnd(50) ? "y" : "=", 1);
		sb_str(b, rnd(2) ? "\n\n" : "");
		break;
	default:                /* CR/LF storms */
		for (i = 0; i < len; i++)
			sb_add(b, rnd(2) ? "\r" : "\n", 1);
		break;
	}
}

static int
run_garbage(unsigned n, uint64_t seed)
{
	struct sb b = { NULL, 0, 0 };
	static char in[1 << 16];
	unsigned i, closed_n = 0, answered = 0, open_n = 0;
	size_t off, chunk, got;
	int fd, wfd, k;
	bool closed;
	double t0 = hc_now();

	rng = seed ? seed : 88172645463325252ULL;
	wfd = connect_or_die();
	hc_witness(wfd, "before");
	for (i = 0; i < n; i++) {
		if (hc_now() > deadline)
			hc_fail("garbage: deadline at connection %u", i);
		garbage_fill(&b, i % 5);
		fd = connect_or_die();
		for (off = 0; off < b.n; off += chunk) {
			chunk = 1 + rnd(2000);
			if (chunk > b.n - off)
				chunk = b.n - off;
			if (send_all(fd, b.p + off, chunk) != chunk)
				break;
		}
		/* Half the time, half-close: the server must then answer
		 * what is complete and close; else it may wait for more. */
		if (i % 2 == 0)
			shutdown(fd, SHUT_WR);
		partial_ok = true;
		got = read_all(fd, in, sizeof(in), i % 2 == 0 ? 3.0 : 0.05,
		    &closed, 0);
		partial_ok = false;
		if (i % 2 == 0 && !closed)
			hc_fail("garbage: connection %u (kind %u, seed %llu): "
			    "half-closed but not closed by the server", i, i % 5,
			    (unsigned long long)seed);
		if ((k = count_answers(in, got)) < 0)
			hc_fail("garbage: connection %u (kind %u, seed %llu): "
			    "%zu bytes back that are not answers", i, i % 5,
			    (unsigned long long)seed, got);
		answered += (unsigned)k;
		closed_n += closed;
		open_n += !closed;
		close(fd);
		if (i % 10 == 9)
			hc_witness(wfd, "during garbage");
	}
	hc_witness(wfd, "after garbage");
	close(wfd);
	free(b.p);
	printf("mode=garbage connections=%u closed_by_server=%u left_open=%u "
	    "answers=%u errors=0 seconds=%.2f\n", n, closed_n, open_n,
	    answered, hc_now() - t0);
	return 0;
}

int
main(int argc, char **argv)
{
	double secs = 60;
	unsigned long n = 0;
	long pid = 0;
	int ch;

	while ((ch = getopt(argc, argv, "e:P:t:")) != -1) {
		switch (ch) {
		case 'e': hc_expect = optarg; break;
		case 'P': pid = strtol(optarg, NULL, 10); break;
		case 't': secs = atof(optarg); break;
		default: goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || hc_target_parse(argv[0], &target) < 0)
		goto usage;
	if (argc >= 3)
		n = strtoul(argv[2], NULL, 10);
	deadline = hc_now() + secs;
	if (strcmp(argv[1], "slow") == 0 && n > 0)
		return run_slow((unsigned)n);
	if (strcmp(argv[1], "noread") == 0 && n > 0)
		return run_noread((unsigned)n);
	if (strcmp(argv[1], "limits") == 0)
		return run_limits();
	if (strcmp(argv[1], "pipeline") == 0 && argc >= 3)
		return run_pipeline(atof(argv[2]), pid);
	if (strcmp(argv[1], "garbage") == 0 && n > 0)
		return run_garbage((unsigned)n, argc >= 4 ?
		    strtoull(argv[3], NULL, 10) : 0);
usage:
	fprintf(stderr, "usage: hostile-input [-e ACTION] [-P PID] [-t SECONDS] "
	    "HOST:PORT|unix:PATH slow N | noread MAXMB | limits | "
	    "pipeline SECONDS | garbage N [SEED]\n");
	return 2;
}
