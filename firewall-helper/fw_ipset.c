/*
 * fw_ipset.c - the `ipset` backend: two hash:ip sets with timeouts, one for
 * IPv4 (<set_name>4) and one for IPv6 (<set_name>6, family inet6), and the
 * iptables rule that refuses their members (fw_ipset_rule.c, libiptc).
 *
 *   create policyd4 hash:ip family inet timeout 0 maxelem M
 *   -A INPUT -p tcp --tcp-flags FIN,SYN,RST,ACK SYN [-m multiport] --dports
 *       25 -m set --match-set policyd4 src -m comment --comment "policyd
 *       firewall-helper" -j REJECT --reject-with tcp-reset
 *
 * Sets are written through libipset's restore path: staged changes become
 * "add"/"del" lines with -exist (a re-add refreshes the timeout, a removal
 * of an element the kernel already expired is not an error) and one
 * ipset_parse_stream() per sync sends them in a few large netlink messages.
 * ipset has no transactions; each message is applied as it comes.
 *
 * maxelem is max_entries plus a sixteenth: the block table never holds
 * more than max_entries, and the margin covers elements the kernel has
 * expired but not yet collected.  Element timeouts carry the expiry; one
 * longer than ipset's limit (about 24.8 days) is stored without a timeout
 * and removed by the helper when the block expires.
 *
 * reconcile() commits what is staged, then checks each set: the entries it
 * is given must be the ones we hold (a model kept at staging, an addrmap)
 * and the kernel's header must exist with our parameters and that many
 * entries (which catches a flush, a destroy, a deletion behind our back).
 * A set that differs is rebuilt into <name>-t and swapped in with `ipset
 * swap`, so that the set the rule points at is never empty; then the rule
 * is checked.  Errors are logged once per batch; a failed
 * batch marks the backend dirty so that the next reconcile rebuilds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libipset/ipset.h>
#include <libipset/types.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "firewall-helper/fw_sets.h"
#include "firewall-helper/fw_ipset_rule.h"

#define IPSET_TMO_MAX   2147483LL       /* (UINT_MAX >> 1) / 1000 */

static struct {
	struct ipset *ips;
	struct fw_sets_opts o;
	char set4[FW_SETS_NAME_MAX + 2], set6[FW_SETS_NAME_MAX + 2];
	struct fw_str cmd;      /* staged lines */
	struct fw_str out;      /* captured list output */
	int errors;             /* errors in the current stream */
	int quiet;              /* errors expected: log at debug */
	int dirty;
	size_t maxelem;
	struct fw_backend_stats st;
	struct addrmap *model;  /* what we believe the sets hold */
} ips;

static int
ipset_err_cb(struct ipset *ipset, void *p, int status, const char *msg, ...)
{
	char buf[512], esc[600];
	va_list ap;

	if (status == 0 || msg == NULL)
		return 0;
	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	ips.errors++;
	if (ips.quiet)
		log_debug("ipset: %s", log_escs(esc, sizeof(esc), buf));
	else if (ips.errors <= 3)
		log_warnx("ipset: %s", log_escs(esc, sizeof(esc), buf));
	ipset_session_report_reset(ipset_session(ipset));
	return -1;
}

static int
ipset_stderr_cb(struct ipset *ipset, void *p)
{
	struct ipset_session *s = ipset_session(ipset);
	const char *msg = ipset_session_report_msg(s);

	if (ipset_session_report_type(s) == IPSET_ERROR && msg && *msg)
		return ipset_err_cb(ipset, p, IPSET_SESSION_PROBLEM, "%s", msg);
	ipset_session_report_reset(s);
	return 0;
}

static int
ipset_out_cb(struct ipset_session *s, void *p, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fw_str_printf(&ips.out, "%s", buf);
	return 0;
}

static struct ipset *
ipset_open(void)
{
	struct ipset *s;

	ipset_load_types();
	if ((s = ipset_init()) == NULL)
		return NULL;
	ipset_custom_printf(s, ipset_err_cb, ipset_stderr_cb, ipset_out_cb,
	    NULL);
	return s;
}

/*
 * Run command lines through libipset's restore path.  After an error the
 * session is of no further use (later lines fail with "Internal protocol
 * error"; the ipset program just exits), so it is replaced.
 */
static int
ipset_run(const char *text, size_t len, int quiet)
{
	FILE *fp;

	ips.errors = 0;
	ips.quiet = quiet;
	if (len == 0 || ips.ips == NULL)
		return ips.ips ? 0 : -1;
	if ((fp = fmemopen((void *)(uintptr_t)text, len, "r")) == NULL) {
		log_warn("ipset: fmemopen");
		return -1;
	}
	ipset_parse_stream(ips.ips, fp);
	fclose(fp);
	ips.quiet = 0;
	if (ips.errors == 0)
		return 0;
	ipset_fini(ips.ips);
	if ((ips.ips = ipset_open()) == NULL)
		log_warnx("ipset: cannot open a new session");
	return -1;
}

static const char *
ipset_setof(const struct addr *a)
{
	return a->family == AF_INET ? ips.set4 : ips.set6;
}

static void
ipset_add_line(struct fw_str *b, const char *set, const struct addr *a,
    long long tmo)
{
	char s[ADDR_STRLEN];

	addr_format(a, s, sizeof(s));
	if (tmo > IPSET_TMO_MAX)
		tmo = 0;
	fw_str_printf(b, "add -exist %s %s timeout %lld\n", set, s, tmo);
}

static void
ipset_create_line(struct fw_str *b, const char *set, int family, int exist)
{
	fw_str_printf(b, "create %s%s hash:ip family %s timeout 0 maxelem %zu\n",
	    exist ? "-exist " : "", set, family == AF_INET ? "inet" : "inet6",
	    ips.maxelem);
}

/* Number of entries in a set's header; -2 if it does not exist, -1 if
 * its parameters are not ours. */
static long long
ipset_count(const char *set)
{
	char line[128];
	const char *p;
	long long n = -1;

	fw_str_reset(&ips.out);
	snprintf(line, sizeof(line), "list -t %s\n", set);
	if (ipset_run(line, strlen(line), 1) < 0 || ips.out.s == NULL)
		return -2;
	snprintf(line, sizeof(line), "maxelem %zu ", ips.maxelem);
	if (strstr(ips.out.s, line) == NULL ||
	    strstr(ips.out.s, "Type: hash:ip\n") == NULL)
		return -1;
	if ((p = strstr(ips.out.s, "Number of entries: ")) != NULL)
		n = strtoll(p + 19, NULL, 10);
	return n;
}

/* Rebuild one family's set from the entries, swapped in atomically. */
static int
ipset_rebuild(int family, const struct fw_entry *all, size_t n)
{
	const char *set = family == AF_INET ? ips.set4 : ips.set6;
	char tmp[FW_SETS_NAME_MAX + 4];
	time_t now = time(NULL);
	struct fw_str b = { 0 };
	size_t i;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s-t", set);
	/* each may fail, and a failure ends a stream: one line each */
	fw_str_printf(&b, "destroy %s\n", tmp);     /* left by a crash */
	ipset_run(b.s, b.len, 1);
	fw_str_reset(&b);
	ipset_create_line(&b, set, family, 1);  /* fails if params differ */
	ipset_run(b.s, b.len, 1);
	fw_str_reset(&b);
	ipset_create_line(&b, tmp, family, 0);
	for (i = 0; i < n; i++)
		if (all[i].addr.family == family)
			ipset_add_line(&b, tmp, &all[i].addr,
			    fw_sets_timeout(&all[i], now));
	fw_str_printf(&b, "swap %s %s\ndestroy %s\n", tmp, set, tmp);
	rc = ipset_run(b.s, b.len, 0);
	fw_str_free(&b);
	return rc;
}

int
fw_ipset_start(const struct fw_sets_opts *o)
{
	if (!fw_sets_name_ok(o->set_name)) {
		log_warnx("ipset: bad set name");
		return -1;
	}
	ips.o = *o;
	snprintf(ips.set4, sizeof(ips.set4), "%s4", o->set_name);
	snprintf(ips.set6, sizeof(ips.set6), "%s6", o->set_name);
	ips.maxelem = o->max_entries + o->max_entries / 16 + 64;
	if ((ips.ips = ipset_open()) == NULL) {
		log_warnx("ipset: ipset_init failed");
		return -1;
	}
	if (fw_ipset_probe() == EPERM)
		fatalc(FW_SETS_EX_NOPERM, "ipset: no permission to use ip_set: "
		    "CAP_NET_ADMIN is needed");
	if (fw_ipset_rules_open(o) < 0) {
		ipset_fini(ips.ips);
		ips.ips = NULL;
		return -1;
	}
	/* the sets must exist before the rule can point at them */
	fw_str_reset(&ips.cmd);
	ipset_create_line(&ips.cmd, ips.set4, AF_INET, 1);
	ipset_run(ips.cmd.s, ips.cmd.len, 1);
	fw_str_reset(&ips.cmd);
	ipset_create_line(&ips.cmd, ips.set6, AF_INET6, 1);
	ipset_run(ips.cmd.s, ips.cmd.len, 1);
	fw_str_reset(&ips.cmd);
	if (ipset_count(ips.set4) == -2) {
		log_warnx("ipset: cannot create set %s (no ip_set in the kernel, "
		    "or no CAP_NET_ADMIN?)", ips.set4);
		ipset_fini(ips.ips);
		ips.ips = NULL;
		return -1;
	}
	ips.dirty = 1;
	log_info("ipset: sets %s %s, maxelem %zu", ips.set4, ips.set6,
	    ips.maxelem);
	return 0;
}

static int
ips_init(const struct fwh_config *cfg)
{
	struct fw_sets_opts o;

	if (fw_sets_opts_get(cfg, &o) < 0)
		return -1;
	return fw_ipset_start(&o);
}

static int
ips_block(const struct fw_entry *e)
{
	fw_sets_model_set(&ips.model, &e->addr, 1);
	ipset_add_line(&ips.cmd, ipset_setof(&e->addr), &e->addr,
	    fw_sets_timeout(e, time(NULL)));
	return 0;
}

static int
ips_unblock(const struct addr *a)
{
	char s[ADDR_STRLEN];

	fw_sets_model_set(&ips.model, a, 0);
	fw_str_printf(&ips.cmd, "del -exist %s %s\n", ipset_setof(a),
	    addr_format(a, s, sizeof(s)));
	return 0;
}

static int
ips_sync(void)
{
	double t0 = fw_sets_now_ms();
	int rc;

	if (ips.cmd.len == 0)
		return 0;
	rc = ipset_run(ips.cmd.s, ips.cmd.len, 0);
	fw_sets_stats_commit(&ips.st, fw_sets_now_ms() - t0, rc == 0);
	if (rc < 0)
		ips.dirty = 1;
	fw_str_reset(&ips.cmd);
	return rc;
}

static int
ips_reconcile(const struct fw_entry *all, size_t n)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	size_t i, want[2] = { 0, 0 };
	int f, rc = 0;

	fw_str_reset(&ips.cmd);
	for (i = 0; i < n; i++)
		want[all[i].addr.family == AF_INET ? 0 : 1]++;
	for (f = 0; f < 2; f++) {
		const char *set = f == 0 ? ips.set4 : ips.set6;
		long long have = ipset_count(set);

		double t0;

		if (!ips.dirty && have >= 0 && (size_t)have == want[f])
			continue;
		t0 = fw_sets_now_ms();
		if (ipset_rebuild(fams[f], all, n) < 0)
			rc = -1;
		else
			log_info("ipset: set %s rewritten, %zu entries (had %lld)",
			    set, want[f], have);
		fw_sets_stats_commit(&ips.st, fw_sets_now_ms() - t0, rc == 0);
		if (!ips.dirty)
			ips.st.repairs++;
	}
	if (fw_ipset_rules(&ips.o, ips.set4, ips.set6, 0) < 0)
		rc = -1;
	ips.dirty = rc < 0;
	if (rc == 0)
		fw_sets_model_reset(&ips.model, all, n);
	return rc;
}

static int
ips_flush(void)
{
	fw_str_reset(&ips.cmd);
	fw_sets_model_reset(&ips.model, NULL, 0);
	fw_str_printf(&ips.cmd, "flush %s\nflush %s\n", ips.set4, ips.set6);
	return ips_sync();
}

static void
ips_fini(int remove)
{
	if (remove && ips.ips)
		fw_ipset_remove(&ips.o);
	if (ips.ips)
		ipset_fini(ips.ips);
	fw_ipset_rules_close();
	fw_str_free(&ips.cmd);
	fw_str_free(&ips.out);
	fw_sets_model_free(&ips.model);
	memset(&ips, 0, sizeof(ips));
}

int
fw_ipset_remove(const struct fw_sets_opts *o)
{
	struct ipset *save = ips.ips;
	char text[160];
	int rc;

	if (!fw_sets_name_ok(o->set_name))
		return -1;
	/* the rule holds a reference: it goes first */
	rc = fw_ipset_rules(o, NULL, NULL, 1);
	if (save == NULL && (ips.ips = ipset_open()) == NULL)
		return -1;
	snprintf(text, sizeof(text), "destroy %s4\n", o->set_name);
	ipset_run(text, strlen(text), 1);
	snprintf(text, sizeof(text), "destroy %s6\n", o->set_name);
	ipset_run(text, strlen(text), 1);
	if (save == NULL && ips.ips) {
		ipset_fini(ips.ips);
		ips.ips = NULL;
	}
	return rc;
}

static void
ips_stats(struct fw_backend_stats *st)
{
	long long n4 = ipset_count(ips.set4), n6 = ipset_count(ips.set6);

	*st = ips.st;
	st->kernel_entries = (size_t)(n4 > 0 ? n4 : 0) + (size_t)(n6 > 0 ? n6 : 0);
}

const struct fw_backend fw_ipset_backend = {
	.name = "ipset",
	.init = ips_init,
	.block = ips_block,
	.unblock = ips_unblock,
	.sync = ips_sync,
	.reconcile = ips_reconcile,
	.flush = ips_flush,
	.fini = ips_fini,
	.stats = ips_stats,
};
