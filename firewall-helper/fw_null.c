/*
 * fw_null.c - the `null` backend: changes nothing, logs what it would do.
 * For tests without root and for dry runs.  Each staged change is logged
 * at debug level; every sync logs one summary line at info level.
 */
#include <stdio.h>

#include "common/addr.h"
#include "common/log.h"
#include "firewall-helper/fw_backend.h"
#include "firewall-helper/journal.h"

static unsigned long staged_add, staged_del;

static int null_init(const struct fwh_config *cfg)
{
	log_info("backend=null: no firewall changes will be made");
	return 0;
}

static int null_block(const struct fw_entry *e)
{
	char a[ADDR_STRLEN], t[32];

	if (e->expires)
		journal_time(e->expires, t, sizeof(t));
	else
		snprintf(t, sizeof(t), "never");
	log_debug("backend=null: would block %s until %s",
	    addr_format(&e->addr, a, sizeof(a)), t);
	staged_add++;
	return 0;
}

static int null_unblock(const struct addr *ad)
{
	char a[ADDR_STRLEN];

	log_debug("backend=null: would unblock %s", addr_format(ad, a, sizeof(a)));
	staged_del++;
	return 0;
}

static int null_sync(void)
{
	if (staged_add || staged_del)
		log_info("backend=null: would commit %lu blocks and %lu unblocks",
		    staged_add, staged_del);
	staged_add = staged_del = 0;
	return 0;
}

static int null_reconcile(const struct fw_entry *all, size_t n)
{
	log_info("backend=null: would reconcile to %zu entries", n);
	staged_add = staged_del = 0;
	return 0;
}

static int null_flush(void)
{
	log_info("backend=null: would remove every block");
	return 0;
}

static void null_fini(int remove)
{
	if (remove)
		log_info("backend=null: would remove its objects");
}

const struct fw_backend fw_null_backend = {
	.name = "null",
	.init = null_init,
	.block = null_block,
	.unblock = null_unblock,
	.sync = null_sync,
	.reconcile = null_reconcile,
	.flush = null_flush,
	.fini = null_fini,
};
