/*
 * hostile.h - helpers shared by the adversarial clients t/lib/hostile-*.c
 * (header-only: each tool is its own program).
 *
 *   hc_target_parse()  "127.0.0.1:PORT", "[::1]:PORT" or "unix:PATH"
 *   hc_connect()       a socket connected (or connecting, nonblock) to it
 *   hc_request()       the i-th request of the built-in kind, or of the
 *                      template given with hc_template_load(): every "@N@"
 *                      becomes i % 250 + 1 and every "@M@" i / 250 % 250 + 1,
 *                      so that clients differ (62,500 of them)
 *   hc_answer()        one "action=...\n\n" answer from a byte buffer:
 *                      1 complete (action copied), 0 incomplete, -1 not an
 *                      answer (the server broke the protocol)
 *   hc_expect_ok()     the action is what -e asked for (any when unset)
 *   hc_nofile()        raise RLIMIT_NOFILE's soft limit
 *   hc_witness()       one round trip on a witness connection, which must
 *                      be answered whatever the other connections do
 *   hc_now()           monotonic seconds
 *
 * The tools print one summary line "key=value ..." on stdout and exit 0
 * when every check held, 1 when one failed (with a "FAIL: why" line on
 * stderr), 2 on usage errors.  They never wait forever: every wait has a
 * deadline.
 */
#ifndef T_LIB_HOSTILE_H
#define T_LIB_HOSTILE_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HC_UNUSED __attribute__((unused))

struct hc_target {
	struct sockaddr_storage ss;
	socklen_t len;
};

static char *hc_tmpl;           /* request template, NULL: built-in */
static const char *hc_expect;   /* expected action, NULL: any */
static unsigned long hc_reqno;  /* the next request's number */

HC_UNUSED static double
hc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((format(printf, 1, 2), noreturn, unused))
static void
hc_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

HC_UNUSED static int
hc_target_parse(const char *spec, struct hc_target *t)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&t->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t->ss;
	struct sockaddr_un *su = (struct sockaddr_un *)&t->ss;
	char host[64];
	const char *colon;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (strncmp(spec, "unix:", 5) == 0) {
		if (strlen(spec + 5) >= sizeof(su->sun_path))
			return -1;
		su->sun_family = AF_UNIX;
		strcpy(su->sun_path, spec + 5);
		t->len = sizeof(*su);
		return 0;
	}
	if (strncmp(spec, "inet:", 5) == 0)
		spec += 5;
	if ((colon = strrchr(spec, ':')) == NULL)
		return -1;
	n = (size_t)(colon - spec);
	if (n >= sizeof(host))
		return -1;
	memcpy(host, spec, n);
	host[n] = '\0';
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		host[n - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(colon + 1));
		t->len = sizeof(*s6);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)atoi(colon + 1));
	t->len = sizeof(*s4);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
}

/* A connected socket (blocking), or connecting (nonblock); -1 on error. */
HC_UNUSED static int
hc_connect(const struct hc_target *t, bool nonblock)
{
	int fd, one = 1;

	fd = socket(t->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	if (t->ss.ss_family != AF_UNIX)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&t->ss, t->len) < 0 &&
	    !(nonblock && errno == EINPROGRESS)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

HC_UNUSED static int
hc_template_load(const char *path)
{
	FILE *fp = fopen(path, "re");
	size_t cap = 65536, n;

	if (fp == NULL)
		return -1;
	hc_tmpl = malloc(cap + 1);
	if (hc_tmpl == NULL)
		abort();
	n = fread(hc_tmpl, 1, cap, fp);
	hc_tmpl[n] = '\0';
	fclose(fp);
	return n > 0 ? 0 : -1;
}

/* The i-th request into buf; returns its length (0 if it does not fit). */
HC_UNUSED static size_t
hc_request(char *buf, size_t size, unsigned long i)
{
	unsigned octet = (unsigned)(i % 250) + 1;
	const char *p, *at, *next;
	size_t n = 0;
	int m;

	if (hc_tmpl == NULL) {
		m = snprintf(buf, size, "request=smtpd_access_policy\n"
		    "protocol_state=RCPT\nprotocol_name=ESMTP\n"
		    "client_address=192.0.2.%u\nclient_name=unknown\n"
		    "reverse_client_name=unknown\nhelo_name=hostile.example\n"
		    "sender=s%lu@example.org\nrecipient=r@example.net\n"
		    "instance=%lx.0\n\n", octet, i, i);
		return m < 0 || (size_t)m >= size ? 0 : (size_t)m;
	}
	for (p = hc_tmpl; (at = strchr(p, '@')) != NULL; p = next) {
		unsigned v;

		next = at + 3;
		if (at[1] == 'N' && at[2] == '@')
			v = octet;
		else if (at[1] == 'M' && at[2] == '@')
			v = (unsigned)(i / 250 % 250) + 1;
		else {                  /* a plain '@': copy it, go on after it */
			next = at + 1;
			m = snprintf(buf + n, size - n, "%.*s", (int)(next - p), p);
			if (m < 0 || (size_t)m >= size - n)
				return 0;
			n += (size_t)m;
			continue;
		}
		m = snprintf(buf + n, size - n, "%.*s%u", (int)(at - p), p, v);
		if (m < 0 || (size_t)m >= size - n)
			return 0;
		n += (size_t)m;
	}
	m = snprintf(buf + n, size - n, "%s", p);
	if (m < 0 || (size_t)m >= size - n)
		return 0;
	return n + (size_t)m;
}

/* One answer at the front of buf. */
HC_UNUSED static int
hc_answer(const char *buf, size_t len, size_t *used, char *action,
    size_t asize)
{
	const char *end;
	size_t n, i;

	if (len < 7)
		return memcmp(buf, "action=", len) == 0 ? 0 : -1;
	if (memcmp(buf, "action=", 7) != 0)
		return -1;
	if ((end = memchr(buf, '\n', len)) == NULL)
		return len > 4096 ? -1 : 0;
	if ((size_t)(end - buf) + 1 >= len)
		return 0;
	if (end[1] != '\n')
		return -1;
	n = (size_t)(end - buf) - 7;
	for (i = 0; i < n; i++)
		if ((unsigned char)buf[7 + i] < 0x20 ||
		    (unsigned char)buf[7 + i] > 0x7e)
			return -1;
	if (n == 0)
		return -1;
	if (action != NULL && asize > 0) {
		if (n >= asize)
			n = asize - 1;
		memcpy(action, buf + 7, n);
		action[n] = '\0';
	}
	*used = (size_t)(end - buf) + 2;
	return 1;
}

HC_UNUSED static bool
hc_expect_ok(const char *action)
{
	return hc_expect == NULL || strcmp(action, hc_expect) == 0;
}

HC_UNUSED static void
hc_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
		want = rl.rlim_max;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Blocking round trip on fd: send the i-th request, read one answer
 * within timeout seconds.  1 answered (and as expected), 0 closed or
 * timed out, -1 bad answer. */
HC_UNUSED static int
hc_roundtrip(int fd, unsigned long i, double timeout, char *action,
    size_t asize)
{
	char req[65536 + 1], in[8192];
	size_t n = hc_request(req, sizeof(req), i), have = 0, used, off = 0;
	double end = hc_now() + timeout;
	struct timeval tv;
	ssize_t r;

	while (off < n) {
		r = send(fd, req + off, n - off, MSG_NOSIGNAL);
		if (r <= 0)
			return 0;
		off += (size_t)r;
	}
	for (;;) {
		double left = end - hc_now();

		if (left <= 0)
			return 0;
		tv.tv_sec = (time_t)left;
		tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6) + 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		r = recv(fd, in + have, sizeof(in) - have, 0);
		if (r <= 0)
			return 0;
		have += (size_t)r;
		switch (hc_answer(in, have, &used, action, asize)) {
		case 1:
			if (used != have)
				return -1;      /* more than one answer */
			return hc_expect_ok(action) ? 1 : -1;
		case -1:
			return -1;
		}
	}
}

/* The witness connection fd answers its next request within 10 s, or
 * the tool fails naming when. */
HC_UNUSED static void
hc_witness(int fd, const char *when)
{
	char action[512];

	if (hc_roundtrip(fd, hc_reqno++, 10.0, action, sizeof(action)) != 1)
		hc_fail("witness connection not answered (%s)", when);
}

#endif
