/*
 * t/exceptions.c - the exceptions list: every entry kind, until: expiry,
 * most specific network, postmaster, a 100,000-entry file, and bad files
 * against golden error lines (t/data/exceptions/bad-*.yaml and .err).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/yconf.h"
#include "policyd/exc_trie.h"
#include "policyd/exceptions.h"
#include "t/tap.h"

#define NOW 1795000000          /* 2026-11-19 */

static const char *good =
    "clients:\n"
    "  - 192.0.2.7\n"
    "  - { value: 198.51.100.0/24, comment: \"partner relay\" }\n"
    "  - { value: 198.51.100.128/25, comment: \"old half\", until: 2020-01-01 }\n"
    "  - { value: 203.0.113.0/24, until: 2030-01-01 }\n"
    "  - 10.0.0.0/8\n"
    "  - \"2001:db8::/32\"\n"
    "  - \"2001:db8:1::5\"\n"
    "hostnames:\n"
    "  - MX.Partner.Example.\n"
    "domains:\n"
    "  - friends.example\n"
    "  - .dotted.example\n"
    "senders:\n"
    "  - bank.example\n"
    "recipients:\n"
    "  - abuse@example.org\n"
    "  - hostmaster@\n"
    "  - { value: open.example, comment: \"list host\" }\n";

struct mcase {
	const char *client, *name, *sender, *rcpt;
	const char *want;       /* exc_describe() prefix, or NULL */
};

static const struct mcase mcases[] = {
	{ "192.0.2.7", NULL, NULL, NULL, "client 192.0.2.7/32 (line 2)" },
	{ "192.0.2.8", NULL, NULL, NULL, NULL },
	{ "198.51.100.200", NULL, NULL, NULL, "client 198.51.100.0/24 (line 3: partner relay)" },
	{ "198.51.100.1", NULL, NULL, NULL, "client 198.51.100.0/24" },
	{ "203.0.113.9", NULL, NULL, NULL, "client 203.0.113.0/24 (line 5)" },
	{ "10.200.3.4", NULL, NULL, NULL, "client 10.0.0.0/8" },
	{ "11.0.0.1", NULL, NULL, NULL, NULL },
	{ "2001:db8:1::5", NULL, NULL, NULL, "client 2001:db8:1::5/128" },
	{ "2001:db8:ffff::1", NULL, NULL, NULL, "client 2001:db8::/32" },
	{ "2001:db9::1", NULL, NULL, NULL, NULL },
	{ "::ffff:192.0.2.7", NULL, NULL, NULL, "client 192.0.2.7/32" },
	{ "192.0.2.99", "mx.partner.example", NULL, NULL, "hostname mx.partner.example" },
	{ "192.0.2.99", "MX.PARTNER.EXAMPLE.", NULL, NULL, "hostname mx.partner.example" },
	{ "192.0.2.99", "mx2.partner.example", NULL, NULL, NULL },
	{ "192.0.2.99", "a.b.friends.example", NULL, NULL, "domain friends.example" },
	{ "192.0.2.99", "friends.example", NULL, NULL, "domain friends.example" },
	{ "192.0.2.99", "notfriends.example", NULL, NULL, NULL },
	{ "192.0.2.99", "x.dotted.example", NULL, NULL, "domain dotted.example" },
	{ "192.0.2.99", "unknown", "a@bank.example", NULL, "sender bank.example" },
	{ "192.0.2.99", NULL, "alerts@mail.bank.example", NULL, "sender bank.example" },
	{ "192.0.2.99", NULL, "a@bank.example.evil", NULL, NULL },
	{ "192.0.2.99", NULL, "", "someone@example.com", NULL },
	{ "192.0.2.99", NULL, "", "Abuse@Example.ORG", "recipient abuse@example.org" },
	{ "192.0.2.99", NULL, "", "abuse@example.net", NULL },
	{ "192.0.2.99", NULL, "", "hostmaster@anything.example", "recipient hostmaster@" },
	{ "192.0.2.99", NULL, "", "x@open.example", "recipient open.example (line 19: list host)" },
	{ "192.0.2.99", NULL, "", "PostMaster@example.com", "postmaster postmaster@" },
	{ "192.0.2.99", NULL, "", "postmaster", "postmaster postmaster@" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void
match_cases(const struct exceptions *x)
{
	const struct mcase *c;
	char buf[256];

	for (c = mcases; c->client || c->name; c++) {
		struct exc_query q = { NULL, c->name, c->sender, c->rcpt };
		const struct exc_entry *e;
		struct addr a;

		if (c->client && addr_parse(&a, c->client) == 0)
			q.client = &a;
		e = exceptions_match(x, &q, NOW);
		if (e)
			exc_describe(e, buf, sizeof(buf));
		if (!ok(c->want ? e && strncmp(buf, c->want, strlen(c->want)) == 0 :
		    e == NULL, "%s %s %s %s -> %s", c->client ? c->client : "-",
		    c->name ? c->name : "-", c->sender ? c->sender : "-",
		    c->rcpt ? c->rcpt : "-", c->want ? c->want : "no match"))
			diag("  got %s", e ? buf : "no match");
	}
}

static void
golden(void)
{
	const char *dir = "t/data/exceptions";
	struct dirent *de;
	DIR *d = opendir(dir);
	int files = 0;

	if (!ok(d != NULL, "%s exists", dir))
		return;
	while ((de = readdir(d)) != NULL) {
		char path[512], errpath[512], *out = NULL, *want;
		size_t outlen = 0, n = strlen(de->d_name);
		struct exceptions *x;
		struct ydoc *doc;
		FILE *mem;

		if (strncmp(de->d_name, "bad-", 4) != 0 || n < 6 ||
		    strcmp(de->d_name + n - 5, ".yaml") != 0)
			continue;
		files++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(errpath, sizeof(errpath), "%s/%.*s.err", dir,
		    (int)(n - 5), de->d_name);
		x = exceptions_load_file(path, &doc);
		ok(x == NULL, "%s refused", path);
		mem = open_memstream(&out, &outlen);
		ydoc_print_errors(doc, mem);
		fclose(mem);
		want = tap_slurp(errpath);
		if (!ok(want && strcmp(out, want) == 0, "%s errors as in %s",
		    path, errpath))
			diag("got:\n%s", out);
		free(want);
		free(out);
		ydoc_free(doc);
		exceptions_free(x);
	}
	closedir(d);
	ok(files >= 5, "%d golden files", files);
}

static void
big(void)
{
	char path[] = "/tmp/exc-big-XXXXXX";
	int fd = mkstemp(path), i;
	FILE *fp = fdopen(fd, "w");
	struct exceptions *x;
	struct ydoc *doc;
	size_t n, expired;
	struct addr a;
	struct exc_query q = { &a, NULL, NULL, NULL };

	fprintf(fp, "clients:\n");
	for (i = 0; i < 60000; i++)
		fprintf(fp, "  - 10.%d.%d.%d\n", i >> 16 & 255, i >> 8 & 255, i & 255);
	for (i = 0; i < 10000; i++)
		fprintf(fp, "  - { value: 172.%d.%d.0/24, until: 2020-01-01 }\n",
		    16 + (i >> 8 & 15), i & 255);
	for (i = 0; i < 10000; i++)
		fprintf(fp, "  - \"2001:db8:%x::/48\"\n", i);
	fprintf(fp, "domains:\n");
	for (i = 0; i < 20000; i++)
		fprintf(fp, "  - host%d.example\n", i);
	fclose(fp);
	x = exceptions_load_file(path, &doc);
	unlink(path);
	if (!ok(x != NULL, "100,000-entry file loads"))
		ydoc_print_errors(doc, stdout);
	ydoc_free(doc);
	if (x == NULL)
		return;
	n = exceptions_count(x, NOW, &expired);
	is_int(n, 100000, "100,000 entries");
	is_int(expired, 10000, "10,000 of them expired");
	addr_parse(&a, "10.0.234.95");
	ok(exceptions_match(x, &q, NOW) != NULL, "an IPv4 entry matches");
	addr_parse(&a, "10.1.234.95");
	ok(exceptions_match(x, &q, NOW) == NULL, "past the last IPv4 entry");
	addr_parse(&a, "172.20.3.4");
	ok(exceptions_match(x, &q, NOW) == NULL, "expired /24 does not match");
	ok(exceptions_match(x, &q, 1500000000) != NULL, "...but did before");
	addr_parse(&a, "2001:db8:2710::1");
	ok(exceptions_match(x, &q, NOW) == NULL, "IPv6 past the last /48");
	addr_parse(&a, "2001:db8:270f:1::1");
	ok(exceptions_match(x, &q, NOW) != NULL, "IPv6 /48 matches");
	q.client = NULL;
	q.client_name = "mail.host19999.example";
	ok(exceptions_match(x, &q, NOW) != NULL, "domain entry matches");
	exceptions_free(x);
}

/* A name listed twice: the later until: wins, in either order; an entry
 * holds up to the second before its until:. */
static void
name_until(void)
{
	static const char text[] = "domains:\n"
	    "  - { value: a.example, until: 2030-01-01 }\n"
	    "  - { value: a.example, until: 2040-01-01 }\n"
	    "  - { value: b.example, until: 2040-01-01 }\n"
	    "  - { value: b.example, until: 2030-01-01 }\n";
	struct ydoc *doc = ydoc_load_mem("until.yaml", text, strlen(text));
	struct exceptions *x = exceptions_load_doc(doc);
	struct exc_query q = { NULL, NULL, NULL, NULL };
	time_t t1, t2;

	ydoc_free(doc);
	if (!ok(x != NULL, "until file loads"))
		return;
	exc_parse_until("2030-01-01", &t1);
	exc_parse_until("2040-01-01", &t2);
	q.client_name = "a.example";
	ok(exceptions_match(x, &q, t1 + 60) != NULL, "a: the later until wins");
	q.client_name = "b.example";
	ok(exceptions_match(x, &q, t1 + 60) != NULL, "b (listed the other "
	    "way round): the later until wins");
	ok(exceptions_match(x, &q, t2 - 1) != NULL, "a second before until: in");
	ok(exceptions_match(x, &q, t2) == NULL, "at until: out");
	exceptions_free(x);
}

/* A network shorter than /16 repeated: what lasts longer wins in every
 * /16 slot it covers, whichever order the repeats come in. */
static void
short_repeats(void)
{
	static const char *const probes[] = { "10.0.0.1", "10.200.1.1",
		"10.255.255.255" };
	struct exc_trie t;
	struct cidr c;
	struct addr a;
	const char *err;
	bool all = true;

	exc_trie_init(&t);
	cidr_parse(&c, "10.0.0.0/8", &err);
	exc_trie_insert(&t, &c, 1, 2000);
	exc_trie_insert(&t, &c, 2, 1000);       /* shorter: kept out */
	exc_trie_insert(&t, &c, 3, 3000);       /* longer: replaces */
	exc_trie_insert(&t, &c, 4, 2500);       /* shorter again */
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		addr_parse(&a, probes[i]);
		all &= exc_trie_lookup(&t, &a, 100) == 3 &&
		    exc_trie_lookup(&t, &a, 3000) == EXC_TRIE_NONE;
	}
	ok(all, "10.0.0.0/8 four times: the longest-lasting entry in every slot");
	exc_trie_insert(&t, &c, 5, 0);          /* no expiry: replaces */
	exc_trie_insert(&t, &c, 6, 9000);
	addr_parse(&a, "10.128.0.1");
	ok(exc_trie_lookup(&t, &a, 5000) == 5, "then one without expiry wins");
	exc_trie_release(&t);
}

int
main(void)
{
	struct ydoc *doc = ydoc_load_mem("good.yaml", good, strlen(good));
	struct exceptions *x = exceptions_load_doc(doc);
	time_t t;

	if (!ok(x != NULL, "good file loads"))
		ydoc_print_errors(doc, stdout);
	ydoc_free(doc);
	if (x)
		match_cases(x);
	exceptions_free(x);

	ok(exc_parse_until("2026-12-31", &t) == 0 && t == 1798761600,
	    "until date is good through that day (UTC)");
	ok(exc_parse_until("2026-12-31 10:30", &t) == 0 && t == 1798713000,
	    "until date and time");
	ok(exc_parse_until("2026-02-29", &t) < 0, "no 29 February 2026");
	ok(exc_parse_until("1970-01-01 00:00", &t) == 0 && t != 0,
	    "the first minute of 1970 is a time, not \"no expiry\" (0)");
	ok(exc_parse_until("26-12-31", &t) < 0, "short year refused");

	doc = ydoc_load_file("etc/exceptions.yaml");
	x = exceptions_load_doc(doc);
	if (!ok(x != NULL, "etc/exceptions.yaml example loads"))
		ydoc_print_errors(doc, stdout);
	ydoc_free(doc);
	exceptions_free(x);

	golden();
	big();
	name_until();
	short_repeats();
	return done_testing();
}
