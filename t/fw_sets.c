/*
 * fw_sets.c - the set backends (nftset, ipset) against the kernel, in a
 * network namespace of the test's own (unshare(CLONE_NEWNET) at start, so
 * the host's rules are never seen).  Needs root; skips otherwise.
 *
 * Each backend goes through: build from an empty table, add (IPv4, IPv6),
 * refresh on re-add, removal (also of an absent address), expiry by the
 * kernel's own timeout, reconcile after someone wiped our objects, flush,
 * and fini(remove).  The nft, ipset and iptables-legacy programs are the
 * independent witnesses.  Then the switch between backends (purge).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "t/tap.h"
#include "common/addr.h"
#include "common/log.h"
#include "firewall-helper/fw_sets.h"

/* Run a shell command, return its exit status. */
static int
sh(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* The whole output of a command. */
static char *
out(const char *cmd)
{
	static char buf[65536];
	FILE *fp = popen(cmd, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (fp == NULL)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	pclose(fp);
	return buf;
}

static struct fw_entry
entry(const char *ip, long long ttl)
{
	struct fw_entry e;

	memset(&e, 0, sizeof(e));
	if (addr_parse(&e.addr, ip) < 0)
		abort();
	e.added = time(NULL);
	e.expires = ttl ? e.added + ttl : 0;
	return e;
}

/* Seconds left on an element, from the witness's listing ("expires
 * 1h23m19s996ms"); -1 if absent. */
static long
nft_left(const char *ip)
{
	char cmd[160], pat[80], *p;
	long total = 0, v;

	snprintf(cmd, sizeof(cmd), "nft list set inet policyd %s 2>/dev/null",
	    strchr(ip, ':') ? "policyd6" : "policyd4");
	snprintf(pat, sizeof(pat), " %s ", ip);
	p = strstr(out(cmd), pat);
	if (p == NULL || (p = strstr(p, "expires ")) == NULL)
		return -1;
	for (p += 8; *p >= '0' && *p <= '9'; ) {
		v = strtol(p, &p, 10);
		if (strncmp(p, "ms", 2) == 0)
			p += 2;
		else if (*p == 'd')
			total += v * 86400, p++;
		else if (*p == 'h')
			total += v * 3600, p++;
		else if (*p == 'm')
			total += v * 60, p++;
		else if (*p == 's')
			total += v, p++;
		else
			break;
	}
	return total;
}

static long
ipset_left(const char *ip)
{
	char cmd[160], pat[80], *p;

	snprintf(cmd, sizeof(cmd), "ipset list %s 2>/dev/null",
	    strchr(ip, ':') ? "policyd6" : "policyd4");
	snprintf(pat, sizeof(pat), "\n%s timeout ", ip);
	p = strstr(out(cmd), pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

struct be {
	const char *name;
	const struct fw_backend *ops;
	int (*start)(const struct fw_sets_opts *);
	long (*left)(const char *);
	const char *wipe;               /* someone removes our objects */
	const char *wipe_chain;         /* or only our rule */
	const char *present;            /* objects there: exit 0 */
};

static void
run_backend(const struct be *b, int replace)
{
	const struct fw_backend *ops = b->ops;
	struct fw_sets_opts o;
	struct fw_entry all[3];
	struct fw_backend_stats st;
	long left;

	fw_sets_opts_default(&o);
	snprintf(o.log_prefix, sizeof(o.log_prefix), "t-fw_sets: ");
	if (!ok(b->start(&o) == 0, "%s: start", b->name))
		return;
	if (replace)
		fw_nft_force_replace(1);
	ok(ops->reconcile(NULL, 0) == 0, "%s: reconcile builds from nothing",
	    b->name);
	ok(sh(b->present) == 0, "%s: objects are there", b->name);

	all[0] = entry("192.0.2.1", 100);
	all[1] = entry("2001:db8::1", 100);
	all[2] = entry("198.51.100.7", 0);
	ops->block(&all[0]);
	ops->block(&all[1]);
	ops->block(&all[2]);
	ok(ops->sync() == 0, "%s: sync of three blocks", b->name);
	left = b->left("192.0.2.1");
	ok(left > 90 && left <= 100, "%s: IPv4 element, timeout %ld", b->name,
	    left);
	left = b->left("2001:db8::1");
	ok(left > 90 && left <= 100, "%s: IPv6 element, timeout %ld", b->name,
	    left);

	all[0] = entry("192.0.2.1", 5000);
	ops->block(&all[0]);
	ok(ops->sync() == 0, "%s: sync of a refresh", b->name);
	left = b->left("192.0.2.1");
	ok(left > 4900, "%s: re-add refreshes the timeout (%ld s left)%s",
	    b->name, left, replace ? " by delete-and-add" : "");

	ops->unblock(&all[1].addr);
	ops->unblock(&all[1].addr);     /* twice in one batch */
	ops->unblock(&(struct fw_entry){ .addr = { AF_INET, { 203, 0, 113, 9 } } }.addr);
	ok(ops->sync() == 0, "%s: removals, one of them absent", b->name);
	ok(b->left("2001:db8::1") == -1, "%s: IPv6 element gone", b->name);
	ok(b->left("192.0.2.1") > 0, "%s: others stay", b->name);

	if (!replace) {
		struct fw_entry e = entry("192.0.2.99", 1);

		ops->block(&e);
		ops->sync();
		ok(b->left("192.0.2.99") >= 0, "%s: 1 s element in", b->name);
		sleep(2);               /* the kernel's timer, not ours */
		ok(b->left("192.0.2.99") == -1, "%s: the kernel expires an "
		    "element on its own", b->name);
	}

	all[1] = entry("2001:db8::2", 300);
	fw_sets_opts_default(&o);
	ops->stats(&st);
	ok(ops->reconcile(all, 3) == 0, "%s: reconcile, nothing changed",
	    b->name);
	sh(b->wipe);
	ok(sh(b->present) != 0, "%s: wiped (%s)", b->name, b->wipe);
	ok(ops->reconcile(all, 3) == 0 && sh(b->present) == 0,
	    "%s: reconcile re-creates", b->name);
	ok(b->left("2001:db8::2") > 250 && b->left("192.0.2.1") > 4800,
	    "%s: and re-asserts the elements", b->name);
	if (ops == &fw_nftset_backend) {
		unsigned long r0;

		ops->stats(&st);
		r0 = st.repairs;
		sh("nft add table inet someone_else");
		ok(ops->reconcile(all, 3) == 0, "nftset: reconcile after "
		    "someone else's commit");
		ops->stats(&st);
		is_int(st.repairs, r0, "nftset: ... our table was intact: "
		    "no rebuild");
		sh("nft delete element inet policyd policyd6 '{ 2001:db8::2 }'");
		ops->reconcile(all, 3);
		ops->stats(&st);
		ok(st.repairs == r0 + 1 && b->left("2001:db8::2") > 250,
		    "nftset: an element deleted behind our back: rebuilt");
		sh("nft insert rule inet policyd input accept");
		ops->reconcile(all, 3);
		ops->stats(&st);
		ok(st.repairs == r0 + 2 && sh("nft list chain inet policyd input "
		    "| grep -qx '[[:space:]]*accept'") != 0,
		    "nftset: a rule slipped into our chain: rebuilt");
		sh("nft delete table inet someone_else");
	}
	if (b->wipe_chain) {
		sh(b->wipe_chain);
		ok(ops->reconcile(all, 3) == 0 && sh(b->present) == 0,
		    "%s: reconcile after %s", b->name, b->wipe_chain);
	}
	{       /* ten years to go (the clock set back since it was made):
		 * no kernel timeout, which nftables refuses from about 3
		 * years; the rebuild must not fail on it */
		struct fw_entry far[2];

		far[0] = all[0];
		far[1] = entry("192.0.2.77", 10L * 366 * 86400);
		sh(b->wipe);
		ok(ops->reconcile(far, 2) == 0 && sh(b->present) == 0 &&
		    sh(ops == &fw_nftset_backend ?
		    "nft list set inet policyd policyd4 | grep -q 192.0.2.77" :
		    "ipset list policyd4 | grep -q '^192.0.2.77 '") == 0,
		    "%s: a block of ten years: rebuilt, its element in",
		    b->name);
	}
	ok(ops->flush() == 0 && b->left("192.0.2.1") == -1, "%s: flush",
	    b->name);
	ops->fini(1);
	ok(sh(b->present) != 0, "%s: fini(remove) takes everything down",
	    b->name);
}

int
main(void)
{
	static const struct be bes[] = {
		{ "nftset", &fw_nftset_backend, fw_nft_start, nft_left,
		  "nft flush ruleset", NULL,
		  "nft list chain inet policyd input 2>/dev/null | "
		  "grep -q 'ip saddr @policyd4 limit rate 6/minute burst 3 "
		  "packets log prefix \"t-fw_sets: \"' && "
		  "nft list chain inet policyd input 2>/dev/null | "
		  "grep -q 'ip saddr @policyd4 reject with tcp reset'" },
		{ "ipset", &fw_ipset_backend, fw_ipset_start, ipset_left,
		  "iptables-legacy -F INPUT; ip6tables-legacy -F INPUT; "
		  "ipset destroy", "iptables-legacy -F INPUT",
		  "ipset list -n | grep -qx policyd6 && "
		  "ip6tables-legacy-save | grep -q 'match-set policyd6 src' && "
		  "iptables-legacy-save | grep -q 'match-set policyd4 src .*-m limit --limit 6/min --limit-burst 3 -j LOG' && "
		  "iptables-legacy-save | grep -q 'match-set policyd4 src .*REJECT'" },
	};
	struct fw_sets_opts o;
	size_t i;

	if (geteuid() != 0)
		skip_all("needs root (network namespace, nf_tables, ip_set)");
	if (unshare(CLONE_NEWNET) < 0)
		skip_all("unshare(CLONE_NEWNET) failed");
	if (sh("nft list ruleset >/dev/null 2>&1 && ipset list >/dev/null 2>&1"
	    " && iptables-legacy-save >/dev/null 2>&1") != 0)
		skip_all("nft, ipset or iptables-legacy missing or not working");
	log_init("fw_sets", 1, 0);

	for (i = 0; i < sizeof(bes) / sizeof(bes[0]); i++)
		run_backend(&bes[i], 0);
	run_backend(&bes[0], 1);        /* kernels before 6.12 */

	/* switching backends: the others' objects go */
	fw_sets_opts_default(&o);
	fw_nft_start(&o);
	fw_nftset_backend.reconcile(NULL, 0);
	fw_nftset_backend.fini(0);
	fw_ipset_start(&o);
	fw_ipset_backend.reconcile(NULL, 0);
	fw_ipset_backend.fini(0);
	sh("iptables-legacy -N POLICYD && iptables-legacy -A INPUT -p tcp "
	    "-j POLICYD && ip6tables-legacy -N POLICYD");
	fw_sets_purge_others(NULL, "nftset");
	ok(sh(bes[1].present) != 0 && sh("ipset list -n | grep -q policyd") != 0,
	    "switch to nftset: ipsets and their rules gone");
	ok(sh("iptables-legacy-save | grep -q POLICYD") != 0 &&
	    sh("ip6tables-legacy-save | grep -q POLICYD") != 0,
	    "switch to nftset: iptables chain and jump gone");
	ok(sh("nft list table inet policyd >/dev/null 2>&1") == 0,
	    "switch to nftset: its own table stays");
	fw_sets_purge_others(NULL, "ipset");
	ok(sh("nft list table inet policyd >/dev/null 2>&1") != 0,
	    "switch to ipset: nft table gone");
	return done_testing();
}
