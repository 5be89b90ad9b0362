/*
 * fwcore.c - see fwcore.h.
 *
 * Order of a change: block table, journal buffer, backend stage; at the
 * batch timer: journal write + fdatasync, backend sync, compaction when the
 * journal has grown, the batch's change log lines (fwlog), committed
 * callback (fwsrv releases held replies).
 * A failed sync schedules a full reconcile with backoff (1 s doubling to
 * 60 s); the periodic reconcile also refreshes the host's own addresses
 * and drops entries that became protected.
 */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/lbuf.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "firewall-helper/blocktab.h"
#include "firewall-helper/fw_backend.h"
#include "firewall-helper/fwconf.h"
#include "firewall-helper/fwcore.h"
#include "firewall-helper/fwguard.h"
#include "firewall-helper/fwlog.h"
#include "firewall-helper/journal.h"

#define EX_CANTCREAT   73
#define RETRY_MAX_S    60.0

static struct ev_loop *loop;
static const struct fwh_config *cfg;
static const struct fw_backend *be;
static struct blocktab *bt;
static struct journal *jn;
static ev_timer batch_w, expire_w, reconcile_w, retry_w;
static ev_io addrwatch_w;       /* the host's addresses change (netlink) */
static void (*committed_cb)(void);
static size_t staged;
static double retry_s = 1.0;
static time_t started;
static bool sync_ok = true;
static double last_commit;              /* ev_time() at the end of the last */

static struct {
	unsigned long added, refreshed, deleted, expired, evicted;
	unsigned long refused_safety, refused_full, backend_errors, batches;
	unsigned long peers_refused, malformed, reconciles;
} cnt;

void fwcore_on_commit(void (*cb)(void)) { committed_cb = cb; }
void fwcore_count_peer_refused(void) { cnt.peers_refused++; }
void fwcore_count_malformed(void) { cnt.malformed++; }

static char *until_str(time_t t, char *buf, size_t size)
{
	if (t == 0)
		snprintf(buf, size, "never");
	else
		journal_time(t, buf, size);
	return buf;
}

static void rearm_expiry(void)
{
	time_t next = blocktab_next_expiry(bt);
	double delay;

	ev_timer_stop(loop, &expire_w);
	if (next == 0)
		return;
	/* blocktab_expire() takes entries once their second has passed */
	delay = (double)(next + 1) - ev_time();
	ev_timer_set(&expire_w, delay < 0 ? 0 : delay + 0.005, 0);
	ev_timer_start(loop, &expire_w);
}

/* After a failed transaction: a full reconcile later, backing off. */
static void schedule_retry(void)
{
	cnt.backend_errors++;
	sync_ok = false;
	if (!ev_is_active(&retry_w)) {
		ev_timer_set(&retry_w, retry_s, 0);
		ev_timer_start(loop, &retry_w);
		retry_s = retry_s * 2 > RETRY_MAX_S ? RETRY_MAX_S : retry_s * 2;
	}
}

static void full_reconcile(void)
{
	struct fw_entry *all;
	size_t n = blocktab_export(bt, &all);

	cnt.reconciles++;
	if (be->reconcile(all, n) == -1)
		schedule_retry();
	else {
		sync_ok = true;
		retry_s = 1.0;
	}
	free(all);
}

static void commit(void)
{
	time_t now = time(NULL);

	ev_timer_stop(loop, &batch_w);
	journal_flush(jn);
	if (staged > 0) {
		cnt.batches++;
		if (!sync_ok)
			full_reconcile();
		else if (be->sync() == -1)
			schedule_retry();
	}
	staged = 0;
	if (journal_should_compact(jn, blocktab_count(bt)))
		journal_compact(jn, bt, now);
	rearm_expiry();
	last_commit = ev_time();
	fwlog_flush();
	if (committed_cb)
		committed_cb();
}

/* Commits are at least batch_window apart: the first change after a quiet
 * spell goes out as soon as the lines already read are applied; changes
 * arriving during a commit or within the window after it wait for the
 * next one, and all of them go together. */
static void stage(void)
{
	double delay;

	staged++;
	if (!ev_is_active(&batch_w)) {
		delay = last_commit + (double)cfg->batch_ms / 1000.0 - ev_time();
		ev_timer_set(&batch_w, delay > 0 ? delay : 0, 0);
		ev_timer_start(loop, &batch_w);
	}
}

static void batch_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	commit();
}

static void log_change(const char *action, const struct addr *a,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void log_change(const char *action, const struct addr *a,
    const char *fmt, ...)
{
	char ab[ADDR_STRLEN], rest[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	fwlog_change("action=%s addr=%s %s", action, addr_format(a, ab, sizeof(ab)),
	    rest);
}

static void drop_entry(const struct blocktab_entry *e, time_t now,
    const char *why, const char *action)
{
	journal_del(jn, &e->addr, now, why);
	be->unblock(&e->addr);
	log_change(action, &e->addr, "reason=%s", why);
}

static void expire_one(const struct blocktab_entry *e, void *arg)
{
	drop_entry(e, *(time_t *)arg, "expired", "expire");
	cnt.expired++;
}

static void expire_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	time_t now = time(NULL);

	if (blocktab_expire(bt, now, expire_one, &now) > 0)
		stage();
	rearm_expiry();
}

/* Entries that became protected (a new own address, a wider never_block)
 * leave the table. */
static void unblock_protected(const struct addr *a, time_t now)
{
	char reason[96];

	snprintf(reason, sizeof(reason), "protected (%s)",
	    fwguard_check(a, NULL));
	journal_del(jn, a, now, reason);
	be->unblock(a);
	blocktab_del(bt, a);
	log_change("unblock", a, "reason=\"%s\"", reason);
}

static size_t purge_protected(time_t now)
{
	struct addr *victims = NULL;
	size_t nv = 0;

	for (size_t i = 0; i < blocktab_count(bt); i++) {
		const struct blocktab_entry *e = blocktab_at(bt, i);
		if (fwguard_check(&e->addr, NULL) != NULL) {
			victims = xreallocarray(victims, nv + 1, sizeof(*victims));
			victims[nv++] = e->addr;
		}
	}
	for (size_t i = 0; i < nv; i++)
		unblock_protected(&victims[i], now);
	free(victims);
	return nv;
}

/* The same for the host's own addresses only, the ones a netlink event
 * can have changed: a lookup each, not a pass over the table. */
static size_t purge_own(time_t now)
{
	size_t n, nv = 0;
	const struct addr *own = fwguard_own(&n);

	for (size_t i = 0; i < n; i++)
		if (blocktab_get(bt, &own[i]) != NULL) {
			unblock_protected(&own[i], now);
			nv++;
		}
	return nv;
}

static void reconcile_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	fwguard_refresh();
	(void)purge_protected(time(NULL));
	/* Also retries journal lines a failed write left pending (disk full),
	 * so they reach the file once there is room, commands or not. */
	journal_flush(jn);
	full_reconcile();
	fwlog_flush();
}

/*
 * The host's addresses change (DHCP, SLAAC, a renumbered line): the kernel
 * says so on a netlink route socket, and the own-address guard is read
 * again at once, not at the next reconcile, up to reconcile_interval
 * later; a block a new own address had is lifted.  What changed is not
 * parsed: every address is read again, and a lost message (ENOBUFS) costs
 * nothing more.
 */
static void addrwatch_cb(struct ev_loop *l, ev_io *w, int revents)
{
	char buf[8192];

	while (recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	fwguard_refresh();
	if (purge_own(time(NULL)) > 0)
		stage();
}

static void addrwatch_start(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
	    .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_warn("watching the host's addresses (netlink); they are "
		    "read again every reconcile_interval");
		if (fd >= 0)
			close(fd);
		return;
	}
	ev_io_init(&addrwatch_w, addrwatch_cb, fd, EV_READ);
	/* before commands of the same loop turn: an "add" sent after the
	 * address appeared finds it already protected */
	ev_set_priority(&addrwatch_w, EV_MAXPRI);
	ev_io_start(loop, &addrwatch_w);
}

static void retry_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	full_reconcile();
}

static void evict_to_limit(time_t now)
{
	struct blocktab_entry e;

	while (blocktab_count(bt) > blocktab_max(bt) && blocktab_evict(bt, &e)) {
		drop_entry(&e, now, "evicted (max_entries)", "evict");
		free(e.reason);
		cnt.evicted++;
	}
}

void fwcore_start(struct ev_loop *l, const struct fwh_config *c,
    const struct fw_backend *b)
{
	time_t now = time(NULL);

	loop = l;
	cfg = c;
	be = b;
	started = now;
	bt = blocktab_new((size_t)cfg->max_entries, cfg->when_full);
	fwguard_set(cfg);
	fwguard_refresh();
	if (cfg->journal) {
		if ((jn = journal_open(cfg->journal)) == NULL)
			fatalc(EX_CANTCREAT, "cannot open journal %s", cfg->journal);
		journal_replay(jn, bt, now);
	}
	evict_to_limit(now);
	purge_protected(now);
	full_reconcile();
	if (jn)
		journal_compact(jn, bt, now);
	fwlog_flush();
	log_info("firewall-helper: %zu addresses blocked, backend=%s chain=%s",
	    blocktab_count(bt), be->name, cfg->chain);

	ev_init(&batch_w, batch_cb);
	ev_init(&expire_w, expire_cb);
	ev_init(&retry_w, retry_cb);
	ev_timer_init(&reconcile_w, reconcile_cb, (double)cfg->reconcile_ms / 1000.0,
	    (double)cfg->reconcile_ms / 1000.0);
	ev_timer_start(loop, &reconcile_w);
	addrwatch_start();
	rearm_expiry();
}

void fwcore_reload(const struct fwh_config *c)
{
	static const char *const fixed[] = { "backend", "chain", "journal",
	    "ports", "interface", "reject_with", "log", "log_prefix", "user",
	    "xtables_lock", NULL };
	const struct fwh_config *old = cfg;
	bool same[10];

	same[0] = strcmp(old->backend, c->backend) == 0;
	same[1] = strcmp(old->chain, c->chain) == 0;
	same[2] = (old->journal == NULL) == (c->journal == NULL) &&
	    (old->journal == NULL || strcmp(old->journal, c->journal) == 0);
	same[3] = old->nports == c->nports &&
	    memcmp(old->ports, c->ports, sizeof(old->ports)) == 0;
	same[4] = (old->interface == NULL) == (c->interface == NULL) &&
	    (old->interface == NULL || strcmp(old->interface, c->interface) == 0);
	same[5] = old->reject_with == c->reject_with;
	same[6] = old->log == c->log;
	same[7] = strcmp(old->log_prefix, c->log_prefix) == 0;
	same[8] = old->uid == c->uid;
	same[9] = strcmp(old->xtables_lock, c->xtables_lock) == 0;
	for (int i = 0; fixed[i]; i++)
		if (!same[i])
			log_warnx("reload: %s changed; it takes effect at restart",
			    fixed[i]);
	cfg = c;
	blocktab_set_limit(bt, (size_t)c->max_entries, c->when_full);
	evict_to_limit(time(NULL));
	fwguard_set(c);
	ev_timer_stop(loop, &reconcile_w);
	ev_timer_set(&reconcile_w, (double)c->reconcile_ms / 1000.0,
	    (double)c->reconcile_ms / 1000.0);
	ev_timer_start(loop, &reconcile_w);
	reconcile_cb(loop, &reconcile_w, 0);
	log_info("reload: %s applied", c->file);
}

void fwcore_stop(void)
{
	if (ev_is_active(&addrwatch_w)) {
		ev_io_stop(loop, &addrwatch_w);
		close(addrwatch_w.fd);
	}
	commit();
	journal_close(jn);
	jn = NULL;
	be->fini(0);
	blocktab_free(bt);
	bt = NULL;
	fwguard_free();
}

/* The log line and the reply of a block or refresh, built by pieces (one
 * of each per command: snprintf was a fifth of the helper's work). */
static void block_said(bool added, const struct blocktab_entry *e,
    const char *ab, const char *esc, const char *peer, char *reply, size_t size)
{
	char line[LOG_LINE_MAX], u[32];
	struct lbuf b;

	lbuf_init(&b, line, sizeof(line));
	lbuf_str(&b, added ? "action=block addr=" : "action=refresh addr=");
	lbuf_str(&b, ab);
	lbuf_str(&b, " until=");
	lbuf_str(&b, until_str(e->expires, u, sizeof(u)));
	lbuf_str(&b, " seen=");
	lbuf_num(&b, e->seen);
	lbuf_str(&b, " reason=\"");
	lbuf_str(&b, esc);
	lbuf_str(&b, "\" peer=");
	lbuf_str(&b, peer);
	lbuf_end(&b);
	fwlog_put(line, b.len);

	lbuf_init(&b, reply, size);
	lbuf_str(&b, added ? "OK added " : "OK refreshed ");
	lbuf_str(&b, ab);
	lbuf_str(&b, " until ");
	if (e->expires)
		lbuf_num(&b, (unsigned long long)e->expires);
	else
		lbuf_str(&b, "never");
	lbuf_end(&b);
}

static bool cmd_add(const struct fwproto_cmd *cmd, const char *peer,
    char *reply, size_t size, const char *ab)
{
	time_t now = time(NULL), expires;
	long long ttl = cmd->ttl ? cmd->ttl : cfg->ttl;
	const struct cidr *range;
	const char *why = fwguard_check(&cmd->addr, &range);
	char rs[ADDR_STRLEN + 8] = "";
	struct blocktab_entry ev;
	const struct blocktab_entry *e;
	struct fw_entry fe;
	bool evicted;
	enum blocktab_res res;
	char buf[FWPROTO_REASON_MAX * 4 + 8];
	/* fwproto_parse() let printable ASCII through and nothing else: only
	 * a quote or a backslash needs escaping for the log */
	const char *esc = strpbrk(cmd->reason, "\"\\") == NULL ? cmd->reason :
	    log_escs(buf, sizeof(buf), cmd->reason);

	if (why != NULL) {
		cnt.refused_safety++;
		if (range)
			cidr_format(range, rs, sizeof(rs));
		log_warnx("action=refuse addr=%s why=%s%s%s reason=\"%s\" peer=%s",
		    ab, why, range ? " range=" : "", rs, esc, peer);
		snprintf(reply, size, "ERR %s %s%s%s%s", why, ab, range ? " (" : "",
		    rs, range ? ")" : "");
		return false;
	}
	if (be->takes != NULL && !be->takes(&cmd->addr)) {
		cnt.backend_errors++;   /* before the table makes room */
		snprintf(reply, size, "ERR backend cannot block %s", ab);
		return false;
	}
	expires = ttl ? now + ttl : 0;
	res = blocktab_add(bt, &cmd->addr, now, expires, cmd->reason, &ev, &evicted);
	if (res == BT_FULL) {
		cnt.refused_full++;
		log_warnx("action=refuse addr=%s why=full max_entries=%zu peer=%s",
		    ab, blocktab_max(bt), peer);
		snprintf(reply, size, "ERR full %s (max_entries %zu)", ab,
		    blocktab_max(bt));
		return false;
	}
	if (evicted) {
		drop_entry(&ev, now, "evicted (max_entries)", "evict");
		free(ev.reason);
		cnt.evicted++;
	}
	e = blocktab_get(bt, &cmd->addr);
	journal_add(jn, e, now);
	fe.addr = e->addr;
	fe.added = e->added;
	fe.expires = e->expires;
	if (be->block(&fe) == -1) {
		cnt.backend_errors++;
		snprintf(reply, size, "ERR backend cannot block %s", ab);
		journal_del(jn, &e->addr, now, "backend refused");
		blocktab_del(bt, &cmd->addr);
		return false;
	}
	if (res == BT_ADDED)
		cnt.added++;
	else
		cnt.refreshed++;
	block_said(res == BT_ADDED, e, ab, esc, peer, reply, size);
	stage();
	return true;
}

bool fwcore_command(const struct fwproto_cmd *cmd, const char *peer,
    char *reply, size_t size)
{
	char ab[ADDR_STRLEN];

	addr_format(&cmd->addr, ab, sizeof(ab));
	if (cmd->op == FWPROTO_ADD)
		return cmd_add(cmd, peer, reply, size, ab);
	if (!blocktab_del(bt, &cmd->addr)) {
		snprintf(reply, size, "OK absent %s", ab);
		return false;
	}
	journal_del(jn, &cmd->addr, time(NULL), "deleted");
	be->unblock(&cmd->addr);
	cnt.deleted++;
	fwlog_change("action=unblock addr=%s reason=deleted peer=%s", ab, peer);
	snprintf(reply, size, "OK deleted %s", ab);
	stage();
	return true;
}

static void out_printf(struct buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void out_printf(struct buf *out, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_append(out, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void fwcore_status(struct buf *out)
{
	char t[32];
	time_t next = blocktab_next_expiry(bt);

	out_printf(out, "backend: %s\n", be->name);
	out_printf(out, "chain: %s\n", cfg->chain);
	out_printf(out, "entries: %zu\n", blocktab_count(bt));
	out_printf(out, "max_entries: %zu\n", blocktab_max(bt));
	out_printf(out, "when_full: %s\n", cfg->when_full == FWH_FULL_EVICT ?
	    "evict (the entry expiring soonest makes room)" : "refuse");
	out_printf(out, "full: %s\n", blocktab_count(bt) >= blocktab_max(bt) ? "yes" : "no");
	out_printf(out, "ttl: %lld\n", cfg->ttl);
	out_printf(out, "next_expiry: %s\n", until_str(next, t, sizeof(t)));
	out_printf(out, "journal: %s\n", cfg->journal ? cfg->journal : "none");
	out_printf(out, "firewall: %s\n", sync_ok ? "in sync" : "out of sync, retrying");
	out_printf(out, "staged: %zu\n", staged);
	out_printf(out, "uptime: %lld\n", (long long)(time(NULL) - started));
}

void fwcore_stats(struct buf *out)
{
	struct fw_backend_stats bs;
	const struct journal_stats *js = jn ? journal_stats(jn) : NULL;

	out_printf(out, "entries %zu\n", blocktab_count(bt));
	out_printf(out, "added %lu\n", cnt.added);
	out_printf(out, "refreshed %lu\n", cnt.refreshed);
	out_printf(out, "deleted %lu\n", cnt.deleted);
	out_printf(out, "expired %lu\n", cnt.expired);
	out_printf(out, "evicted %lu\n", cnt.evicted);
	out_printf(out, "refused_protected %lu\n", cnt.refused_safety);
	out_printf(out, "refused_full %lu\n", cnt.refused_full);
	out_printf(out, "peers_refused %lu\n", cnt.peers_refused);
	out_printf(out, "malformed %lu\n", cnt.malformed);
	out_printf(out, "batches %lu\n", cnt.batches);
	out_printf(out, "reconciles %lu\n", cnt.reconciles);
	out_printf(out, "backend_errors %lu\n", cnt.backend_errors);
	if (be->stats) {
		be->stats(&bs);
		out_printf(out, "backend_commits %lu\n", bs.commits);
		out_printf(out, "backend_repairs %lu\n", bs.repairs);
		out_printf(out, "backend_last_commit_ms %.3f\n", bs.last_commit_ms);
		out_printf(out, "backend_max_commit_ms %.3f\n", bs.max_commit_ms);
	}
	if (js) {
		out_printf(out, "journal_lines %lu\n", js->lines);
		out_printf(out, "journal_syncs %lu\n", js->syncs);
		out_printf(out, "journal_compactions %lu\n", js->compactions);
		out_printf(out, "journal_errors %lu\n", js->errors);
	}
}

long fwcore_list(struct buf *out)
{
	char ab[ADDR_STRLEN], u[32], s[32], line[FWPROTO_REASON_MAX + 160];
	size_t n = blocktab_count(bt);

	for (size_t i = 0; i < n; i++) {
		const struct blocktab_entry *e = blocktab_at(bt, i);
		int len = snprintf(line, sizeof(line), "%s until=%s since=%s seen=%lu reason=%s\n",
		    addr_format(&e->addr, ab, sizeof(ab)), until_str(e->expires, u, sizeof(u)),
		    journal_time(e->added, s, sizeof(s)), e->seen, e->reason);
		if (len < 0 || (size_t)len >= sizeof(line) ||
		    buf_append(out, line, (size_t)len) == -1)
			return -1;
	}
	return (long)n;
}
