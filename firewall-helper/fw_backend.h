/*
 * fw_backend.h - the firewall backend interface.
 *
 * The helper's block table decides *what* is blocked; a backend only makes
 * the kernel agree.  Every backend implements the same ops, chosen by the
 * `backend:` key through fw_backend_find():
 *
 *   init(cfg)          create what the backend owns (chain and jump rule,
 *                      table and sets, ...); 0 or -1 (logged).
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
 *
 * Backends never decide policy: never_block, TTLs and limits are checked
 * before they are called.  A backend may keep private state in its own file
 * statics; only one backend is active per process.
 */
#ifndef FWH_FW_BACKEND_H
#define FWH_FW_BACKEND_H

#include <stddef.h>
#include <time.h>
#include "common/addr.h"

struct fwh_config;

struct fw_entry {
	struct addr addr;
	time_t      added;
	time_t      expires;        /* 0: never */
};

struct fw_backend {
	const char *name;
	int  (*init)(const struct fwh_config *cfg);
	int  (*block)(const struct fw_entry *e);
	int  (*unblock)(const struct addr *a);
	int  (*sync)(void);
	int  (*reconcile)(const struct fw_entry *all, size_t n);
	int  (*flush)(void);
	void (*fini)(int remove);
};

const struct fw_backend *fw_backend_find(const char *name);

#endif
