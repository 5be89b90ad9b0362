/*
 * fw_iptc.c - the `iptables` backend: one rule per address in a chain of
 * its own, written through libiptc (libip4tc and libip6tc).
 *
 * The backend keeps the set of addresses the kernel should hold (what
 * block/unblock/reconcile said).  Every transaction - sync or reconcile -
 * takes the xtables lock, reads the table (iptc_init), makes sure the
 * chain and the one jump from INPUT exist and are ours, walks the chain,
 * and then either appends the addresses that are missing or, when the chain
 * holds anything it should not (a removed address, a foreign or mangled
 * rule, a duplicate), flushes it and writes it again.  A sync that has
 * only additions to make, finding the chain with exactly as many rules as
 * our last commit left, skips the rule-by-rule compare and appends them
 * (a same-count foreign edit waits for the next reconcile).  Then one
 * commit, and the lock is released.  A commit that fails with EAGAIN (someone changed
 * the table without the lock) is retried from iptc_init.  Nothing is
 * committed when nothing changed, so a periodic reconcile of a healthy
 * chain costs one read.
 *
 * Rules: fw_iptc_rule.c; libiptc per family: fw_iptc_fam.c; why no
 * CAP_NET_RAW is needed: fw_iptc_sock.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <libiptc/libiptc.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "firewall-helper/addrmap.h"
#include "firewall-helper/fw_backend.h"
#include "firewall-helper/fw_iptc.h"
#include "firewall-helper/fwconf.h"

#define LOCK_WAIT_MS   1000
#define COMMIT_TRIES   5
#define EX_CONFIG      78
#define EX_NOPERM      77

enum { SEEN_LOG = 1, SEEN_ACTION = 2 };

struct fam_state {
	const struct iptc_fam *f;
	bool   dirty;                   /* desired changed since last commit */
	bool   created;                 /* chain and jump seen once */
	bool   disabled;                /* family unavailable (no IPv6) */
	size_t ndesired;
	/* The fast path of sync: when only additions happened since our last
	 * commit and the chain still holds as many rules as we left, append
	 * them without comparing every rule (the periodic reconcile does). */
	bool   trusted;                 /* kernel_rules is what we left */
	size_t kernel_rules;
	bool   pend_del;                /* a removal since the last commit */
	struct addr *pend;              /* additions since the last commit */
	size_t npend, cappend;
};

static struct iptc_spec spec;
static char lockpath[PATH_MAX];
static int lockfd = -1;
static struct addrmap *desired, *seen;
static struct fam_state fams[2] = { { .f = &iptc_fam4 }, { .f = &iptc_fam6 } };
static struct fw_backend_stats st;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct fam_state *fam_of(const struct addr *a)
{
	return a->family == AF_INET6 ? &fams[1] : &fams[0];
}

static int lock_open(void)
{
	int fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1)
		fd = open(lockpath, O_RDONLY | O_CLOEXEC);
	return fd;
}

/* A lock file removed or replaced under us would leave us locking an inode
 * nobody else uses: follow the path again when it changed. */
static void lock_follow(void)
{
	static bool warned;
	struct stat ps, fs;
	int fd;

	if (fstat(lockfd, &fs) == 0 && stat(lockpath, &ps) == 0 &&
	    ps.st_ino == fs.st_ino && ps.st_dev == fs.st_dev)
		return;
	if ((fd = lock_open()) == -1) {
		if (!warned)
			log_warn("iptables: xtables lock %s was replaced and cannot "
			    "be opened again; other writers are not excluded", lockpath);
		warned = true;
		return;
	}
	close(lockfd);
	lockfd = fd;
	warned = false;
	log_info("iptables: xtables lock %s was replaced, opened again", lockpath);
}

static int lock_take(void)
{
	double start = now_ms();
	struct timespec pause = { 0, 2 * 1000 * 1000 };

	lock_follow();
	for (;;) {
		if (flock(lockfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			log_warn("iptables: lock %s", lockpath);
			return -1;
		}
		if (now_ms() - start > LOCK_WAIT_MS) {
			log_warnx("iptables: xtables lock %s held by another program "
			    "for over %d ms; will retry", lockpath, LOCK_WAIT_MS);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
}

static void lock_release(void)
{
	flock(lockfd, LOCK_UN);
}

static struct xtc_handle *table_open(const struct iptc_fam *f)
{
	struct xtc_handle *h;

	iptc_sock_arm(true);
	h = f->init("filter");
	iptc_sock_arm(false);
	return h;
}

static int append_addr(struct fam_state *fs, struct xtc_handle *h,
    const struct addr *a)
{
	unsigned char buf[IPTC_RULE_MAX];

	if (spec.log) {
		iptc_rule_addr(fs->f, &spec, a, IPTC_LOG, buf);
		if (!fs->f->append(spec.chain, buf, h))
			return -1;
	}
	iptc_rule_addr(fs->f, &spec, a, IPTC_ACTION, buf);
	return fs->f->append(spec.chain, buf, h) ? 0 : -1;
}

/* The one jump from INPUT: keep the first exact one, delete other jumps to
 * our chain, insert ours first when there is none.  Returns changes, -1. */
static int ensure_jump(struct fam_state *fs, struct xtc_handle *h)
{
	const struct iptc_fam *f = fs->f;
	unsigned del[64], ndel = 0, i = 0;
	bool good = false;
	unsigned char buf[IPTC_RULE_MAX];
	int changes = 0;

	for (const void *e = f->first_rule("INPUT", h); e; e = f->next_rule(e, h), i++) {
		const char *t = f->get_target(e, h);
		if (t == NULL || strcmp(t, spec.chain) != 0)
			continue;
		if (!good && iptc_rule_is_jump(f, &spec, e, h))
			good = true;
		else if (ndel < 64)
			del[ndel++] = i;
	}
	while (ndel > 0) {
		if (!f->delete_num("INPUT", del[--ndel], h))
			return -1;
		changes++;
	}
	if (changes)
		log_warnx("iptables: %s: removed %d other jump(s) from INPUT to %s",
		    f->name, changes, spec.chain);
	if (!good) {
		iptc_rule_jump(f, &spec, buf);
		if (!f->insert("INPUT", buf, 0, h))
			return -1;
		if (fs->created)
			log_warnx("iptables: %s: jump from INPUT to %s was missing, "
			    "restored", f->name, spec.chain);
		changes++;
	}
	return changes;
}

/* Compare the chain with the desired set; append what is missing or
 * rebuild.  Returns the number of changes, -1 on a libiptc error. */
static int fix_chain(struct fam_state *fs, struct xtc_handle *h, bool loud)
{
	const struct iptc_fam *f = fs->f;
	size_t foreign = 0, stale = 0, dup = 0, complete = 0, missing;
	struct addr a;
	uint32_t v;
	size_t pos = 0;
	int changes = 0;
	static struct iptc_expect x;

	iptc_rule_expect(f, &spec, &x);
	addrmap_clear(seen);
	for (const void *e = f->first_rule(spec.chain, h); e; e = f->next_rule(e, h)) {
		enum iptc_kind k = iptc_rule_classify(f, &spec, &x, e, h, &a);
		uint32_t bits = 0;

		if (k == IPTC_FOREIGN) {
			foreign++;
			continue;
		}
		if (!addrmap_get(desired, &a, NULL)) {
			stale++;
			continue;
		}
		addrmap_get(seen, &a, &bits);
		if (k == IPTC_LOG ? bits != 0 :
		    (bits & SEEN_ACTION) || (spec.log && !(bits & SEEN_LOG)))
			dup++;
		bits |= k == IPTC_LOG ? SEEN_LOG : SEEN_ACTION;
		if (bits == (spec.log ? (SEEN_LOG | SEEN_ACTION) : SEEN_ACTION))
			complete++;
		addrmap_put(seen, &a, bits);
	}
	if (addrmap_count(seen) != complete)
		dup++;          /* a LOG rule without its action */
	missing = fs->ndesired - complete;
	if (foreign || stale || dup) {
		if (loud || foreign || dup)
			log_warnx("iptables: %s: chain %s rewritten: %zu foreign, "
			    "%zu removed, %zu malformed, %zu missing", f->name,
			    spec.chain, foreign, stale, dup, missing);
		if (foreign || dup)
			st.repairs++;
		if (!f->flush(spec.chain, h))
			return -1;
		while (addrmap_next(desired, &pos, &a, &v))
			if (a.family == f->af && append_addr(fs, h, &a) == -1)
				return -1;
		return (int)fs->ndesired + 1;
	}
	if (missing == 0)
		return 0;
	if (loud)
		log_warnx("iptables: %s: chain %s lacked %zu address(es), restored",
		    f->name, spec.chain, missing);
	while (addrmap_next(desired, &pos, &a, &v)) {
		uint32_t bits;
		if (a.family != f->af || addrmap_get(seen, &a, &bits))
			continue;
		if (append_addr(fs, h, &a) == -1)
			return -1;
		changes++;
	}
	return changes;
}

/* Only additions since our last commit and the chain as we left it:
 * append them.  Returns changes, -1 on error, -2 when the full compare is
 * needed. */
static int fast_append(struct fam_state *fs, struct xtc_handle *h)
{
	const struct iptc_fam *f = fs->f;
	size_t n = 0;

	if (!fs->trusted || fs->pend_del)
		return -2;
	for (const void *e = f->first_rule(spec.chain, h); e; e = f->next_rule(e, h))
		n++;
	if (n != fs->kernel_rules)
		return -2;
	for (size_t i = 0; i < fs->npend; i++)
		if (append_addr(fs, h, &fs->pend[i]) == -1)
			return -1;
	return (int)fs->npend;
}

static void committed(struct fam_state *fs)
{
	fs->dirty = false;
	fs->created = true;
	fs->trusted = true;
	fs->kernel_rules = fs->ndesired * (spec.log ? 2 : 1);
	fs->npend = 0;
	fs->pend_del = false;
}

/* One transaction for one family.  loud: a reconcile (repairs are news). */
static int fam_sync(struct fam_state *fs, bool loud)
{
	const struct iptc_fam *f = fs->f;
	struct xtc_handle *h;
	int changes, c;
	double t0, t1, t2, t3;

	if (fs->disabled)
		return 0;
	for (int tries = 0; tries < COMMIT_TRIES; tries++) {
		if (lock_take() == -1) {
			st.errors++;
			return -1;
		}
		t0 = now_ms();
		if ((h = table_open(f)) == NULL) {
			int err = errno;
			lock_release();
			log_warnx("iptables: %s: reading table filter: %s", f->name,
			    f->strerror(err));
			st.errors++;
			return -1;
		}
		changes = 0;
		if (!f->is_chain(spec.chain, h)) {
			if (!f->create_chain(spec.chain, h))
				goto fail;
			if (fs->created) {
				log_warnx("iptables: %s: chain %s was missing, re-created",
				    f->name, spec.chain);
				st.repairs++;
			}
			changes++;
		}
		if ((c = ensure_jump(fs, h)) == -1)
			goto fail;
		if (c && fs->created)
			st.repairs++;
		changes += c;
		t1 = now_ms();
		c = changes || loud ? -2 : fast_append(fs, h);
		if (c == -2)
			c = fix_chain(fs, h, loud && fs->created);
		if (c == -1)
			goto fail;
		changes += c;
		t2 = now_ms();
		if (changes == 0) {
			f->free(h);
			lock_release();
			committed(fs);
			return 0;
		}
		if (f->commit(h)) {
			t3 = now_ms();
			f->free(h);
			lock_release();
			log_debug("iptables: %s: read %.1f ms, chain %.1f ms, commit %.1f ms, "
			    "free %.1f ms", f->name, t1 - t0, t2 - t1, t3 - t2, now_ms() - t3);
			st.commits++;
			st.last_commit_ms = now_ms() - t0;
			if (st.last_commit_ms > st.max_commit_ms)
				st.max_commit_ms = st.last_commit_ms;
			if (!fs->created)
				log_info("iptables: %s: chain %s and its jump from INPUT "
				    "in place, %zu addresses", f->name, spec.chain,
				    fs->ndesired);
			committed(fs);
			return 0;
		}
		if (errno == EAGAIN) {
			f->free(h);
			lock_release();
			log_debug("iptables: %s: table changed under us, retrying", f->name);
			continue;
		}
fail:
		c = errno;
		fs->trusted = false;
		f->free(h);
		lock_release();
		log_warnx("iptables: %s: %s", f->name, f->strerror(c));
		st.errors++;
		return -1;
	}
	log_warnx("iptables: %s: table kept changing, gave up after %d tries",
	    f->name, COMMIT_TRIES);
	st.errors++;
	return -1;
}

static int do_sync(bool all, bool loud)
{
	int rc = 0;

	for (int i = 0; i < 2; i++)
		if ((all || fams[i].dirty) && fam_sync(&fams[i], loud) == -1)
			rc = -1;
	st.kernel_entries = addrmap_count(desired);
	return rc;
}

/* Say where the rules are when `iptables` is the nf_tables variant. */
static void note_nft_variant(void)
{
	static const char *const paths[] = { "/usr/sbin/iptables",
	    "/sbin/iptables", "/usr/bin/iptables", NULL };
	char real[PATH_MAX];

	for (int i = 0; paths[i]; i++) {
		const char *base;
		if (realpath(paths[i], real) == NULL)
			continue;
		base = strrchr(real, '/');
		base = base ? base + 1 : real;
		if (strstr(base, "nft") != NULL)
			log_info("iptables: %s is the nf_tables variant (%s); this "
			    "helper writes the legacy tables: see its rules with "
			    "`iptables-legacy -L %s -n -v` and `ip6tables-legacy -L %s "
			    "-n -v` (or iptables-legacy-save)", paths[i], real,
			    spec.chain, spec.chain);
		return;
	}
}

/* Can we read the legacy filter table?  Fatal (78) when the kernel has no
 * legacy x_tables; IPv6 alone missing disables IPv6 blocking. */
static void probe(struct fam_state *fs)
{
	struct xtc_handle *h;
	int err;

	if (lock_take() == -1)
		return;                 /* busy now; the first reconcile retries */
	h = table_open(fs->f);
	err = errno;
	lock_release();
	if (h != NULL) {
		fs->f->free(h);
		return;
	}
	if (fs->f->af == AF_INET6 && err == EAFNOSUPPORT) {
		log_warnx("iptables: IPv6 is not available in this kernel; IPv6 "
		    "addresses cannot be blocked");
		fs->disabled = true;
		return;
	}
	if (err == EPERM || err == EACCES)
		fatalc(EX_NOPERM, "iptables: %s: no permission to read the "
		    "firewall: CAP_NET_ADMIN is needed", fs->f->name);
	fatalc(EX_CONFIG, "iptables: %s: the kernel offers no legacy iptables "
	    "filter table (%s); load ip_tables/iptable_filter (ip6_tables/"
	    "ip6table_filter) or use backend: nftset", fs->f->name,
	    fs->f->strerror(err));
}

static int iptc_init_cb(const struct fwh_config *cfg)
{
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.chain, sizeof(spec.chain), "%s", cfg->chain);
	memcpy(spec.ports, cfg->ports, sizeof(spec.ports));
	spec.nports = cfg->nports;
	if (cfg->interface)
		snprintf(spec.iface, sizeof(spec.iface), "%s", cfg->interface);
	spec.reject = cfg->reject_with;
	spec.log = cfg->log;
	snprintf(spec.log_prefix, sizeof(spec.log_prefix), "%s", cfg->log_prefix);
	snprintf(lockpath, sizeof(lockpath), "%s", cfg->xtables_lock);

	if ((lockfd = lock_open()) == -1) {
		log_warn("iptables: xtables lock %s", lockpath);
		return -1;
	}
	desired = addrmap_new(1024);
	seen = addrmap_new(1024);
	note_nft_variant();
	probe(&fams[0]);
	probe(&fams[1]);
	return 0;
}

static int iptc_block(const struct fw_entry *e)
{
	struct fam_state *fs = fam_of(&e->addr);

	if (fs->disabled)
		return -1;
	if (!addrmap_get(desired, &e->addr, NULL)) {
		addrmap_put(desired, &e->addr, 1);
		fs->ndesired++;
		fs->dirty = true;
		if (fs->npend == fs->cappend) {
			fs->cappend = fs->cappend ? fs->cappend * 2 : 256;
			fs->pend = xreallocarray(fs->pend, fs->cappend, sizeof(*fs->pend));
		}
		fs->pend[fs->npend++] = e->addr;
	}
	return 0;
}

static bool iptc_takes(const struct addr *a)
{
	return !fam_of(a)->disabled;
}

static int iptc_unblock(const struct addr *a)
{
	struct fam_state *fs = fam_of(a);

	if (addrmap_del(desired, a)) {
		fs->ndesired--;
		fs->dirty = true;
		fs->pend_del = true;
	}
	return 0;
}

static int iptc_sync(void)
{
	return do_sync(false, false);
}

static int iptc_reconcile(const struct fw_entry *all, size_t n)
{
	addrmap_clear(desired);
	for (int i = 0; i < 2; i++) {
		fams[i].ndesired = 0;
		fams[i].npend = 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!fam_of(&all[i].addr)->disabled)
			iptc_block(&all[i]);
	return do_sync(true, true);
}

static int iptc_flush_cb(void)
{
	addrmap_clear(desired);
	for (int i = 0; i < 2; i++) {
		fams[i].ndesired = 0;
		fams[i].dirty = fams[i].pend_del = true;
	}
	return do_sync(true, false);
}

/* Take the jump and the chain out of the kernel (switching backends). */
static void remove_all(struct fam_state *fs)
{
	const struct iptc_fam *f = fs->f;
	struct xtc_handle *h;
	unsigned i = 0, del[64], ndel = 0;

	if (fs->disabled || lock_take() == -1)
		return;
	if ((h = table_open(f)) == NULL) {
		lock_release();
		return;
	}
	for (const void *e = f->first_rule("INPUT", h); e; e = f->next_rule(e, h), i++) {
		const char *t = f->get_target(e, h);
		if (t && strcmp(t, spec.chain) == 0 && ndel < 64)
			del[ndel++] = i;
	}
	while (ndel > 0)
		f->delete_num("INPUT", del[--ndel], h);
	if (f->is_chain(spec.chain, h)) {
		f->flush(spec.chain, h);
		f->delete_chain(spec.chain, h);
	}
	f->commit(h);
	f->free(h);
	lock_release();
}

static void iptc_fini(int remove)
{
	if (remove) {
		remove_all(&fams[0]);
		remove_all(&fams[1]);
		log_info("iptables: chain %s and its jumps removed", spec.chain);
	}
	if (lockfd != -1)
		close(lockfd);
	lockfd = -1;
	addrmap_free(desired);
	addrmap_free(seen);
	desired = seen = NULL;
	for (int i = 0; i < 2; i++) {
		free(fams[i].pend);
		fams[i].pend = NULL;
		fams[i].npend = fams[i].cappend = 0;
	}
}

static void iptc_stats(struct fw_backend_stats *out)
{
	*out = st;
}

const struct fw_backend fw_iptc_backend = {
	.name = "iptables",
	.init = iptc_init_cb,
	.block = iptc_block,
	.unblock = iptc_unblock,
	.sync = iptc_sync,
	.reconcile = iptc_reconcile,
	.flush = iptc_flush_cb,
	.fini = iptc_fini,
	.stats = iptc_stats,
	.takes = iptc_takes,
};
