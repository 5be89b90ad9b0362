/*
 * caps.c - shed every privilege but CAP_NET_ADMIN, once, before serving
 * (see caps.h).  Fatal on any failure.
 */
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <linux/capability.h>
#include <cap-ng.h>

#include "common/log.h"
#include "firewall-helper/caps.h"
#include "firewall-helper/fwconf.h"

#define EX_NOPERM 77
#define EX_OSERR  71

static void log_sets(void)
{
	char *eff, *prm;

	capng_get_caps_process();
	eff = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_EFFECTIVE);
	prm = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_PERMITTED);
	log_info("caps: uid=%ld gid=%ld effective=%s permitted=%s",
	    (long)getuid(), (long)getgid(), eff ? eff : "?", prm ? prm : "?");
	free(eff);
	free(prm);
}

void caps_drop(const struct fwh_config *cfg, bool net_admin)
{
	if (geteuid() == 0) {
		capng_clear(CAPNG_SELECT_ALL);
		if (net_admin)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			    CAP_NET_ADMIN);
		if (cfg->user != NULL && cfg->uid != 0) {
			if (capng_change_id((int)cfg->uid, (int)cfg->gid,
			    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING |
			    CAPNG_CLEAR_AMBIENT) != 0)
				fatalc(EX_OSERR, "caps: cannot change to user %s "
				    "keeping only CAP_NET_ADMIN", cfg->user);
		} else {
			if (capng_apply(CAPNG_SELECT_ALL) != 0)
				fatalc(EX_OSERR, "caps: cannot reduce capabilities");
			/* no capability left but uid 0 owns root's files */
			log_warnx("caps: no user: set, so still uid 0: root's "
			    "files stay writable (set user:; the shipped unit "
			    "runs as fwhelper)");
		}
	} else {
		capng_get_caps_process();
		if (net_admin && !capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN))
			fatalc(EX_NOPERM, "caps: started as uid %ld without "
			    "CAP_NET_ADMIN (systemd: AmbientCapabilities=CAP_NET_ADMIN)",
			    (long)getuid());
		capng_clear(CAPNG_SELECT_CAPS);
		if (net_admin)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			    CAP_NET_ADMIN);
		if (capng_apply(CAPNG_SELECT_CAPS) != 0)
			fatalc(EX_OSERR, "caps: cannot drop capabilities");
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("caps: PR_SET_NO_NEW_PRIVS");
	log_sets();
}
