/*
 * t/bench/classify_bench.c - classifier names/s over the corpus names and
 * exceptions lookups/s with 100,000 entries (issue 3's floors: 1,000,000
 * each, one core).
 *
 *   t/bench/classify_bench [-n SECONDS] [CORPUS] [TOKENS]
 *
 * Defaults: ../shared/corpus/rdns-dev.tsv, etc/tokens.yaml.  Prints one
 * line per figure and exits 1 when a floor is missed (a report, not a test:
 * timings belong here, never in prove).  The corpus pass keeps the
 * public-suffix memo warm, as production does (the same providers over and
 * over); a second line gives every name a registered domain of its own so
 * the memo misses on every call.  The exceptions figure is full requests
 * (client address, client name, sender, recipient) against 100,000
 * entries: 50,000 IPv4 hosts, 20,000 IPv4 networks /8../30, 10,000 IPv6
 * networks, 20,000 domains; half the addresses asked are listed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/addr.h"
#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/classify.h"
#include "policyd/exceptions.h"
#include "policyd/tokens.h"

#define FLOOR 1000000.0

struct row {
	char *name;
	struct addr ip;
	int has_ip;
};

/* CPU time of this thread: "per second on one core" even when the machine
 * is shared (wall-clock rates drop with every other process running). */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
load_rows(const char *path, struct row **out)
{
	char line[4096];
	struct row *v = NULL;
	size_t n = 0;
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), fp)) {
		char *name = strtok(line, "\t\n"), *ip = strtok(NULL, "\t\n");

		if (!name || !ip || strcmp(name, "hostname") == 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].name = xstrdup(name);
		v[n].has_ip = addr_parse(&v[n].ip, ip) == 0;
		n++;
	}
	fclose(fp);
	*out = v;
	return n;
}

static double
bench_names(const struct tokens *tk, const struct row *rows, size_t n,
    double secs, unsigned *sink)
{
	struct classify_result r;
	double t0 = now(), t;
	unsigned long long calls = 0;
	size_t i;

	do {
		for (i = 0; i < n; i++) {
			classify(tk, rows[i].name,
			    rows[i].has_ip ? &rows[i].ip : NULL, &r);
			*sink += r.cls;
		}
		calls += n;
	} while ((t = now() - t0) < secs);
	return calls / t;
}

static uint32_t
rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static double
bench_exceptions(double secs, unsigned *sink)
{
	struct exceptions *x = exceptions_new();
	char buf[128], names[1024][64], senders[1024][64];
	struct addr qa[1024];
	uint64_t seed = 42;
	unsigned long long calls = 0;
	const char *err;
	double t0, t;
	int i;

	for (i = 0; i < 50000; i++) {
		uint32_t v = rnd(&seed);

		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", v >> 24, v >> 16 & 255,
		    v >> 8 & 255, v & 255);
		exceptions_add(x, EXC_CLIENT, buf, NULL, 0, i, &err);
		if (i < 512)
			addr_parse(&qa[2 * i], buf);            /* hits */
	}
	for (i = 0; i < 20000; i++) {
		uint32_t v = rnd(&seed), len = 8 + rnd(&seed) % 23;

		v &= ~0u << (32 - len);
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u/%u", v >> 24,
		    v >> 16 & 255, v >> 8 & 255, v & 255, len);
		exceptions_add(x, EXC_CLIENT, buf, NULL, 0, i, &err);
	}
	for (i = 0; i < 10000; i++) {
		snprintf(buf, sizeof(buf), "2001:db8:%x:%x::/64", rnd(&seed) & 0xffff,
		    rnd(&seed) & 0xffff);
		exceptions_add(x, EXC_CLIENT, buf, NULL, 0, i, &err);
	}
	for (i = 0; i < 20000; i++) {
		snprintf(buf, sizeof(buf), "host%u.example", rnd(&seed));
		exceptions_add(x, EXC_DOMAIN, buf, NULL, 0, i, &err);
	}
	for (i = 0; i < 1024; i++) {
		uint32_t v = rnd(&seed);

		if (i % 2)
			snprintf(buf, sizeof(buf), "%u.%u.%u.%u", v >> 24,
			    v >> 16 & 255, v >> 8 & 255, v & 255);
		if (i % 2)
			addr_parse(&qa[i], buf);                /* mostly misses */
		snprintf(names[i], sizeof(names[i]),
		    "c-%u-%u-%u-%u.hsd1.ca.comcast.net", v >> 24, v >> 16 & 255,
		    v >> 8 & 255, v & 255);
		snprintf(senders[i], sizeof(senders[i]), "user%d@sender%d.example",
		    i, i % 97);
	}
	t0 = now();
	do {
		for (i = 0; i < 1024; i++) {
			struct exc_query q = { &qa[i], names[i], senders[i],
			    "someone@example.org" };

			*sink += exceptions_match(x, &q, 1795000000) != NULL;
		}
		calls += 1024;
	} while ((t = now() - t0) < secs);
	exceptions_free(x);
	return calls / t;
}

int
main(int argc, char **argv)
{
	const char *corpus = "../shared/corpus/rdns-dev.tsv";
	const char *tpath = "etc/tokens.yaml";
	double secs = 1.0, rate, cold;
	struct row *rows, *coldrows;
	struct tokens *tk;
	struct ydoc *doc;
	unsigned sink = 0;
	size_t n, i;
	int fail = 0;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		secs = atof(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc > 1)
		corpus = argv[1];
	if (argc > 2)
		tpath = argv[2];
	if ((tk = tokens_load_file(tpath, &doc)) == NULL) {
		ydoc_print_errors(doc, stderr);
		return 2;
	}
	ydoc_free(doc);
	classify_init();
	n = load_rows(corpus, &rows);

	rate = bench_names(tk, rows, n, secs, &sink);
	printf("classify: %.0f names/s (CPU time, one core) over %zu corpus names (floor %.0f)%s\n",
	    rate, n, FLOOR, rate >= FLOOR ? "" : "  BELOW FLOOR");
	fail |= rate < FLOOR;

	/* every name under its own registered domain: the memo never hits */
	coldrows = xcalloc(n * 16, sizeof(*coldrows));
	for (i = 0; i < n * 16; i++) {
		coldrows[i] = rows[i % n];
		coldrows[i].name = xasprintf("%s%zu.example", rows[i % n].name, i);
	}
	cold = bench_names(tk, coldrows, n * 16, secs, &sink);
	printf("classify: %.0f names/s with every domain new (public-suffix "
	    "memo missing)\n", cold);

	rate = bench_exceptions(secs, &sink);
	printf("exceptions: %.0f lookups/s (CPU time, one core) with 100000 entries (floor %.0f)%s\n",
	    rate, FLOOR, rate >= FLOOR ? "" : "  BELOW FLOOR");
	fail |= rate < FLOOR;
	for (i = 0; i < n * 16; i++)
		free(coldrows[i].name);
	free(coldrows);
	for (i = 0; i < n; i++)
		free(rows[i].name);
	free(rows);
	tokens_free(tk);
	return fail || sink == 42;
}
