/*
 * fw_backend.h - the firewall backend interface.
 *
 * The helper's block table decides *what* is blocked; a backend only makes
 * the kernel agree.  Every backend implements the same ops, chosen by the
 * `backend:` key through fw_backend_find():
 *
 *   init(cfg)          prepare what the backend owns (chain and jump rule,
 *                      table and sets, ...), or check that it can: the
 *                      first reconcile creates them; 0 or -1 (logged).
 *                      cfg is only borrowed: copy what you keep.
 *   block(e)           stage one address (e->expires lets set backends carry
 *                      the timeout in the kernel; 0 = no expiry).
 *   unblock(a)         stage the removal of one address.
 *   sync()             commit everything staged in one transaction (one
 *                      libiptc commit, one netlink batch); 0 or -1.
 *   reconcile(all, n)  make the kernel hold exactly these entries and the
 *                      backend's own scaffolding (repair after someone
 *                      flushed it), in one transaction.
 *   flush()            remove every address (scaffolding stays).
 *   fini(remove)       release; with remove set, also take the backend's
 *                      objects out of the kernel (used when switching
 *                      backends).
 *   stats(st)          optional (may be NULL): fill the counters shown by
 *                      the status socket's `stats`.
 *   takes(a)           optional (NULL: every address): can block() take
 *                      a at all (its family available)?  Asked before
 *                      the block table makes room, so that an address the
 *                      backend cannot block never evicts one it holds.
 *
 * Calling order: init once at start (before privileges are dropped: open
 * what needs root there, e.g. the xtables lock file; a kernel that lacks
 * what the backend needs is fatal there, exit 78), then reconcile with the
 * whole block table (after the drop, with CAP_NET_ADMIN only), then any
 * number of block/unblock followed by one sync per batch, reconcile
 * periodically and on SIGHUP, fini at exit.  block() is called again for an
 * address already blocked when its expiry was refreshed.  A failed sync
 * keeps what was staged; the helper retries with a reconcile.
 *
 * Backends never decide policy: never_block, TTLs and limits are checked
 * before they are called.  A backend may keep private state in its own file
 * statics; only one backend is active per process.
 */
#ifndef FWH_FW_BACKEND_H
#define FWH_FW_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "common/addr.h"

struct fwh_config;

struct fw_entry {
	struct addr addr;
	time_t      added;
	time_t      expires;        /* 0: never */
};

struct fw_backend_stats {
	unsigned long commits;          /* transactions sent to the kernel */
	unsigned long repairs;          /* reconciles that had to fix something */
	unsigned long errors;
	double  last_commit_ms;         /* wall time of the last transaction */
	double  max_commit_ms;
	size_t  kernel_entries;         /* addresses in the kernel after it */
};

/* The LOG rule's rate limit (log: true): per blocked address with
 * iptables (a rule each), for all of them together with the set backends
 * (one rule per family). */
#define FW_LOG_PER_MIN  6
#define FW_LOG_BURST    3

struct fw_backend {
	const char *name;
	int  (*init)(const struct fwh_config *cfg);
	int  (*block)(const struct fw_entry *e);
	int  (*unblock)(const struct addr *a);
	int  (*sync)(void);
	int  (*reconcile)(const struct fw_entry *all, size_t n);
	int  (*flush)(void);
	void (*fini)(int remove);
	void (*stats)(struct fw_backend_stats *st);     /* optional */
	bool (*takes)(const struct addr *a);            /* optional */
};

const struct fw_backend *fw_backend_find(const char *name);

#endif
