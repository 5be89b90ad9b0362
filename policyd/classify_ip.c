/*
 * classify_ip.c - the client address embedded in a host part (see
 * classify_ip.h).
 *
 * IPv4: the host part's digit runs form chains where two runs are joined by
 * exactly one '-', '.', '_' or 'x'.  A chain matches when its runs, read
 * left to right, spell consecutive octets forward or reversed; one run may
 * spell several octets at once (zero-padded "219173000034" or plain
 * "1678974"), every octet may be zero-padded.  The longest chain wins; a
 * second, disjoint chain can complete it (three octets in order plus the
 * fourth elsewhere, or two pairs), which is how names split the address
 * across labels ("118.red-80-35-201").  Hex is matched as the 8-digit
 * string, forward or reversed, anywhere in the host part (the host part is
 * lowercase already).  IPv6: the 32 nibbles or the /64's 16, dashed groups,
 * compressed dashed form, ip6.arpa-style reversed dotted nibbles.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "policyd/classify_ip.h"

struct oct {
	int  v;                 /* the octet's value */
	char s[4];              /* plain decimal */
	int  len;
	char pad[4];            /* three digits, zero-padded */
};

struct chain {
	int  len;               /* octets matched */
	int  first, last;       /* digit runs used */
	int  k;                 /* index of the first octet in seq */
	bool rev, padded;
	unsigned seps;          /* 1 '-', 2 '.', 4 'x', 8 '_' */
	unsigned mask;          /* octets covered, bit i = octet i+1 */
};

static const char hexdig[] = "0123456789abcdef";

/* Bounded appender for the description (no printf on the hot path). */
static void
cat(char *dst, size_t size, const char *src)
{
	size_t o = 0, n = strlen(src);

	while (dst[o] != '\0')
		o++;

	if (o + n >= size)
		n = size - o - 1;
	memcpy(dst + o, src, n);
	dst[o + n] = '\0';
}

static void
put_hex4(char *hex, unsigned a, unsigned b, unsigned c, unsigned d)
{
	unsigned v[4] = { a, b, c, d };
	int i;

	for (i = 0; i < 4; i++) {
		hex[2 * i] = hexdig[v[i] >> 4];
		hex[2 * i + 1] = hexdig[v[i] & 15];
	}
	hex[8] = '\0';
}

static void
put_octet(struct oct *o, unsigned v)
{
	o->pad[0] = (char)('0' + v / 100);
	o->pad[1] = (char)('0' + v / 10 % 10);
	o->pad[2] = (char)('0' + v % 10);
	o->pad[3] = '\0';
	o->v = (int)v;
	o->len = v >= 100 ? 3 : v >= 10 ? 2 : 1;
	memcpy(o->s, o->pad + 3 - o->len, (size_t)o->len + 1);
}

static unsigned
sep_bit(const char *h, const struct cl_num *a, const struct cl_num *b)
{
	if (b->start != a->end + 1)
		return 0;
	switch (h[a->end]) {
	case '-': return 1;
	case '.': return 2;
	case 'x': return 4;
	case '_': return 8;
	default:  return 0;
	}
}

/* Consume run d[0..n) as octets seq[pos..]; new pos, or -1 if it does not
 * spell whole octets exactly. */
static int
consume(const char *d, int n, const struct oct *seq, int pos, bool *padded)
{
	int o = 0;

	while (o < n) {
		const struct oct *x;

		if (pos >= 4)
			return -1;
		x = &seq[pos];
		if (x->len < 3 && n - o >= 3 && d[o] == '0' &&
		    d[o + 1] == x->pad[1] && d[o + 2] == x->pad[2]) {
			o += 3;
			*padded = true;
		} else if (n - o >= x->len && d[o] == x->s[0] &&
		    (x->len < 2 || d[o + 1] == x->s[1]) &&
		    (x->len < 3 || d[o + 2] == x->s[2])) {
			o += x->len;
		} else {
			return -1;
		}
		pos++;
	}
	return pos;
}

/* Consume digit run n at seq[pos..]: a short run by value, a long one as a
 * concatenation of octets; new pos or -1. */
static int
consume_num(const char *h, const struct cl_num *n, const struct oct *seq,
    int pos, bool *padded)
{
	if (n->val >= 0) {
		if (pos >= 4 || seq[pos].v != n->val)
			return -1;
		*padded |= n->lz;
		return pos + 1;
	}
	return consume(h + n->start, n->end - n->start, seq, pos, padded);
}

static void
chain_at(const char *h, const struct cl_num *num, int nnum, int i,
    const struct oct *seq, int k, bool rev, struct chain *c)
{
	int pos, p, j, m;

	c->len = 0;
	c->first = c->last = i;
	c->k = k;
	c->rev = rev;
	c->padded = false;
	c->seps = c->mask = 0;
	p = consume_num(h, &num[i], seq, k, &c->padded);
	if (p < 0)
		return;
	for (j = i; (pos = p) < 4 && j + 1 < nnum; j++) {
		unsigned sb = sep_bit(h, &num[j], &num[j + 1]);
		bool pd = c->padded;

		if (sb == 0)
			break;
		p = consume_num(h, &num[j + 1], seq, pos, &pd);
		if (p < 0)
			break;
		c->padded = pd;
		c->seps |= sb;
		c->last = j + 1;
	}
	c->len = pos - k;
	for (m = k; m < pos; m++)
		c->mask |= 1u << (rev ? 3 - m : m);
}

/* Best chain over runs outside [skip_a, skip_b] whose octets avoid mask. */
static void
best_chain(const char *h, const struct cl_num *num, int nnum,
    const struct oct *fwd, const struct oct *rev, int skip_a, int skip_b,
    unsigned avoid, struct chain *best)
{
	struct chain c;
	int i, k, d;

	memset(best, 0, sizeof(*best));
	for (i = 0; i < nnum; i++) {
		if (i >= skip_a && i <= skip_b)
			continue;
		char c0 = h[num[i].start];
		int v = num[i].val;

		for (d = 0; d < 2; d++) {
			for (k = 0; k < 4; k++) {
				const struct oct *sq = d ? rev : fwd;

				/* the first octet must fit */
				if (v >= 0 ? v != sq[k].v : (c0 != sq[k].s[0] &&
				    (c0 != '0' || sq[k].len == 3)))
					continue;
				chain_at(h, num, nnum, i, sq, k, d, &c);
				if (c.len == 0 || (c.mask & avoid) ||
				    (skip_a >= 0 && c.last >= skip_a &&
				    c.first <= skip_b))
					continue;
				if (c.len > best->len)
					*best = c;
			}
		}
	}
}

static const char *
enc_name(const struct chain *c)
{
	if (c->first == c->last)
		return c->len == 1 ? "num" : "concat";
	switch (c->seps) {
	case 1:  return "dashed";
	case 2:  return "dotted";
	case 4:  return "x";
	case 8:  return "underscore";
	default: return "mixed";
	}
}

/* "1,2,3": the octets of a chain in the order the name spells them. */
static void
octets_list(char *buf, const struct chain *c)
{
	size_t o = 0;
	int m;

	for (m = c->k; m < c->k + c->len; m++) {
		if (m != c->k)
			buf[o++] = ',';
		buf[o++] = (char)('0' + (c->rev ? 4 - m : m + 1));
	}
	buf[o] = '\0';
}

static void
match_v4(const char *h, size_t hlen, const struct cl_num *num, int nnum,
    int hexrun, const unsigned char *a, struct cl_ipm *out)
{
	static const char *const lvl[] = { "", "one", "partial", "three",
		"full" };
	struct oct fwd[4], rev[4];
	struct chain b1, b2;
	char hex[9], list1[16], list2[16];
	int i;

	for (int r = 0; r < 2 && hexrun >= 8; r++) {   /* 8 hex digits in a row */
		put_hex4(hex, a[r ? 3 : 0], a[r ? 2 : 1], a[r ? 1 : 2],
		    a[r ? 0 : 3]);
		if (memmem(h, hlen, hex, 8)) {
			out->strength = 4;
			out->pool = 1;
			cat(out->desc, sizeof(out->desc), r ? "hex-rev" : "hex");
			return;
		}
	}
	if (nnum == 0)
		return;
	for (i = 0; i < 4; i++) {
		put_octet(&fwd[i], a[i]);
		rev[3 - i] = fwd[i];
	}
	best_chain(h, num, nnum, fwd, rev, -1, -1, 0, &b1);
	if (b1.len == 0)
		return;
	octets_list(list1, &b1);
	if (b1.len >= 2 && b1.len < 4) {
		best_chain(h, num, nnum, fwd, rev, b1.first, b1.last, b1.mask,
		    &b2);
		if (b1.len + b2.len == 4 && (b1.len == 3 || b2.len == 2)) {
			octets_list(list2, &b2);
			out->strength = 4;
			cat(out->desc, sizeof(out->desc), "full-split(");
			cat(out->desc, sizeof(out->desc), list1);
			cat(out->desc, sizeof(out->desc), "+");
			cat(out->desc, sizeof(out->desc), list2);
			cat(out->desc, sizeof(out->desc), ")");
			return;
		}
	}
	out->strength = b1.len;
	out->pool = b1.len == 4 && (b1.padded || b1.first == b1.last);
	cat(out->desc, sizeof(out->desc), lvl[b1.len]);
	cat(out->desc, sizeof(out->desc), b1.padded ? "-padded-" : "-");
	cat(out->desc, sizeof(out->desc), enc_name(&b1));
	if (b1.rev && b1.len == 4)
		cat(out->desc, sizeof(out->desc), "-rev");
	cat(out->desc, sizeof(out->desc), "(");
	cat(out->desc, sizeof(out->desc), b1.len == 4 ? "4/4" : list1);
	cat(out->desc, sizeof(out->desc), ")");
}

static bool
is_hexc(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* s in h; with whole_groups (the dashed forms), not inside a longer hex
 * group: "2001-db8-1-2" is neither in "2001-db8-1-23" nor in
 * "12001-db8-1-2".  Nibble forms may run on: a /64's nibbles are followed
 * by the interface's. */
static bool
find_mark(const char *h, size_t hlen, const char *s, bool whole_groups,
    struct cl_ipm *out, int strength, const char *desc)
{
	size_t n = strlen(s);
	const char *p = h, *end = h + hlen;

	while ((p = memmem(p, (size_t)(end - p), s, n)) != NULL &&
	    whole_groups && ((p > h && is_hexc(p[-1])) ||
	    (p + n < end && is_hexc(p[n]))))
		p++;
	if (p == NULL)
		return false;
	out->strength = strength;
	out->desc[0] = '\0';
	cat(out->desc, sizeof(out->desc), desc);
	return true;
}

static void
match_v6(const char *h, size_t hlen, const struct addr *ip,
    struct cl_ipm *out)
{
	const unsigned char *a = ip->a;
	char nib[33], arpa[64], dashed[48], padded[48], text[ADDR_STRLEN];
	size_t i, o = 0, p = 0, pfx = 0;

	for (i = 0; i < 16; i++) {
		nib[2 * i] = hexdig[a[i] >> 4];
		nib[2 * i + 1] = hexdig[a[i] & 15];
	}
	nib[32] = '\0';
	for (i = 0; i < 32; i++) {
		arpa[2 * i] = nib[31 - i];
		arpa[2 * i + 1] = '.';
	}
	arpa[63] = '\0';
	for (i = 0; i < 8; i++) {
		const char *g = nib + 4 * i;
		size_t lead = 0;

		if (i) {
			dashed[o++] = '-';
			padded[p++] = '-';
		}
		while (lead < 3 && g[lead] == '0')
			lead++;
		memcpy(dashed + o, g + lead, 4 - lead);
		o += 4 - lead;
		memcpy(padded + p, g, 4);
		p += 4;
		if (i == 3)
			pfx = o;
	}
	dashed[o] = padded[p] = '\0';
	addr_format(ip, text, sizeof(text));
	for (i = 0; text[i]; i++)
		if (text[i] == ':')
			text[i] = '-';
	if (find_mark(h, hlen, nib, false, out, 4, "v6-nibbles") ||
	    find_mark(h, hlen, arpa, false, out, 4, "v6-arpa") ||
	    find_mark(h, hlen, padded, true, out, 4, "v6-padded-dashed") ||
	    find_mark(h, hlen, dashed, true, out, 4, "v6-dashed") ||
	    (strchr(text, '.') == NULL &&
	    find_mark(h, hlen, text, true, out, 4, "v6-dashed-compressed")))
		return;
	nib[16] = '\0';
	dashed[pfx] = '\0';
	if (find_mark(h, hlen, nib, false, out, 3, "v6-nibbles(/64)"))
		return;
	padded[19] = '\0';
	if (find_mark(h, hlen, padded, true, out, 3, "v6-padded-dashed(/64)"))
		return;
	(void)find_mark(h, hlen, dashed, true, out, 3, "v6-dashed(/64)");
}

void
classify_ip_find(const char *h, size_t hlen, const struct cl_num *num,
    int nnum, int hexrun, const struct addr *ip, struct cl_ipm *out)
{
	out->strength = out->pool = 0;
	out->desc[0] = '\0';
	if (ip == NULL || hlen == 0)
		return;
	if (ip->family == AF_INET)
		match_v4(h, hlen, num, nnum, hexrun, ip->a, out);
	else
		match_v6(h, hlen, ip, out);
}

static bool
is_octet(const char *h, const struct cl_num *n)
{
	int len = n->end - n->start, v = 0, i;

	if (len < 1 || len > 3)
		return false;
	for (i = 0; i < len; i++)
		v = v * 10 + (h[n->start + i] - '0');
	return v <= 255;
}

void
classify_ip_shape(const char *h, size_t hlen, const struct cl_num *num,
    int nnum, struct cl_ipm *out)
{
	int i, run = 0, best = 0, small = 0, concat = 0;
	size_t s, e;

	out->strength = out->pool = 0;
	out->desc[0] = '\0';
	for (i = 0; i < nnum; i++) {
		bool oct = is_octet(h, &num[i]);

		small += oct;
		if (oct && run > 0 && sep_bit(h, &num[i - 1], &num[i]))
			run++;
		else
			run = oct;
		if (run > best)
			best = run;
		if (num[i].end - num[i].start == 12) {
			struct cl_num g[4];
			int q;

			for (q = 0; q < 4; q++)
				g[q] = (struct cl_num){ (uint16_t)(num[i].start + 3 * q),
				    (uint16_t)(num[i].start + 3 * q + 3), -1, 0 };
			if (is_octet(h, &g[0]) && is_octet(h, &g[1]) &&
			    is_octet(h, &g[2]) && is_octet(h, &g[3]))
				best = concat = 4;
		}
	}
	if (best >= 3) {
		out->strength = best >= 4 || small >= 4 ? 4 : 3;
		out->pool = concat;
		cat(out->desc, sizeof(out->desc), out->strength == 4 ?
		    "iplike(4)" : "iplike(3)");
		return;
	}
	/* a hex blob: >= 8 hex digits with both digits and letters */
	for (s = 0; s < hlen; s = e + 1) {
		int digits = 0, letters = 0;

		for (e = s; e < hlen && is_hexc(h[e]); e++) {
			if (h[e] <= '9')
				digits++;
			else
				letters++;
		}
		if (e - s >= 8 && digits >= 2 && letters >= 1) {
			out->strength = 4;
			out->pool = 1;
			cat(out->desc, sizeof(out->desc), "hexlike");
			return;
		}
	}
}
