/*
 * t/lib/dnsprobe.c - drive policyd's DNS layer (dns.c + dnscheck.c) from a
 * test, without the server around it.
 *
 *   dnsprobe [-r ROUNDS] [-w MS] CONFIG.yaml CLIENT...
 *
 * CONFIG.yaml is a policyd-style file; only its `dns:` section is read.
 * CLIENT is "IP" (look the name up) or "IP=NAME" (Postfix gave NAME,
 * unverified) or "IP==NAME" (verified client_name).  Every client's check is
 * started at once, in argument order; one line is printed per check as it
 * completes (so the order of lines is the order of answers):
 *
 *   192.0.2.20 ptr=found name=dsl-... fc=confirmed dnsbl=pbl.test:127.0.0.10
 *       decision=class class=dynamic late=0 why=-
 *
 * -w MS waits that long after the last answer (late answers fill the cache)
 * before the next round; -r ROUNDS repeats the whole set (cache tests).
 * At the end: "stats lookups=.. cache_hits=.. merged=.. queries=..
 * inflight=..".  Exit 0, or 2 on usage/config errors.
 */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/dns.h"
#include "policyd/dnscheck.h"
#include "policyd/dnsconf.h"

struct probe {
	char ip[ADDR_STRLEN];
	struct addr addr;
	const char *name;
	bool verified;
	char *arg;
};

static int outstanding;

static void
done_cb(void *arg, const struct dnscheck_result *r)
{
	static const char *const ptrs[] = { "skipped", "given", "found", "none",
		"tempfail" };
	static const char *const fcs[] = { "skipped", "verified", "confirmed",
		"forged", "tempfail" };
	static const char *const decs[] = { "name", "class", "tempfail" };
	struct probe *p = arg;
	const char *cls;
	enum dnscheck_decision d = dnscheck_decide(r, &cls);

	printf("%s ptr=%s name=%s fc=%s dnsbl=%s bl_tempfail=%d decision=%s "
	    "class=%s late=%d why=%s\n", p->ip, ptrs[r->ptr],
	    r->name[0] ? r->name : "-", fcs[r->fc],
	    r->dnsbl[0] ? r->dnsbl : "-", r->bl_tempfail, decs[d],
	    cls ? cls : "-", r->late, r->why[0] ? r->why : "-");
	fflush(stdout);
	if (--outstanding == 0)
		ev_break(EV_DEFAULT, EVBREAK_ONE);
}

static void
wait_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ONE);
}

int
main(int argc, char **argv)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct dns_config dc;
	struct ydoc *doc;
	struct dns *d;
	struct dns_stats st;
	struct probe *pr;
	int rounds = 1, ch, n;
	long wait_ms = 0;

	while ((ch = getopt(argc, argv, "r:w:v")) != -1) {
		switch (ch) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'w':
			wait_ms = atol(optarg);
			break;
		case 'v':
			log_init("dnsprobe", 1, 1);
			break;
		default:
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fprintf(stderr, "usage: dnsprobe [-r N] [-w MS] CONFIG CLIENT...\n");
		return 2;
	}
	memset(&dc, 0, sizeof(dc));
	doc = ydoc_load_file(argv[0]);
	if (doc->nerrs == 0 && doc->root != NULL)
		dnsconf_parse(doc, ymap_get(doc->root, "dns"), &dc);
	if (doc->nerrs > 0) {
		ydoc_print_errors(doc, stderr);
		return 2;
	}
	n = argc - 1;
	pr = xcalloc(n ? (size_t)n : 1, sizeof(*pr));
	for (int i = 0; i < n; i++) {
		char *s = pr[i].arg = xstrdup(argv[i + 1]), *eq = strchr(s, '=');
		if (eq != NULL) {
			*eq = '\0';
			pr[i].name = eq + 1;
			if (*pr[i].name == '=') {
				pr[i].name++;
				pr[i].verified = true;
			}
		}
		if (addr_parse(&pr[i].addr, s) < 0) {
			fprintf(stderr, "dnsprobe: bad address %s\n", s);
			return 2;
		}
		addr_format(&pr[i].addr, pr[i].ip, sizeof(pr[i].ip));
	}
	if ((d = dns_new(loop, &dc)) == NULL)
		return 2;
	for (int r = 0; r < rounds; r++) {
		if (rounds > 1)
			printf("round %d\n", r + 1);
		outstanding = n;
		for (int i = 0; i < n; i++)
			dnscheck_start(loop, d, &dc, &pr[i].addr,
			    dnscheck_name_usable(pr[i].name) ? pr[i].name : NULL,
			    pr[i].verified, dnsconf_timeout_ms(&dc), done_cb, &pr[i]);
		if (outstanding > 0)
			ev_run(loop, 0);
		if (wait_ms > 0) {
			ev_timer t;
			ev_timer_init(&t, wait_cb, (double)wait_ms / 1000.0, 0.);
			ev_timer_start(loop, &t);
			ev_run(loop, 0);
		}
	}
	dns_stats(d, &st);
	printf("stats lookups=%lu cache_hits=%lu merged=%lu queries=%lu "
	    "answers=%lu notfound=%lu tempfail=%lu inflight=%zu\n", st.lookups,
	    st.cache_hits, st.merged, st.queries, st.answers, st.notfound,
	    st.tempfail, st.inflight);
	dns_free(d);
	dnsconf_release(&dc);
	ydoc_free(doc);
	for (int i = 0; i < n; i++)
		free(pr[i].arg);
	free(pr);
	return 0;
}
