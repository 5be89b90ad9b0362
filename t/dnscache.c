/*
 * t/dnscache.c - the DNS answer cache: TTL expiry, negative entries, LRU
 * eviction, replacement, shrinking; the dns: config section; dns_get()
 * applying a reloaded section that sits where the freed one was.
 */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/dns.h"
#include "policyd/dnscache.h"
#include "policyd/dnscheck.h"
#include "policyd/dnsconf.h"
#include "policyd/dnsmsg.h"
#include "t/tap.h"

static struct dns_answer
ptr_answer(const char *name)
{
	struct dns_answer a = { .qtype = DNS_T_PTR, .status = DNS_OK, .ttl = 60 };

	a.names = xcalloc(1, sizeof(char *));
	a.names[0] = xstrdup(name);
	a.n = 1;
	return a;
}

static void
test_cache(void)
{
	struct dnscache *c = dnscache_new(3);
	struct dns_answer a = ptr_answer("h1.example");
	struct dns_answer nx = { .qtype = DNS_T_PTR, .status = DNS_NOTFOUND,
		.why = "nxdomain" };
	const struct dns_answer *g;
	struct dnscache_stats st;

	ok(dnscache_get(c, DNS_T_PTR, "1.in-addr.arpa", 0) == NULL, "empty miss");
	dnscache_put(c, DNS_T_PTR, "1.in-addr.arpa", &a, 60, 100);
	g = dnscache_get(c, DNS_T_PTR, "1.in-addr.arpa", 159.9);
	ok(g != NULL && g->n == 1 && strcmp(g->names[0], "h1.example") == 0,
	    "hit before expiry, deep copy");
	ok(dnscache_get(c, DNS_T_A, "1.in-addr.arpa", 100) == NULL,
	    "type is part of the key");
	ok(dnscache_get(c, DNS_T_PTR, "1.in-addr.arpa", 160) == NULL,
	    "expired at now + ttl");
	dnscache_put(c, DNS_T_PTR, "2", &nx, 30, 0);
	g = dnscache_get(c, DNS_T_PTR, "2", 10);
	ok(g != NULL && g->status == DNS_NOTFOUND, "negative entry kept");
	dnscache_put(c, DNS_T_PTR, "3", &a, 0, 0);
	ok(dnscache_get(c, DNS_T_PTR, "3", 0) == NULL, "ttl 0 is not stored");

	/* Second chance: "2" was hit; a, b, c in: "2" (tail, hit) survives
	 * once and the oldest unhit entry, a, goes; then touch c and add d:
	 * "2" and b are unhit and older than c: "2" goes first. */
	dnscache_put(c, DNS_T_PTR, "a", &a, 60, 0);
	dnscache_put(c, DNS_T_PTR, "b", &a, 60, 0);
	dnscache_put(c, DNS_T_PTR, "c", &a, 60, 0);
	ok(dnscache_get(c, DNS_T_PTR, "2", 1) != NULL, "hit entry had a second chance");
	ok(dnscache_get(c, DNS_T_PTR, "a", 1) == NULL, "oldest unhit entry evicted");
	ok(dnscache_get(c, DNS_T_PTR, "c", 1) != NULL, "c there");
	dnscache_put(c, DNS_T_PTR, "d", &a, 60, 0);
	ok(dnscache_get(c, DNS_T_PTR, "b", 1) == NULL, "b (never hit) evicted");
	ok(dnscache_get(c, DNS_T_PTR, "c", 1) != NULL, "recently hit stays");
	dnscache_put(c, DNS_T_PTR, "e", &a, 60, 0);
	ok(dnscache_get(c, DNS_T_PTR, "d", 1) == NULL, "d (never hit) evicted");
	ok(dnscache_get(c, DNS_T_PTR, "2", 1) != NULL && dnscache_get(c,
	    DNS_T_PTR, "c", 1) != NULL && dnscache_get(c, DNS_T_PTR, "e", 1),
	    "hit entries stay, newest in");

	/* Replacing an entry keeps one entry. */
	dnscache_put(c, DNS_T_PTR, "c", &nx, 60, 0);	/* 2, c, e */
	g = dnscache_get(c, DNS_T_PTR, "c", 1);
	ok(g != NULL && g->status == DNS_NOTFOUND, "replaced");
	dnscache_stats(c, &st);
	is_int((long long)st.entries, 3, "three entries");
	dnscache_set_max(c, 1);
	dnscache_stats(c, &st);
	is_int((long long)st.entries, 1, "shrunk to one");
	ok(st.evicted >= 4, "evictions counted");
	{       /* addresses are copied too */
		struct dns_answer aa = { .qtype = DNS_T_A, .status = DNS_OK,
			.ttl = 60, .n = 2 };
		struct addr ad[2];
		addr_parse(&ad[0], "192.0.2.1");
		addr_parse(&ad[1], "2001:db8::1");
		aa.addrs = ad;
		dnscache_put(c, DNS_T_A, "x", &aa, 60, 0);
		memset(ad, 0, sizeof(ad));
		g = dnscache_get(c, DNS_T_A, "x", 1);
		ok(g != NULL && g->n == 2 && g->addrs[1].family == AF_INET6 &&
		    g->addrs[0].a[3] == 1, "addresses copied into the entry");
	}
	dnscache_free(c);
	dnscache_free(NULL);

	/* Many entries: the table grows, all found. */
	c = dnscache_new(5000);
	for (int i = 0; i < 5000; i++) {
		char k[32];
		snprintf(k, sizeof(k), "%d.example", i);
		dnscache_put(c, DNS_T_A, k, &a, 60, 0);
	}
	int found = 0;
	for (int i = 0; i < 5000; i++) {
		char k[32];
		snprintf(k, sizeof(k), "%d.example", i);
		found += dnscache_get(c, DNS_T_A, k, 1) != NULL;
	}
	is_int(found, 5000, "5000 entries all found");
	dnscache_free(c);

	/* Keys are bytes, not strings: dns.c keys an address's PTR as a NUL,
	 * a length and the address, so keys that differ only after a NUL are
	 * different entries, and none of them is the empty name. */
	c = dnscache_new(10);
	{
		static const char k1[] = { 0, 4, 192, 0, 2, 1 };
		static const char k2[] = { 0, 4, 192, 0, 2, 2 };
		struct dns_answer b = ptr_answer("h2.example");
		uint32_t h1 = dnscache_hash(DNS_T_PTR, k1, sizeof(k1));
		uint32_t h2 = dnscache_hash(DNS_T_PTR, k2, sizeof(k2));

		dnscache_put_hashed(c, DNS_T_PTR, k1, sizeof(k1), h1, &a, 60, 0);
		dnscache_put_hashed(c, DNS_T_PTR, k2, sizeof(k2), h2, &b, 60, 0);
		g = dnscache_get_hashed(c, DNS_T_PTR, k1, sizeof(k1), h1, 1);
		ok(g != NULL && strcmp(g->names[0], "h1.example") == 0,
		    "a key with a NUL: found with its own answer");
		g = dnscache_get_hashed(c, DNS_T_PTR, k2, sizeof(k2), h2, 1);
		ok(g != NULL && strcmp(g->names[0], "h2.example") == 0,
		    "a key differing after the NUL: the other answer");
		ok(dnscache_get(c, DNS_T_PTR, "", 1) == NULL,
		    "the empty name is neither");
		dnscache_stats(c, &st);
		is_int((long long)st.entries, 2, "two entries");
		dns_answer_release(&b);
	}
	dnscache_free(c);
	dns_answer_release(&a);
}

/*
 * Churn against a model: puts (new keys and replacements), gets after
 * expiry (which remove the entry) and time passing, over 300 keys in a
 * cache that never evicts, so the table both grows and loses entries in
 * the middle of its probe runs.  A live key must always be found with its
 * last answer, a dead one never.
 */
static void
test_churn(void)
{
	enum { NKEYS = 300, OPS = 200000 };
	static double until[NKEYS];     /* 0: never put, or expired */
	static int val[NKEYS];
	struct dnscache *c = dnscache_new(NKEYS);
	unsigned long long x = 88172645463325252ull;
	int wrong = 0, hits = 0, misses = 0;
	double now = 1;
	char k[32], v[32];

	for (int op = 0; op < OPS; op++) {
		unsigned r, i;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;        /* xorshift64 */
		r = (unsigned)(x >> 32);
		i = r % NKEYS;
		snprintf(k, sizeof(k), "%u.%u.in-addr.arpa", i * 7919u, i);
		if (r >> 30 == 0) {                     /* a quarter: put */
			struct dns_answer a;

			val[i] = op;
			snprintf(v, sizeof(v), "h%d.example", op);
			a = ptr_answer(v);
			dnscache_put(c, DNS_T_PTR, k, &a, 1 + (r >> 8) % 4, now);
			until[i] = now + 1 + (r >> 8) % 4;
			dns_answer_release(&a);
		} else if (r >> 30 == 1) {              /* time passes */
			now += 0.01;
		} else {                                /* get */
			const struct dns_answer *g;

			g = dnscache_get(c, DNS_T_PTR, k, now);
			snprintf(v, sizeof(v), "h%d.example", val[i]);
			if (until[i] > now) {
				hits++;
				wrong += g == NULL || strcmp(g->names[0], v) != 0;
			} else {
				misses++;
				wrong += g != NULL;
				until[i] = 0;
			}
		}
	}
	is_int(wrong, 0, "churn: %d hits and %d misses as the model says",
	    hits, misses);
	ok(hits > 10000 && misses > 10000, "churn: both kinds seen");
	dnscache_free(c);
}

static const struct {
	const char *yaml;
	const char *err;        /* substring of the first error, NULL: ok */
} confs[] = {
	{ "dns: { servers: [\"127.0.0.1:5353\", \"[::1]:53\", \"192.0.2.1\", \"2001:db8::1\"] }", NULL },
	{ "dns: { servers: [\"localhost:53\"] }", "1:18: dns server \"localhost:53\": not an IP" },
	{ "dns: { servers: [\"127.0.0.1:99999\"] }", "bad port" },
	{ "dns: { timeout_ms: 5 }", "1:20: duration too small" },
	{ "dns: { timeout_ms: 500, forward_confirm: true, ptr: false }", NULL },
	{ "dns: { tempfail_action: \"DEFER_IF_PERMIT try later\" }", NULL },
	{ "dns: { tempfail_action: \"FROB\" }", "unknown action" },
	{ "dns: { tempfail_action: \"450 4.7.1 later\" }", NULL },
	{ "dns: { bogus: 1 }", "bogus" },
	{ "dns: { cache_size: 0 }", "1:20: number too small" },
	{ "dns: { min_ttl: 1h, max_ttl: 1m }", "min_ttl is above max_ttl" },
	{ "dns:\n  dnsbl:\n    - zone: pbl.test\n      codes: { 127.0.0.10: dynamic, \"127.0.0.2-127.0.0.9\": static }\n", NULL },
	{ "dns:\n  dnsbl:\n    - zone: pbl.test\n      codes: { 127.0.0.10: purple }\n", "4:28: \"purple\" is not one of" },
	{ "dns:\n  dnsbl:\n    - zone: pbl.test\n      codes: { 127.0.0.300: dynamic }\n", "4:16: code: expected" },
	{ "dns:\n  dnsbl:\n    - zone: pbl.test\n", "3:7: dnsbl: missing \"codes\"" },
	{ "dns:\n  dnsbl:\n    - codes: { 127.0.0.2: dynamic }\n", "missing \"zone\"" },
	{ "dns:\n  dnsbl:\n    - zone: \"bad zone\"\n      codes: { 127.0.0.2: dynamic }\n", "not a domain" },
	{ "dns:\n  dnsbl:\n    - zone: pbl..test\n      codes: { 127.0.0.2: dynamic }\n", "3:13: zone: an empty label" },
	{ "dns:\n  dnsbl:\n    - zone: .pbl.test\n      codes: { 127.0.0.2: dynamic }\n", "3:13: zone: an empty label" },
	{ "dns:\n  dnsbl:\n    - zone: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test\n      codes: { 127.0.0.2: dynamic }\n", NULL },
	{ "dns:\n  dnsbl:\n    - zone: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test\n      codes: { 127.0.0.2: dynamic }\n", "3:13: zone: a label longer than 63 bytes" },
};

static void
test_conf(void)
{
	for (size_t i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
		struct ydoc *doc = ydoc_load_mem("t.yaml", confs[i].yaml,
		    strlen(confs[i].yaml));
		struct dns_config dc;
		int rc;

		memset(&dc, 0, sizeof(dc));
		rc = dnsconf_parse(doc, ymap_get(doc->root, "dns"), &dc);
		if (confs[i].err == NULL) {
			if (!ok(rc == 0 && doc->nerrs == 0, "conf %zu ok", i))
				diag("got %s", doc->nerrs ? doc->errs[0] : "rc -1");
		} else {
			if (!ok(rc < 0 && doc->nerrs > 0 &&
			    strstr(doc->errs[0], confs[i].err) != NULL,
			    "conf %zu: %s", i, confs[i].err))
				diag("got %s", doc->nerrs ? doc->errs[0] : "no error");
		}
		if (i == 0) {
			char *csv = dnsconf_servers_csv(&dc);
			is_str(csv, "127.0.0.1:5353,[::1]:53,192.0.2.1:53,[2001:db8::1]:53",
			    "servers canonical for c-ares");
			free(csv);
		}
		if (i == 11) {
			ok(dc.nzones == 1 && dc.zones[0].ncodes == 2, "zone parsed");
			is_str(dnsconf_code_class(&dc.zones[0], 0x7f00000a), "dynamic",
			    "code 127.0.0.10");
			is_str(dnsconf_code_class(&dc.zones[0], 0x7f000005), "static",
			    "range");
			ok(dnsconf_code_class(&dc.zones[0], 0x7f00000b) == NULL,
			    "unmapped code");
		}
		dnsconf_release(&dc);
		ydoc_free(doc);
	}
	/* the longest zone whose queries all fit in a DNS name */
	for (int l = DNSCONF_ZONE_MAX; l <= DNSCONF_ZONE_MAX + 1; l++) {
		char zone[DNSCONF_ZONE_MAX + 2], yaml[512], q[DNS_NAME_MAX + 1];
		struct ydoc *doc;
		struct dns_config dc;
		struct addr a;
		int rc;

		for (int k = 0; k < l; k++)     /* "aaa...a.b.test", l bytes */
			zone[k] = k % 50 == 49 ? '.' : 'a';
		memcpy(zone + l - 7, ".b.test", 8);
		snprintf(yaml, sizeof(yaml), "dns:\n  dnsbl:\n    - zone: %s\n"
		    "      codes: { 127.0.0.2: dynamic }\n", zone);
		doc = ydoc_load_mem("t.yaml", yaml, strlen(yaml));
		memset(&dc, 0, sizeof(dc));
		rc = dnsconf_parse(doc, ymap_get(doc->root, "dns"), &dc);
		if (l == DNSCONF_ZONE_MAX) {
			addr_parse(&a, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
			q[0] = '\0';
			ok(rc == 0 && dnsmsg_revname(&a, zone, q, sizeof(q)) == 0,
			    "a zone of %d bytes: accepted, its IPv6 query made", l);
			is_int((long)strlen(q), DNS_NAME_MAX, "... of 253 bytes");
		} else
			ok(rc < 0 && doc->nerrs == 1 && strstr(doc->errs[0],
			    "t.yaml:3:13: zone: longer than 189 bytes") != NULL,
			    "a zone of %d bytes refused: %s", l,
			    doc->nerrs ? doc->errs[0] : "no error");
		dnsconf_release(&dc);
		ydoc_free(doc);
	}
	{
		struct dns_config dc;
		memset(&dc, 0, sizeof(dc));
		is_int(dnsconf_timeout_ms(&dc), DNSCONF_TIMEOUT_MS_DEFAULT, "default timeout");
		is_str(dnsconf_tempfail_action(&dc), "DUNNO", "default tempfail DUNNO");
		is_int(dnsconf_min_ttl(&dc), DNSCONF_MIN_TTL_DEFAULT_S, "default min ttl");
	}
}

/* Parse a dns: section with cache_size n into *dc (the same storage each
 * time, as a reloaded configuration may be given the freed one's). */
static void
conf_at(struct dns_config *dc, int n)
{
	char yaml[128];
	struct ydoc *doc;

	snprintf(yaml, sizeof(yaml),
	    "dns:\n  servers: [ \"127.0.0.1:53\" ]\n  cache_size: %d\n", n);
	doc = ydoc_load_mem("t.yaml", yaml, strlen(yaml));
	memset(dc, 0, sizeof(*dc));
	if (dnsconf_parse(doc, ymap_get(doc->root, "dns"), dc) < 0)
		diag("dns: section rejected");
	ydoc_free(doc);
}

static void
test_reload_same_address(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct dns_config dc;
	struct dns_stats st;
	struct dns *d;

	conf_at(&dc, 1000);
	d = dns_get(loop, &dc);
	ok(d != NULL, "reload: resolver made");
	dns_stats(d, &st);
	is_int((int)st.cache.max, 1000, "reload: cache_size of the first section");
	dnsconf_release(&dc);
	conf_at(&dc, 2000);             /* the next configuration, same address */
	dns_reload();
	dns_stats(dns_get(loop, &dc), &st);
	is_int((int)st.cache.max, 2000, "reload: the new section applied");
	dns_stats(dns_get(loop, &dc), &st);
	is_int((int)st.cache.max, 2000, "reload: and kept");
	dnsconf_release(&dc);
	dns_shutdown();
	ev_loop_destroy(loop);
}

/* The byte budget: answers of ordinary size fill the cache by count;
 * long ones (128 addresses, which whoever owns a zone can serve for
 * every name) fill it by bytes, and its memory stays bounded. */
static void
test_bytes(void)
{
	struct dnscache *c = dnscache_new(1000);
	struct dns_answer a = { .qtype = DNS_T_A, .status = DNS_OK, .ttl = 60 };
	struct dnscache_stats st;
	char name[DNS_NAME_MAX + 1];
	int i;

	for (i = 0; i < 1000; i++) {
		struct dns_answer p;

		snprintf(name, sizeof(name), "%d.0.2.192.in-addr.arpa", i);
		p = ptr_answer("dsl-192-0-2-1.dynamic.a-rather-long-provider-name.example.net");
		dnscache_put(c, DNS_T_PTR, name, &p, 60, 0);
		dns_answer_release(&p);
	}
	dnscache_stats(c, &st);
	ok(st.entries == 1000 && st.bytes <= st.max_bytes,
	    "1,000 PTRs of 60-byte names: all kept (%zu), by count "
	    "(%zu of %zu bytes)", st.entries, st.bytes, st.max_bytes);
	a.n = DNS_ADDRS_MAX;
	a.addrs = xcalloc(a.n, sizeof(struct addr));
	for (size_t k = 0; k < a.n; k++)
		addr_parse(&a.addrs[k], "192.0.2.1");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "h%d.long.example", i);
		dnscache_put(c, DNS_T_A, name, &a, 60, 0);
	}
	dnscache_stats(c, &st);
	ok(st.bytes <= st.max_bytes && st.entries < 200,
	    "1,000 answers of %d addresses: %zu kept, %zu of %zu bytes",
	    DNS_ADDRS_MAX, st.entries, st.bytes, st.max_bytes);
	ok(dnscache_get(c, DNS_T_A, "h999.long.example", 0) != NULL,
	    "the newest is in");
	dnscache_set_max(c, 10);
	dnscache_stats(c, &st);
	ok(st.bytes <= st.max_bytes || st.entries == 1,
	    "shrunk to 10: %zu kept, %zu of %zu bytes", st.entries, st.bytes,
	    st.max_bytes);
	dnscache_free(c);
	c = dnscache_new(1);
	dnscache_put(c, DNS_T_A, "big.example", &a, 60, 0);
	dnscache_stats(c, &st);
	ok(st.entries == 1 && dnscache_get(c, DNS_T_A, "big.example", 0),
	    "an answer larger than the whole budget still goes in, alone");
	dns_answer_release(&a);
	dnscache_free(c);
}

/* A name policyd may use instead of looking it up itself. */
static void
test_name_usable(void)
{
	static const struct { const char *name; bool usable; } cases[] = {
		{ "mail.example.net", true }, { "unknownhost.example", true },
		{ "unknow", true }, { "u", true },
		{ "unknown", false }, { "UNKNOWN", false }, { "Unknown", false },
		{ "", false }, { "a..b", false }, { ".a", false },
		{ "a b", false }, { "a\"b", false },
	};

	ok(!dnscheck_name_usable(NULL), "no name is not usable");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(dnscheck_name_usable(cases[i].name) == cases[i].usable,
		    "\"%s\" is %susable", cases[i].name,
		    cases[i].usable ? "" : "not ");
}

int
main(void)
{
	test_name_usable();
	test_cache();
	test_bytes();
	test_churn();
	test_conf();
	test_reload_same_address();
	return done_testing();
}
