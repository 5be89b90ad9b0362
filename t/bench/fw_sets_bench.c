/*
 * fw_sets_bench.c - the firewall backends side by side, in a network
 * namespace of its own (unshare(CLONE_NEWNET); root only).
 *
 *   fw_sets_bench [-b nftset,ipset,iptables] [-n 10000,100000] [-i CAP]
 *                 [-c CONNS] [-r ROUNDS]
 *
 * For each backend, through its ops (fw_backend.h) with a configuration
 * loaded by fwconf_load() from a temporary file:
 *   add N      block() N addresses, then one sync(): wall time;
 *   restore    init, then reconcile() with the whole table, as at start;
 *   conn us    the cost of one connection attempt to port 25 from an
 *              unblocked address (127.0.0.1, loopback, inside the
 *              namespace) with 0 and N addresses blocked: connect() +
 *              accept() + close with SO_LINGER 0 (a RST, no TIME_WAIT),
 *              CONNS attempts per round, the fastest round of ROUNDS (the
 *              least disturbed on a shared machine).  The
 *              SYN is the packet that walks the rules (they match TCP SYNs
 *              to port 25); the rest of the handshake does not.  "x0" is
 *              the cost with N blocked over the cost with 0 blocked (the
 *              issue's floor for nftset: within 2x).  A run with no ruleset
 *              at all is printed first, for scale.
 *   recheck    a periodic reconcile with nothing to repair, after someone
 *              else committed to nftables (nft add table inet bench_other):
 *              what a host where other programs change the ruleset pays.
 * The iptables backend is capped at CAP addresses (default 10,000): one
 * rule per address is walked linearly by every SYN, and 100,000 rules make
 * each attempt cost about half a millisecond - measured once by hand, not
 * on every `make bench`.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "common/yconf.h"
#include "firewall-helper/fw_backend.h"
#include "firewall-helper/fw_sets.h"
#include "firewall-helper/fwconf.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Microseconds per connection attempt to 127.0.0.1:25, best round. */
static double
conn_us(int listener, int conns, int rounds)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(25) };
	struct linger lg = { 1, 0 };
	double *t = xcalloc((size_t)rounds, sizeof(*t)), best;
	int r, i;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (r = 0; r < rounds; r++) {
		double t0 = now_s();

		for (i = 0; i < conns; i++) {
			int c = socket(AF_INET, SOCK_STREAM, 0), a;

			if (c < 0 || connect(c, (struct sockaddr *)&sin,
			    sizeof(sin)) < 0)
				fatal("connect");
			if ((a = accept(listener, NULL, NULL)) < 0)
				fatal("accept");
			setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(c);
			close(a);
		}
		t[r] = (now_s() - t0) * 1e6 / conns;
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
	best = t[0];
	free(t);
	return best;
}

static struct fwh_config *
config_for(const char *backend, const char *dir)
{
	char path[256], text[512];
	struct ydoc *doc = NULL;
	struct fwh_config *cfg;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.yaml", dir, backend);
	snprintf(text, sizeof(text),
	    "backend: %s\ncommand_socket: %s/cmd.sock\n"
	    "status_socket: %s/status.sock\nmax_entries: 200000\n"
	    "ports: [25]\nreject_with: tcp-reset\nxtables_lock: %s/xt.lock\n",
	    backend, dir, dir, dir);
	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) < 0 ||
	    fclose(fp) != 0)
		fatal("%s", path);
	if ((cfg = fwconf_load(path, &doc)) == NULL) {
		ydoc_print_errors(doc, stderr);
		fatalx("bad bench configuration");
	}
	ydoc_free(doc);
	return cfg;
}

static void
fill(struct fw_entry *e, size_t n)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].addr.family = AF_INET;
		e[i].addr.a[0] = 10;
		e[i].addr.a[1] = (unsigned char)(i >> 16);
		e[i].addr.a[2] = (unsigned char)(i >> 8);
		e[i].addr.a[3] = (unsigned char)i;
		e[i].added = now;
		e[i].expires = now + 3600;
	}
}

static void
split(const char *s, char out[][16], size_t *n, size_t max)
{
	*n = 0;
	while (*s && *n < max) {
		size_t k = strcspn(s, ",");

		snprintf(out[*n], 16, "%.*s", (int)k, s);
		(*n)++;
		s += k + (s[k] == ',');
	}
}

int
main(int argc, char **argv)
{
	const char *blist = "nftset,ipset,iptables", *nlist = "10000,100000";
	char bes[4][16], ns[4][16], dir[] = "/tmp/fw_sets_bench.XXXXXX";
	size_t nb, nn, b, k, maxn = 0, cap = 10000;
	int conns = 3000, rounds = 9, ch, listener, one = 1;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(25) };
	struct fw_entry *e;
	double base;

	while ((ch = getopt(argc, argv, "b:n:i:c:r:")) != -1) {
		switch (ch) {
		case 'b': blist = optarg; break;
		case 'n': nlist = optarg; break;
		case 'i': cap = strtoul(optarg, NULL, 10); break;
		case 'c': conns = atoi(optarg); break;
		case 'r': rounds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fw_sets_bench [-b backends] "
			    "[-n sizes] [-i iptables-cap] [-c conns] [-r rounds]\n");
			return 64;
		}
	}
	split(blist, bes, &nb, 4);
	split(nlist, ns, &nn, 4);
	for (k = 0; k < nn; k++)
		if (strtoul(ns[k], NULL, 10) > maxn)
			maxn = strtoul(ns[k], NULL, 10);
	log_init("fw_sets_bench", 1, 0);
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("fw_sets_bench: needs root (network namespace); skipped\n");
		return 0;
	}
	if (system("ip link set lo up") != 0 || mkdtemp(dir) == NULL)
		fatal("setup");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((listener = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(listener, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(listener, 4096) < 0)
		fatal("listener on 127.0.0.1:25");
	e = xcalloc(maxn ? maxn : 1, sizeof(*e));
	fill(e, maxn);

	conn_us(listener, conns / 4, 1);        /* warm up */
	base = conn_us(listener, conns, rounds);
	printf("# one connection attempt with no ruleset: %.2f us "
	    "(%d attempts x %d rounds, best round)\n", base, conns, rounds);
	printf("%-9s %8s %10s %10s %10s %9s %6s\n", "backend", "N", "add N s",
	    "restore s", "recheck ms", "conn us", "x0");
	for (b = 0; b < nb; b++) {
		struct fwh_config *cfg = config_for(bes[b], dir);
		const struct fw_backend *ops = fw_backend_find(bes[b]);
		double t0, c, c0;

		if (ops == NULL)
			fatalx("unknown backend %s", bes[b]);
		fw_sets_purge_others(cfg, bes[b]);
		if (ops->init(cfg) < 0 || ops->reconcile(NULL, 0) < 0)
			fatalx("%s: init", bes[b]);
		c0 = conn_us(listener, conns, rounds);
		printf("%-9s %8d %10s %10s %10s %9.2f %6.2f\n", bes[b], 0, "-",
		    "-", "-", c0, 1.0);
		fflush(stdout);
		for (k = 0; k < nn; k++) {
			size_t n = strtoul(ns[k], NULL, 10), i;
			double tadd, trest, tchk;

			if (strcmp(bes[b], "iptables") == 0 && n > cap) {
				printf("%-9s %8zu   (capped at %zu: see the header "
				    "of t/bench/fw_sets_bench.c)\n", bes[b], n, cap);
				continue;
			}
			ops->flush();
			ops->sync();
			t0 = now_s();
			for (i = 0; i < n; i++)
				ops->block(&e[i]);
			if (ops->sync() < 0)
				fatalx("%s: sync", bes[b]);
			tadd = now_s() - t0;
			ops->fini(1);
			if (ops->init(cfg) < 0)
				fatalx("%s: init", bes[b]);
			t0 = now_s();
			if (ops->reconcile(e, n) < 0)
				fatalx("%s: reconcile", bes[b]);
			trest = now_s() - t0;
			if (system("nft add table inet bench_other; "
			    "nft delete table inet bench_other") != 0)
				log_warnx("nft: could not commit");
			t0 = now_s();
			if (ops->reconcile(e, n) < 0)
				fatalx("%s: reconcile", bes[b]);
			tchk = now_s() - t0;
			c = conn_us(listener, conns, rounds);
			printf("%-9s %8zu %10.3f %10.3f %10.1f %9.2f %6.2f\n",
			    bes[b], n, tadd, trest, tchk * 1e3, c, c / c0);
			fflush(stdout);
		}
		ops->fini(1);
		fwconf_free(cfg);
	}
	free(e);
	close(listener);
	{
		char rm[64];

		snprintf(rm, sizeof(rm), "rm -rf %s", dir);
		if (system(rm) != 0)
			log_warnx("could not remove %s", dir);
	}
	return 0;
}
