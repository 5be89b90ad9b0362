/*
 * dnsmsg.c - parse DNS reply packets into struct dns_answer (see dnsmsg.h).
 * Pure: no I/O, no logging.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lbuf.h"
#include "common/xmalloc.h"
#include "policyd/dnsmsg.h"

#define HDR_LEN     12
#define PTR_HOPS    32
#define T_SOA       6
#define C_IN        1

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
dnsmsg_name(const unsigned char *buf, size_t len, size_t *off, char *out,
    size_t size)
{
	size_t pos = *off, o = 0, end = 0;
	int hops = 0;
	bool jumped = false;

	if (size == 0)
		return -1;
	for (;;) {
		unsigned l;

		if (pos >= len)
			return -1;
		l = buf[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t to;
			if (pos + 1 >= len || ++hops > PTR_HOPS)
				return -1;
			to = (size_t)(l & 0x3f) << 8 | buf[pos + 1];
			if (to >= pos)          /* only backwards: no loops */
				return -1;
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = to;
			continue;
		}
		if (l & 0xc0)
			return -1;
		pos++;
		if (l == 0)
			break;
		if (pos + l > len)
			return -1;
		if (o + (o > 0) + l + 1 > size)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (unsigned i = 0; i < l; i++) {
			unsigned char c = buf[pos + i];
			/* '.' or NUL inside a label would change (cut) the
			 * name: mark it, so that dnsmsg_name_ok() refuses it. */
			if (c == '.' || c == '\0')
				c = 0x01;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		pos += l;
	}
	out[o] = '\0';
	*off = jumped ? end : pos;
	return 0;
}

bool
dnsmsg_name_ok(const char *name)
{
	/* 8 bytes at a time (once per request for Postfix's name).  EQ()
	 * sets the top bit of exactly the bytes of w equal to c: the low
	 * seven bits plus 0x7f carry into the top bit unless they are 0,
	 * and no byte carries into the next. */
	const uint64_t ones = 0x0101010101010101ull, top = ones * 0x80;
#define EQ(w, c) (~(((((w) ^ (ones * (c))) & ~top) + ~top) | \
	((w) ^ (ones * (c))) | ~top))
	size_t n = strlen(name), i;
	uint64_t w, bad, dots, prevdot = 0;

	if (n == 0 || n > DNS_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, name + i, 8);
		/* <= 0x20: (w & 0x7f..) + 0x5f.. leaves the top bit clear;
		 * >= 0x7f: w has it or (w & 0x7f..) + 0x01.. sets it */
		bad = (~(((w & ~top) + ones * 0x5f)) & top) | (w & top) |
		    (((w & ~top) + ones) & top) |
		    EQ(w, '\\') | EQ(w, '"');
		dots = EQ(w, '.');
		/* an empty label: a dot after a dot, here or across words */
		if (bad | (dots & (dots << 8)) | (dots & prevdot))
			return false;
		prevdot = dots >> 56 ? 0x80 : 0;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"')
			return false;
		if (c == '.' && name[i - 1] == '.')
			return false;
	}
#undef EQ
	return true;
}

/* Skip a name without decoding it. */
static int
skip_name(const unsigned char *buf, size_t len, size_t *off)
{
	char tmp[DNS_NAME_MAX * 4 + 8];

	return dnsmsg_name(buf, len, off, tmp, sizeof(tmp));
}

/* The first usable name only: the others would be kept for nothing, and
 * whoever owns the reverse zone could make every answer 16 long names. */
static void
add_name(struct dns_answer *a, const char *name)
{
	if (a->n > 0 || !dnsmsg_name_ok(name))
		return;
	a->names = xcalloc(1, sizeof(char *));
	a->names[a->n++] = xstrdup(name);
}

static void
add_addr(struct dns_answer *a, int family, const unsigned char *p)
{
	struct addr *x;

	if (a->n >= DNS_ADDRS_MAX)
		return;
	/* room for 4, then doubled when full (n a power of two) */
	if (a->n == 0 || (a->n >= 4 && (a->n & (a->n - 1)) == 0))
		a->addrs = xreallocarray(a->addrs, a->n ? 2 * a->n : 4,
		    sizeof(struct addr));
	x = &a->addrs[a->n++];
	memset(x, 0, sizeof(*x));
	x->family = family;
	memcpy(x->a, p, family == AF_INET ? 4 : 16);
}

int
dnsmsg_parse(const unsigned char *buf, size_t len, int qtype,
    struct dns_answer *out)
{
	unsigned qd, an, ns, rcode;
	uint32_t ttl = DNSMSG_TTL_NONE, negttl = DNSMSG_TTL_NONE;
	size_t off = HDR_LEN;

	memset(out, 0, sizeof(*out));
	out->qtype = qtype;
	if (len < HDR_LEN || !(buf[2] & 0x80))      /* not a response */
		return -1;
	rcode = buf[3] & 0x0f;
	qd = get16(buf + 4);
	an = get16(buf + 6);
	ns = get16(buf + 8);
	for (unsigned i = 0; i < qd; i++) {
		if (skip_name(buf, len, &off) < 0 || off + 4 > len)
			goto bad;
		off += 4;
	}
	for (unsigned i = 0; i < an + ns; i++) {
		char name[DNS_NAME_MAX * 4 + 8];
		unsigned type, cls, rdlen;
		uint32_t rttl;
		size_t rd;

		if (skip_name(buf, len, &off) < 0 || off + 10 > len)
			goto bad;
		type = get16(buf + off);
		cls = get16(buf + off + 2);
		rttl = get32(buf + off + 4);
		if (rttl > 0x7fffffffu)                 /* RFC 2181: as 0 */
			rttl = 0;
		rdlen = get16(buf + off + 8);
		rd = off + 10;
		if (rd + rdlen > len)
			goto bad;
		off = rd + rdlen;
		if (cls != C_IN)
			continue;
		if (i >= an) {                          /* authority */
			if (type == T_SOA) {
				size_t p = rd;
				uint32_t min;
				if (skip_name(buf, len, &p) < 0 ||
				    skip_name(buf, len, &p) < 0 ||
				    p + 20 > rd + rdlen)
					goto bad;
				min = get32(buf + p + 16);
				negttl = rttl < min ? rttl : min;
			}
			continue;
		}
		if ((int)type != qtype)
			continue;
		if (type == DNS_T_PTR) {
			size_t p = rd;
			if (dnsmsg_name(buf, len, &p, name, sizeof(name)) < 0 ||
			    p > rd + rdlen)
				goto bad;
			add_name(out, name);
		} else if (type == DNS_T_A && rdlen == 4) {
			add_addr(out, AF_INET, buf + rd);
		} else if (type == DNS_T_AAAA && rdlen == 16) {
			add_addr(out, AF_INET6, buf + rd);
		} else
			continue;
		if (rttl < ttl)
			ttl = rttl;
	}
	if (rcode == 0 && out->n > 0) {
		out->status = DNS_OK;
		out->ttl = ttl;
		return 0;
	}
	dns_answer_release(out);                /* keep no records */
	out->qtype = qtype;
	out->ttl = DNSMSG_TTL_NONE;
	switch (rcode) {
	case 0:
		out->status = DNS_NOTFOUND;
		out->why = "nodata";
		out->ttl = negttl;
		break;
	case 3:
		out->status = DNS_NOTFOUND;
		out->why = "nxdomain";
		out->ttl = negttl;
		break;
	case 2:
		out->status = DNS_TEMPFAIL;
		out->why = "servfail";
		break;
	case 5:
		out->status = DNS_TEMPFAIL;
		out->why = "refused";
		break;
	default:
		out->status = DNS_TEMPFAIL;
		out->why = "bad rcode";
		break;
	}
	return 0;
bad:
	dns_answer_release(out);
	out->qtype = qtype;
	return -1;
}

int
dnsmsg_revname(const struct addr *a, const char *zone, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[80];
	struct lbuf b;

	lbuf_init(&b, out, size);
	if (a->family == AF_INET) {     /* d.c.b.a: the address reversed */
		char *p = tmp;          /* digits by hand: once per DNS request,
		                           cheaper than inet_ntop or lbuf_num */

		for (int i = 3; i >= 0; i--) {
			unsigned v = a->a[i];

			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = '.';
		}
		lbuf_mem(&b, tmp, (size_t)(p - tmp));
		lbuf_str(&b, zone ? zone : "in-addr.arpa");
	} else {
		size_t t = 0;

		for (int i = 15; i >= 0; i--) {
			tmp[t++] = hex[a->a[i] & 0x0f];
			tmp[t++] = '.';
			tmp[t++] = hex[a->a[i] >> 4];
			tmp[t++] = '.';
		}
		lbuf_mem(&b, tmp, t);
		lbuf_str(&b, zone ? zone : "ip6.arpa");
	}
	return lbuf_end(&b) < 0 ? -1 : 0;
}

void
dns_answer_release(struct dns_answer *a)
{
	if (a->names != NULL) {
		for (size_t i = 0; i < a->n; i++)
			free(a->names[i]);
		free(a->names);
	}
	free(a->addrs);
	memset(a, 0, sizeof(*a));
}

void
dns_answer_copy(struct dns_answer *dst, const struct dns_answer *src)
{
	*dst = *src;
	dst->names = NULL;
	dst->addrs = NULL;
	if (src->names != NULL) {
		dst->names = xcalloc(src->n ? src->n : 1, sizeof(char *));
		for (size_t i = 0; i < src->n; i++)
			dst->names[i] = xstrdup(src->names[i]);
	}
	if (src->addrs != NULL) {
		dst->addrs = xcalloc(src->n ? src->n : 1, sizeof(struct addr));
		memcpy(dst->addrs, src->addrs, src->n * sizeof(struct addr));
	}
}

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "ok";
	case DNS_NOTFOUND:
		return "notfound";
	case DNS_TEMPFAIL:
		return "tempfail";
	}
	return "?";
}

const char *
dns_type_name(int qtype)
{
	return qtype == DNS_T_PTR ? "PTR" : qtype == DNS_T_A ? "A" :
	    qtype == DNS_T_AAAA ? "AAAA" : "?";
}
