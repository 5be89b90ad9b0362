/*
 * t/dnsmsg.c - the DNS reply parser and reverse names, table-driven, on
 * packets built here byte by byte.
 */
#include <string.h>

#include "common/addr.h"
#include "policyd/dnsmsg.h"
#include "t/tap.h"

struct pkt {
	unsigned char b[4096];
	size_t n;
};

static void put8(struct pkt *p, unsigned v) { p->b[p->n++] = (unsigned char)v; }
static void put16(struct pkt *p, unsigned v) { put8(p, v >> 8); put8(p, v & 0xff); }
static void put32(struct pkt *p, unsigned long v) { put16(p, (unsigned)(v >> 16)); put16(p, (unsigned)(v & 0xffff)); }

/* "a.b.c" as labels; a label may hold any byte except '.'; "\x01" is kept. */
static void
putname(struct pkt *p, const char *name)
{
	while (*name) {
		size_t l = strcspn(name, ".");
		put8(p, (unsigned)l);
		memcpy(p->b + p->n, name, l);
		p->n += l;
		name += l;
		if (*name == '.')
			name++;
	}
	put8(p, 0);
}

static void
header(struct pkt *p, unsigned flags, unsigned rcode, unsigned an, unsigned ns)
{
	p->n = 0;
	put16(p, 0x1234);
	put16(p, flags | rcode);
	put16(p, 1);
	put16(p, an);
	put16(p, ns);
	put16(p, 0);
}

static void
question(struct pkt *p, const char *name, unsigned type)
{
	putname(p, name);
	put16(p, type);
	put16(p, 1);
}

/* An RR whose owner is a pointer to the question name (offset 12). */
static void
rr_head(struct pkt *p, unsigned type, unsigned long ttl, unsigned rdlen)
{
	put16(p, 0xc00c);
	put16(p, type);
	put16(p, 1);
	put32(p, ttl);
	put16(p, rdlen);
}

static void
rr_ptr(struct pkt *p, unsigned long ttl, const char *target)
{
	struct pkt t = { .n = 0 };

	putname(&t, target);
	rr_head(p, DNS_T_PTR, ttl, (unsigned)t.n);
	memcpy(p->b + p->n, t.b, t.n);
	p->n += t.n;
}

static void
rr_a(struct pkt *p, unsigned long ttl, unsigned a, unsigned b, unsigned c,
    unsigned d)
{
	rr_head(p, DNS_T_A, ttl, 4);
	put8(p, a); put8(p, b); put8(p, c); put8(p, d);
}

static void
rr_soa(struct pkt *p, unsigned long ttl, unsigned long minimum)
{
	rr_head(p, 6, ttl, 2 + 2 + 20);
	put16(p, 0xc00c);               /* mname */
	put16(p, 0xc00c);               /* rname */
	put32(p, 1); put32(p, 2); put32(p, 3); put32(p, 4); put32(p, minimum);
}

#define QR 0x8000

static void
test_ptr(void)
{
	struct pkt p;
	struct dns_answer a;

	header(&p, QR, 0, 1, 0);
	question(&p, "7.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_ptr(&p, 3600, "DSL-7.Example.NET");
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_PTR, &a), 0, "PTR parses");
	is_int(a.status, DNS_OK, "PTR ok");
	is_int((long long)a.n, 1, "one name");
	is_str(a.n ? a.names[0] : NULL, "dsl-7.example.net", "lowercased, no dot");
	is_int(a.ttl, 3600, "PTR ttl");
	dns_answer_release(&a);

	/* A name with a compression pointer inside the PTR target. */
	header(&p, QR, 0, 1, 0);
	question(&p, "7.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_head(&p, DNS_T_PTR, 60, 6);
	put8(&p, 3); memcpy(p.b + p.n, "cpe", 3); p.n += 3;
	put16(&p, 0xc000 | (12 + 2 + 2));         /* -> "0.192.in-addr.arpa" */
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_PTR, &a), 0, "compressed target");
	is_str(a.n ? a.names[0] : NULL, "cpe.0.192.in-addr.arpa", "pointer followed");
	dns_answer_release(&a);

	/* Bad bytes in the name: the record is skipped -> nodata. */
	header(&p, QR, 0, 2, 0);
	question(&p, "7.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_ptr(&p, 60, "bad name.example");
	rr_ptr(&p, 60, "x\x01y.example");
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_PTR, &a), 0, "bad names parse");
	is_int(a.status, DNS_NOTFOUND, "unusable names are no PTR");
	is_str(a.why, "nodata", "why nodata");
	dns_answer_release(&a);

	/* A CNAME first (classless delegation), then the PTR. */
	header(&p, QR, 0, 2, 0);
	question(&p, "7.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_head(&p, 5, 60, 2);
	put16(&p, 0xc00c);
	rr_ptr(&p, 30, "host.example");
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_PTR, &a), 0, "cname + ptr");
	is_str(a.n ? a.names[0] : NULL, "host.example", "ptr after cname");
	is_int(a.ttl, 30, "ttl of the kept record");
	dns_answer_release(&a);
}

static void
test_addr_and_negative(void)
{
	struct pkt p;
	struct dns_answer a;
	char txt[ADDR_STRLEN];

	header(&p, QR, 0, 2, 0);
	question(&p, "h.example", DNS_T_A);
	rr_a(&p, 300, 192, 0, 2, 7);
	rr_a(&p, 100, 192, 0, 2, 8);
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_A, &a), 0, "A parses");
	is_int((long long)a.n, 2, "two addresses");
	is_str(a.n == 2 ? addr_format(&a.addrs[1], txt, sizeof(txt)) : NULL,
	    "192.0.2.8", "second address");
	is_int(a.ttl, 100, "smallest ttl");
	dns_answer_release(&a);

	header(&p, QR, 3, 0, 1);
	question(&p, "h.example", DNS_T_A);
	rr_soa(&p, 900, 120);
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_A, &a), 0, "NXDOMAIN parses");
	is_int(a.status, DNS_NOTFOUND, "NXDOMAIN is notfound");
	is_str(a.why, "nxdomain", "why nxdomain");
	is_int(a.ttl, 120, "negative ttl = min(soa ttl, minimum)");
	dns_answer_release(&a);

	header(&p, QR, 0, 0, 0);
	question(&p, "h.example", DNS_T_AAAA);
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_AAAA, &a), 0, "NODATA parses");
	is_int(a.status, DNS_NOTFOUND, "NODATA is notfound");
	is_int(a.ttl, DNSMSG_TTL_NONE, "no SOA: no ttl");
	dns_answer_release(&a);

	/* An A record in an AAAA answer is ignored. */
	header(&p, QR, 0, 1, 0);
	question(&p, "h.example", DNS_T_AAAA);
	rr_a(&p, 300, 192, 0, 2, 7);
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_AAAA, &a), 0, "mismatched type");
	is_int(a.status, DNS_NOTFOUND, "other types ignored");
	dns_answer_release(&a);
}

static const struct {
	unsigned rcode;
	enum dns_status st;
	const char *why;
} rcodes[] = {
	{ 2, DNS_TEMPFAIL, "servfail" },
	{ 5, DNS_TEMPFAIL, "refused" },
	{ 4, DNS_TEMPFAIL, "bad rcode" },
	{ 3, DNS_NOTFOUND, "nxdomain" },
};

static void
test_rcodes(void)
{
	for (size_t i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
		struct pkt p;
		struct dns_answer a;

		header(&p, QR, rcodes[i].rcode, 0, 0);
		question(&p, "h.example", DNS_T_A);
		is_int(dnsmsg_parse(p.b, p.n, DNS_T_A, &a), 0, "rcode %u", rcodes[i].rcode);
		is_int(a.status, rcodes[i].st, "rcode %u status", rcodes[i].rcode);
		is_str(a.why, rcodes[i].why, "rcode %u why", rcodes[i].rcode);
		dns_answer_release(&a);
	}
}

static void
test_malformed(void)
{
	struct pkt p, q;
	struct dns_answer a;

	header(&p, QR, 0, 1, 0);
	question(&p, "7.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_ptr(&p, 60, "host.example");
	for (size_t cut = 0; cut < p.n; cut++)
		if (dnsmsg_parse(p.b, cut, DNS_T_PTR, &a) == 0) {
			ok(0, "truncated at %zu refused", cut);
			dns_answer_release(&a);
			return;
		}
	ok(1, "every truncation refused");

	q = p;
	q.b[2] &= 0x7f;                         /* a query, not a reply */
	is_int(dnsmsg_parse(q.b, q.n, DNS_T_PTR, &a), -1, "QR=0 refused");

	header(&p, QR, 0, 0, 0);
	put8(&p, 1); put8(&p, 'a');
	put16(&p, 0xc000 | 12);                 /* points at itself-ish */
	put16(&p, DNS_T_A); put16(&p, 1);
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_A, &a), -1, "pointer loop refused");

	header(&p, QR, 0, 0, 0);
	put16(&p, 0xc000 | 40);                 /* forward pointer */
	put16(&p, DNS_T_A); put16(&p, 1);
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_A, &a), -1, "forward pointer refused");
}

static const struct {
	const char *ip, *zone, *want;
} revs[] = {
	{ "192.0.2.7", NULL, "7.2.0.192.in-addr.arpa" },
	{ "192.0.2.7", "pbl.test", "7.2.0.192.pbl.test" },
	{ "2001:db8::77", NULL,
	  "7.7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
	{ "2001:db8::1:ab", "zen.example",
	  "b.a.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example" },
	{ "::ffff:192.0.2.9", NULL, "9.2.0.192.in-addr.arpa" },
};

/* dnsmsg_name_ok() works 8 bytes at a time: the same answers as the
 * rule written byte by byte, on names made to hit every edge (dots next to
 * each other and across 8-byte words, the bytes around 0x20 and 0x7f,
 * quotes, backslashes, high bytes). */
static bool
name_ok_ref(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"')
			return false;
		if (c == '.' && (i == 0 || name[i - 1] == '.'))
			return false;
	}
	return true;
}

static void
test_name_ok_random(void)
{
	static const unsigned char pick[] = { 'a', 'z', 'A', '0', '-', '.',
		'.', '.', '/', '-', 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xff, '\\',
		'"', 0x01, 0x1f, '_', '*' };
	char name[DNS_NAME_MAX + 8];
	unsigned long x = 12345, wrong = 0, oks = 0;

	for (int t = 0; t < 300000; t++) {
		size_t n, i;

		x = x * 6364136223846793005ul + 1442695040888963407ul;
		n = (size_t)(x >> 33) % 40 + 1;
		if (t % 1000 == 0)
			n = DNS_NAME_MAX + (t / 1000) % 3 - 1;    /* the limit */
		for (i = 0; i < n; i++) {
			x = x * 6364136223846793005ul + 1442695040888963407ul;
			/* mostly plain letters, so that many names are fine */
			name[i] = (char)((x >> 40) % 4 ? 'a' + (x >> 45) % 26 :
			    pick[(x >> 50) % sizeof(pick)]);
		}
		name[n] = '\0';
		oks += name_ok_ref(name);
		wrong += dnsmsg_name_ok(name) != name_ok_ref(name);
	}
	is_int((long)wrong, 0, "name_ok: the byte rule's answer on 300,000 names");
	ok(oks > 10000 && oks < 290000, "name_ok: both answers among them (%lu ok)", oks);
}

static void
test_revname(void)
{
	char buf[160];

	for (size_t i = 0; i < sizeof(revs) / sizeof(revs[0]); i++) {
		struct addr a;

		addr_parse(&a, revs[i].ip);
		dnsmsg_revname(&a, revs[i].zone, buf, sizeof(buf));
		is_str(buf, revs[i].want, "revname %s %s", revs[i].ip,
		    revs[i].zone ? revs[i].zone : "");
	}
	{
		struct addr a;
		addr_parse(&a, "2001:db8::77");
		is_int(dnsmsg_revname(&a, "x", buf, 20), -1, "small buffer");
	}
	{       /* every octet value in every place, against printf */
		struct addr a = { .family = AF_INET };
		char want[64];
		int wrong = 0;

		for (unsigned v = 0; v < 256; v++) {
			unsigned o[4] = { v, 255 - v, v * 7 % 256, v / 3 };

			for (int i = 0; i < 4; i++)
				a.a[i] = (unsigned char)o[i];
			snprintf(want, sizeof(want), "%u.%u.%u.%u.in-addr.arpa",
			    o[3], o[2], o[1], o[0]);
			dnsmsg_revname(&a, NULL, buf, sizeof(buf));
			wrong += strcmp(buf, want) != 0;
		}
		is_int(wrong, 0, "revname: every octet value in every place");
	}
	ok(dnsmsg_name_ok("mail.example.net"), "name ok");
	ok(!dnsmsg_name_ok("a..b"), "empty label");
	ok(!dnsmsg_name_ok("a b"), "space");
	ok(!dnsmsg_name_ok(""), "empty");
	test_name_ok_random();
}

/* Many records: one PTR name is kept, the first usable; addresses up to
 * DNS_ADDRS_MAX, so a client among a cluster's 40 is found. */
static void
test_many(void)
{
	struct dns_answer a;
	struct pkt p;
	int i;

	header(&p, QR, 0, 4, 0);
	question(&p, "7.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_ptr(&p, 60, "bad name.example");
	rr_ptr(&p, 60, "first.example");
	rr_ptr(&p, 60, "second.example");
	rr_ptr(&p, 60, "third.example");
	is_int(dnsmsg_parse(p.b, p.n, DNS_T_PTR, &a), 0, "4 PTRs parse");
	ok(a.n == 1 && strcmp(a.names[0], "first.example") == 0,
	    "one name kept, the first usable (%zu kept)", a.n);
	dns_answer_release(&a);

	/* 40 records: all kept; 200: the first DNS_ADDRS_MAX */
	for (int n = 40; n <= 200; n += 160) {
		size_t want = n < DNS_ADDRS_MAX ? (size_t)n : DNS_ADDRS_MAX;

		header(&p, QR, 0, (unsigned)n, 0);
		question(&p, "cluster.example", DNS_T_A);
		for (i = 0; i < n; i++)
			rr_a(&p, 60, 192, 0, 2, (unsigned)i);
		is_int(dnsmsg_parse(p.b, p.n, DNS_T_A, &a), 0,
		    "%d A records parse", n);
		ok(a.n == want && a.addrs[want - 1].a[3] == want - 1 &&
		    a.addrs[16].a[3] == 16, "%zu of %d kept, in order (%zu)",
		    want, n, a.n);
		dns_answer_release(&a);
	}
}

int
main(void)
{
	test_ptr();
	test_many();
	test_addr_and_negative();
	test_rcodes();
	test_malformed();
	test_revname();
	return done_testing();
}
