/*
 * addr.c - addresses and CIDRs through inet_pton/inet_ntop (see addr.h).
 * No allocation, no I/O: results go to the caller's structs and buffers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "common/addr.h"
#include "common/num.h"

static const unsigned char v4mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };

/* ::ffff:a.b.c.d is a.b.c.d: an IPv4 client seen on an IPv6 socket. */
static void
unmap_v4(struct addr *a)
{
	if (memcmp(a->a, v4mapped, 12) == 0) {
		memmove(a->a, a->a + 12, 4);
		memset(a->a + 4, 0, 12);
		a->family = AF_INET;
	}
}

/*
 * The common case of addr_parse(), Postfix's client_address once per
 * request: a plain dotted quad, four numbers of 1 to 3 digits without a
 * leading zero, each at most 255, and nothing else.  Every such string is
 * one inet_pton(AF_INET) accepts with the same four bytes; anything else
 * (including what inet_pton accepts and this does not) returns false and
 * goes to inet_pton itself.  A quarter of inet_pton's instructions.
 * addr_parse_n(), the helper's way in, keeps to inet_pton alone.
 */
static bool
dotted_quad(unsigned char out[4], const char *s)
{
	unsigned char a[4];

	for (int i = 0; i < 4; i++) {
		unsigned v = (unsigned char)*s - '0';
		int n = 1;

		if (v > 9)
			return false;
		for (unsigned d; n <= 3 && (d = (unsigned char)s[n] - '0') <= 9;
		    n++)
			v = v * 10 + d;
		if (n > 3 || v > 255 || (s[0] == '0' && n > 1))
			return false;
		a[i] = (unsigned char)v;
		s += n;
		if (*s++ != (i < 3 ? '.' : '\0'))
			return false;
	}
	memcpy(out, a, 4);
	return true;
}

/* s is NUL-terminated, without brackets. */
static int
parse_str(struct addr *out, const char *s)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		unmap_v4(out);
		return 0;
	}
	return -1;
}

int
addr_parse_n(struct addr *out, const char *s, size_t n)
{
	char buf[ADDR_STRLEN + 2];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
		if (memchr(s, ':', n) == NULL)
			return -1;      /* brackets only around IPv6 */
	}
	if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return parse_str(out, buf);
}

/* The same, without addr_parse_n()'s copy when s has no brackets, and a
 * dotted quad read by hand (once per policy request). */
int
addr_parse(struct addr *out, const char *s)
{
	size_t n;

	if (dotted_quad(out->a, s)) {
		out->family = AF_INET;
		memset(out->a + 4, 0, sizeof(out->a) - 4);
		return 0;
	}
	n = strlen(s);
	if (s[0] == '[')
		return addr_parse_n(out, s, n);
	if (n == 0 || n >= ADDR_STRLEN + 2)
		return -1;
	return parse_str(out, s);
}

char *
addr_format(const struct addr *a, char *buf, size_t size)
{
	/* IPv4 by hand: glibc's inet_ntop formats it with sprintf, and the
	 * helper hand-over formats an address per refused client */
	if (a->family == AF_INET && size >= 16) {
		char *p = buf;

		for (int i = 0; i < 4; i++) {
			unsigned v = a->a[i];

			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		return buf;
	}
	if (inet_ntop(a->family, a->a, buf, size) == NULL && size > 0)
		buf[0] = '\0';
	return buf;
}

int
addr_bits(const struct addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

bool
addr_equal(const struct addr *x, const struct addr *y)
{
	return x->family == y->family &&
	    memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16) == 0;
}

bool
addr_is_loopback(const struct addr *a)
{
	static const unsigned char v6lo[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->a[0] == 127;
	return memcmp(a->a, v6lo, 16) == 0;
}

bool
addr_is_linklocal(const struct addr *a)
{
	if (a->family == AF_INET)
		return a->a[0] == 169 && a->a[1] == 254;
	return a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80;
}

bool
addr_is_unspecified(const struct addr *a)
{
	static const unsigned char zero[16];

	return memcmp(a->a, zero, a->family == AF_INET ? 4 : 16) == 0;
}

int
addr_from_sockaddr(struct addr *out, const struct sockaddr *sa)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
		out->family = AF_INET;
		memcpy(out->a, &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		out->family = AF_INET6;
		memcpy(out->a, &sin6->sin6_addr, 16);
		unmap_v4(out);
		return 0;
	}
	return -1;
}

int
cidr_parse(struct cidr *out, const char *s, const char **errstr)
{
	const char *slash = strchr(s, '/'), *e;
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	long long plen;
	int bits, i;

	if (errstr == NULL)
		errstr = &e;
	if (addr_parse_n(&out->net, s, alen) < 0) {
		*errstr = "not an IPv4 or IPv6 address";
		return -1;
	}
	bits = addr_bits(&out->net);
	if (slash == NULL) {
		out->plen = bits;
		return 0;
	}
	if (num_parse(slash + 1, 0, memchr(s, ':', alen) ? 128 : 32, &plen,
	    &e) < 0) {
		*errstr = memchr(s, ':', alen) ? "prefix length must be 0..128" :
		    "prefix length must be 0..32";
		return -1;
	}
	/* An IPv4-mapped network given in IPv6 form keeps its meaning. */
	if (bits == 32 && memchr(s, ':', alen)) {
		if (plen < 96) {
			*errstr = "IPv4-mapped prefix shorter than /96";
			return -1;
		}
		plen -= 96;
	}
	out->plen = (int)plen;
	for (i = out->plen; i < bits; i++)
		if (out->net.a[i / 8] & (0x80 >> (i % 8))) {
			*errstr = "host bits set below the prefix length";
			return -1;
		}
	return 0;
}

bool
cidr_contains(const struct cidr *c, const struct addr *a)
{
	int full = c->plen / 8, rest = c->plen % 8;

	if (c->net.family != a->family)
		return false;
	if (memcmp(c->net.a, a->a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((c->net.a[full] ^ a->a[full]) & (0xff00 >> rest)) == 0;
}

char *
cidr_format(const struct cidr *c, char *buf, size_t size)
{
	char a[ADDR_STRLEN];
	size_t n;

	addr_format(&c->net, a, sizeof(a));
	n = strlen(a);
	if (n + 5 > size) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	memcpy(buf, a, n);
	buf[n++] = '/';
	if (c->plen >= 100)
		buf[n++] = (char)('0' + c->plen / 100);
	if (c->plen >= 10)
		buf[n++] = (char)('0' + c->plen / 10 % 10);
	buf[n++] = (char)('0' + c->plen % 10);
	buf[n] = '\0';
	return buf;
}
