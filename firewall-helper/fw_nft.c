/*
 * fw_nft.c - the `nftset` backend: one nftables table of the helper's own,
 * two sets with timeouts, and the rules that refuse their members.
 *
 *   table inet policyd {
 *       set policyd4 { type ipv4_addr; flags timeout; }
 *       set policyd6 { type ipv6_addr; flags timeout; }
 *       chain input {
 *           type filter hook input priority filter - 10; policy accept;
 *           [tcp dport { 25 } tcp flags & (fin|syn|rst|ack) == syn
 *               ip saddr @policyd4 limit rate 6/minute burst 3 packets
 *               log prefix "..."]             (log: true)
 *           tcp dport { 25 } tcp flags & (fin|syn|rst|ack) == syn
 *               ip saddr @policyd4 reject with tcp reset
 *           ... the same with ip6 saddr @policyd6 ...
 *       }
 *   }
 *
 * The table, its sets and rules are written as command text through
 * libnftables (start, rebuild, flush); the staged element changes of a
 * sync() go straight through libnftnl as one netlink batch (fw_nft_elem.c),
 * which skips the parser: each is one transaction either way.  Changes are
 * staged as runs of additions or removals in arrival order; a run is sorted
 * and made unique when it is written, because a removal or a delete-and-add
 * of the same element twice in one transaction would fail the whole batch.
 *
 * Element timeouts carry the block's expiry.  Refreshing an element's
 * timeout by adding it again works from Linux 6.12; before that the add is
 * a no-op, so on older kernels every addition is written as add (no error
 * if absent), delete, add-with-timeout in the same transaction.  A removal
 * is always written as add-then-delete, so an element the kernel already
 * expired does not fail the batch with ENOENT.
 *
 * reconcile() first commits what is staged, then rebuilds the whole table
 * (delete and re-create in one transaction, elements included) unless the
 * entries it is given are the ones we hold (a model of the sets, an addrmap
 * kept at staging) and the table is intact: either nobody committed to
 * nftables since we did (the ruleset generation id, read through libmnl,
 * is remembered after each of our commits), or, after someone else's
 * commit, our chain still prints as it did after our rebuild and each set
 * holds as many elements as the block table says (fw_nft_check.c).  A
 * quiet host pays one netlink round trip and a pass over the block table;
 * a host where others commit often pays two small dumps and an element
 * count, not a rebuild.  stats' kernel_entries is the model's size:
 * counting a set's elements would mean dumping all of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#undef _GNU_SOURCE
#include <nftables/libnftables.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "firewall-helper/addrmap.h"
#include "firewall-helper/fw_nft.h"
#include "firewall-helper/fw_sets.h"

static struct {
	struct nft_ctx *ctx;
	struct mnl_socket *nl;
	struct fw_sets_opts o;
	char set4[FW_SETS_NAME_MAX + 2], set6[FW_SETS_NAME_MAX + 2];
	char iif[sizeof(((struct fw_sets_opts *)0)->iface)];
	struct fw_str cmd;      /* command text: init, flush, rebuild */
	struct nft_eb eb;       /* staged element changes, as netlink */
	struct nft_op *run;     /* the current run, not yet in cmd */
	size_t nrun, caprun;
	int run_del;            /* the run holds removals */
	int replace;            /* old kernel: delete-and-add to refresh */
	int dirty;              /* a batch failed: next reconcile rebuilds */
	int built;              /* the table was built by us */
	uint32_t genid;         /* generation after our last commit */
	struct fw_backend_stats st;
	struct addrmap *model;  /* what we believe the sets hold */
	char *rules;            /* our chain as printed after our rebuild */
} nft;

static void nft_fini(int remove);
static int nft_sync(void);

static int
nft_kernel_refreshes(void)
{
	struct utsname u;
	unsigned maj = 0, min = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &maj, &min) != 2)
		return 0;
	return maj > 6 || (maj == 6 && min >= 12);
}

void
fw_nft_force_replace(int on)
{
	nft.replace = on;
}

static int
nft_genid_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();

	if (g == NULL)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, g) == 0)
		*(uint32_t *)data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_OK;
}

/* The ruleset generation id; 0 and -1 when it cannot be read. */
static int
nft_genid(uint32_t *out)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL);
	ssize_t n;

	*out = 0;
	if (nft.nl == NULL)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, seq);
	if (mnl_socket_sendto(nft.nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nft.nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, (size_t)n, seq,
	    mnl_socket_get_portid(nft.nl), nft_genid_cb, out) < 0)
		return -1;
	return 0;
}

/*
 * One transaction: command text through libnftables (text != NULL) or the
 * staged element batch.  Logs the failure once; remembers the generation
 * after our commit - anyone else's commit in between shows as a gap, and
 * the next reconcile then looks at the table.
 */
static int
nft_commit(const char *text, const char *what)
{
	const char *err;
	char esc[400];
	uint32_t before = 0, after = 0;
	double t0;
	int rc, gen_ok;

	gen_ok = nft_genid(&before) == 0;
	t0 = fw_sets_now_ms();
	if (text != NULL) {
		rc = nft_run_cmd_from_buffer(nft.ctx, text);
		err = nft_ctx_get_error_buffer(nft.ctx);
	} else {
		rc = nft_eb_send(&nft.eb, nft.nl);
		err = rc ? strerror(errno) : NULL;
	}
	fw_sets_stats_commit(&nft.st, fw_sets_now_ms() - t0, rc == 0);
	if (rc != 0) {
		log_warnx("nftset: %s failed: %s", what,
		    log_escs(esc, sizeof(esc), err && *err ? err : "?"));
		nft.dirty = 1;
		return -1;
	}
	if (gen_ok && nft_genid(&after) == 0 && after == before + 1)
		nft.genid = after;
	else
		nft.genid = 0;
	return 0;
}

static int
nft_run(const char *text, const char *what)
{
	return nft_commit(text, what);
}

static void
nft_elem(struct fw_str *b, const struct nft_op *op, int with_tmo, int first)
{
	char a[ADDR_STRLEN];

	addr_format(&op->addr, a, sizeof(a));
	if (with_tmo && op->tmo > 0)
		fw_str_printf(b, "%s%s timeout %llds", first ? "" : ", ", a,
		    op->tmo);
	else
		fw_str_printf(b, "%s%s", first ? "" : ", ", a);
}

/* "VERB element inet T SET { ... }" for the ops of one family. */
static void
nft_stmt(struct fw_str *b, const char *verb, int family, int with_tmo)
{
	size_t i;
	int first = 1;

	for (i = 0; i < nft.nrun; i++) {
		if (nft.run[i].addr.family != family)
			continue;
		if (first)
			fw_str_printf(b, "%s element inet %s %s { ", verb,
			    nft.o.table, family == AF_INET ? nft.set4 : nft.set6);
		nft_elem(b, &nft.run[i], with_tmo, first);
		first = 0;
	}
	if (!first)
		fw_str_printf(b, " }\n");
}

static int
nft_op_cmp(const void *x, const void *y)
{
	const struct nft_op *a = x, *b = y;
	int c;

	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	if ((c = memcmp(a->addr.a, b->addr.a, sizeof(a->addr.a))) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sort the run and keep the last op per address. */
static void
nft_run_unique(void)
{
	size_t i, k = 0;

	qsort(nft.run, nft.nrun, sizeof(*nft.run), nft_op_cmp);
	for (i = 0; i < nft.nrun; i++) {
		if (i + 1 < nft.nrun && addr_equal(&nft.run[i].addr,
		    &nft.run[i + 1].addr))
			continue;
		nft.run[k++] = nft.run[i];
	}
	nft.nrun = k;
}

/* The current run into the element batch. */
static void
nft_run_close(void)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	const char *t = nft.o.table;
	size_t f;

	if (nft.nrun == 0)
		return;
	for (f = 0; f < 2; f++) {
		const char *set = fams[f] == AF_INET ? nft.set4 : nft.set6;

		if (!nft.run_del && !nft.replace) {
			/* duplicates are harmless: a re-add updates */
			nft_eb_elems(&nft.eb, 0, t, set, fams[f], nft.run,
			    nft.nrun, 1);
			continue;
		}
		if (f == 0)
			nft_run_unique();
		nft_eb_elems(&nft.eb, 0, t, set, fams[f], nft.run, nft.nrun, 0);
		nft_eb_elems(&nft.eb, 1, t, set, fams[f], nft.run, nft.nrun, 0);
		if (!nft.run_del)
			nft_eb_elems(&nft.eb, 0, t, set, fams[f], nft.run,
			    nft.nrun, 1);
	}
	nft.nrun = 0;
}

static void
nft_stage(const struct addr *a, long long tmo, int del)
{
	if (nft.nrun > 0 && nft.run_del != del)
		nft_run_close();
	nft.run_del = del;
	if (nft.nrun == nft.caprun) {
		nft.caprun = nft.caprun ? nft.caprun * 2 : 1024;
		nft.run = xreallocarray(nft.run, nft.caprun, sizeof(*nft.run));
	}
	fw_sets_model_set(&nft.model, a, !del);
	nft.run[nft.nrun].addr = *a;
	nft.run[nft.nrun].tmo = tmo;
	nft.run[nft.nrun].seq = nft.nrun;
	nft.nrun++;
}

static void
nft_discard(void)
{
	nft.nrun = 0;
	fw_str_reset(&nft.cmd);
	nft_eb_free(&nft.eb);
}

/* One rule per family, in the chain of the table being written. */
static void
nft_rules(struct fw_str *b)
{
	static const char *verdicts[] = {
		[FW_SETS_REJECT_RESET] = "reject with tcp reset",
		[FW_SETS_REJECT_ICMP] = "reject",
		[FW_SETS_DROP] = "drop",
	};
	char ports[FW_SETS_PORTS_STRLEN];
	int f;

	fw_sets_ports(&nft.o, ports, sizeof(ports));
	/* with log: a rule that logs, at most FW_LOG_PER_MIN lines a minute
	 * for all the set's members (over the limit it does not match, and
	 * the next rule refuses all the same), then the one that refuses */
	for (int r = *nft.o.log_prefix ? 0 : 2; r < 4; r++) {
		f = r & 1;
		fw_str_printf(b, "\t\t");
		if (*nft.o.iface)
			fw_str_printf(b, "iifname \"%s\" ", nft.iif);
		if (*ports)
			fw_str_printf(b, "tcp dport { %s } ", ports);
		else
			fw_str_printf(b, "meta l4proto tcp ");
		fw_str_printf(b, "tcp flags & (fin | syn | rst | ack) == syn "
		    "%s saddr @%s ", f == 0 ? "ip" : "ip6",
		    f == 0 ? nft.set4 : nft.set6);
		if (r < 2)
			fw_str_printf(b, "limit rate %d/minute burst %d packets "
			    "log prefix \"%s\" ", FW_LOG_PER_MIN, FW_LOG_BURST,
			    nft.o.log_prefix);
		else
			fw_str_printf(b, "%s ", verdicts[nft.o.action]);
		fw_str_printf(b, "comment \"policyd firewall-helper\"\n");
	}
}

/* The whole table, re-created in one transaction, with these elements. */
static void
nft_table_text(struct fw_str *b, const struct fw_entry *all, size_t n)
{
	time_t now = time(NULL);
	size_t i;

	fw_str_printf(b, "add table inet %s\ndelete table inet %s\n"
	    "table inet %s {\n"
	    "\tset %s { type ipv4_addr; flags timeout; }\n"
	    "\tset %s { type ipv6_addr; flags timeout; }\n"
	    "\tchain input {\n"
	    "\t\ttype filter hook input priority filter - 10; policy accept;\n",
	    nft.o.table, nft.o.table, nft.o.table, nft.set4, nft.set6);
	nft_rules(b);
	fw_str_printf(b, "\t}\n}\n");
	if (n > nft.caprun) {
		nft.caprun = n;
		nft.run = xreallocarray(nft.run, nft.caprun, sizeof(*nft.run));
	}
	/* a fresh set needs neither refresh nor unique */
	for (i = 0; i < n; i++)
		nft.run[i] = (struct nft_op){ all[i].addr,
		    fw_sets_timeout(&all[i], now), i };
	nft.nrun = n;
	nft_stmt(b, "add", AF_INET, 1);
	nft_stmt(b, "add", AF_INET6, 1);
	nft.nrun = 0;
}

int
fw_nft_start(const struct fw_sets_opts *o)
{
	if (!fw_sets_name_ok(o->table) || !fw_sets_name_ok(o->set_name)) {
		log_warnx("nftset: bad table or set name");
		return -1;
	}
	if (!fw_sets_prefix_ok(o->log_prefix) || !fw_sets_prefix_ok(o->iface)) {
		log_warnx("nftset: bad log prefix or interface name");
		return -1;
	}
	nft.o = *o;
	snprintf(nft.set4, sizeof(nft.set4), "%s4", o->set_name);
	snprintf(nft.set6, sizeof(nft.set6), "%s6", o->set_name);
	/* iptables' "eth+" is nft's "eth*" */
	snprintf(nft.iif, sizeof(nft.iif), "%s", o->iface);
	if (*nft.iif && nft.iif[strlen(nft.iif) - 1] == '+')
		nft.iif[strlen(nft.iif) - 1] = '*';
	if ((nft.ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		log_warnx("nftset: nft_ctx_new failed");
		return -1;
	}
	nft_ctx_buffer_output(nft.ctx);
	nft_ctx_buffer_error(nft.ctx);
	nft.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nft.nl == NULL || mnl_socket_bind(nft.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		log_warn("nftset: netlink socket (generation checks off)");
	if (nft.nl != NULL && nft_genid(&nft.genid) < 0 && errno == EPERM)
		fatalc(FW_SETS_EX_NOPERM, "nftset: no permission to talk to "
		    "nf_tables: CAP_NET_ADMIN is needed");
	nft.genid = 0;
	nft.replace = !nft_kernel_refreshes();
	nft.dirty = 1;
	nft.built = 0;
	log_info("nftset: table inet %s, sets %s %s, refresh by %s",
	    o->table, nft.set4, nft.set6,
	    nft.replace ? "delete-and-add" : "re-add");
	/* reconcile() builds the table; this only shows that nf_tables works */
	fw_str_reset(&nft.cmd);
	fw_str_printf(&nft.cmd, "add table inet %s\n", o->table);
	if (nft_run(nft.cmd.s, "init") < 0) {
		nft_fini(0);
		return -1;
	}
	fw_str_reset(&nft.cmd);
	nft.dirty = 1;
	return 0;
}

static int
nft_init(const struct fwh_config *cfg)
{
	struct fw_sets_opts o;

	if (fw_sets_opts_get(cfg, &o) < 0)
		return -1;
	return fw_nft_start(&o);
}

static int
nft_block(const struct fw_entry *e)
{
	nft_stage(&e->addr, fw_sets_timeout(e, time(NULL)), 0);
	return 0;
}

static int
nft_unblock(const struct addr *a)
{
	nft_stage(a, -1, 1);
	return 0;
}

static int
nft_sync(void)
{
	nft_run_close();
	if (nft.eb.nmsg == 0)
		return 0;
	if (nft.nl == NULL) {           /* no netlink socket: rebuild later */
		nft_eb_free(&nft.eb);
		nft.dirty = 1;
		return -1;
	}
	return nft_commit(NULL, "batch");
}

/* After someone else's commit: are our rules as we printed them after our
 * rebuild, and do the sets hold as many elements as the block table? */
static bool
nft_intact(const struct fw_entry *all, size_t n)
{
	size_t i, want4 = 0;
	char *rules = NULL;
	bool same;

	if (nft.nl == NULL || nft.rules == NULL ||
	    fw_nft_rules_print(nft.nl, nft.o.table, &rules) < 0) {
		free(rules);
		return false;
	}
	same = strcmp(rules, nft.rules) == 0;
	free(rules);
	for (i = 0; i < n; i++)
		want4 += all[i].addr.family == AF_INET;
	return same &&
	    fw_nft_set_count(nft.nl, nft.o.table, nft.set4) == (long long)want4 &&
	    fw_nft_set_count(nft.nl, nft.o.table, nft.set6) ==
	    (long long)(n - want4);
}

static int
nft_reconcile(const struct fw_entry *all, size_t n)
{
	uint32_t now;
	int rc;

	/* what was staged goes first: the block table already counts it */
	if (nft.eb.nmsg > 0 || nft.nrun > 0)
		nft_sync();
	if (!nft.dirty && nft.built && fw_sets_model_matches(nft.model, all, n) &&
	    nft_genid(&now) == 0) {
		if (now == nft.genid)
			return 0;       /* nobody committed since we did */
		if (nft_intact(all, n)) {
			nft.genid = now;        /* someone else's change */
			return 0;
		}
	}
	nft_table_text(&nft.cmd, all, n);
	rc = nft_run(nft.cmd.s, "reconcile");
	fw_str_reset(&nft.cmd);
	if (rc == 0) {
		if (nft.built) {
			log_info("nftset: table inet %s rewritten (the ruleset "
			    "or the block table changed), %zu elements",
			    nft.o.table, n);
			nft.st.repairs++;
		}
		fw_sets_model_reset(&nft.model, all, n);
		free(nft.rules);
		nft.rules = NULL;
		if (nft.nl && fw_nft_rules_print(nft.nl, nft.o.table,
		    &nft.rules) < 0) {
			free(nft.rules);
			nft.rules = NULL;
		}
		nft.dirty = 0;
		nft.built = 1;
	}
	return rc;
}

static int
nft_flush(void)
{
	int rc;

	nft_discard();
	fw_sets_model_reset(&nft.model, NULL, 0);
	fw_str_printf(&nft.cmd, "flush set inet %s %s\nflush set inet %s %s\n",
	    nft.o.table, nft.set4, nft.o.table, nft.set6);
	rc = nft_run(nft.cmd.s, "flush");
	fw_str_reset(&nft.cmd);
	return rc;
}

static void
nft_fini(int remove)
{
	if (remove && nft.ctx)
		fw_nft_remove(&nft.o);
	if (nft.ctx)
		nft_ctx_free(nft.ctx);
	if (nft.nl)
		mnl_socket_close(nft.nl);
	fw_str_free(&nft.cmd);
	nft_eb_free(&nft.eb);
	free(nft.run);
	fw_sets_model_free(&nft.model);
	free(nft.rules);
	memset(&nft, 0, sizeof(nft));
}

int
fw_nft_remove(const struct fw_sets_opts *o)
{
	struct nft_ctx *ctx;
	char *text;
	int rc;

	if (!fw_sets_name_ok(o->table) || (ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return -1;
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	text = xasprintf("add table inet %s\ndelete table inet %s\n",
	    o->table, o->table);
	rc = nft_run_cmd_from_buffer(ctx, text);
	if (rc == 0)
		log_debug("nftset: table inet %s removed", o->table);
	free(text);
	nft_ctx_free(ctx);
	return rc == 0 ? 0 : -1;
}

static void
nft_stats(struct fw_backend_stats *st)
{
	*st = nft.st;
	st->kernel_entries = nft.model ? addrmap_count(nft.model) : 0;
}

const struct fw_backend fw_nftset_backend = {
	.name = "nftset",
	.init = nft_init,
	.block = nft_block,
	.unblock = nft_unblock,
	.sync = nft_sync,
	.reconcile = nft_reconcile,
	.flush = nft_flush,
	.fini = nft_fini,
	.stats = nft_stats,
};
