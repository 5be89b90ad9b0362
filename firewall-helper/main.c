/*
 * main.c - firewall-helper: keeps policyd's blocks in the firewall.
 *
 *   firewall-helper -c FILE [-f] [-v]      run (foreground with -f)
 *   firewall-helper -c FILE -n             check the configuration
 *   firewall-helper -c FILE status|stats|list|add IP [ttl=N] [reason=TEXT]|del IP
 *
 * Start-up order: configuration; sockets and the backend's root-only
 * files (xtables lock) while still privileged; drop to CAP_NET_ADMIN and
 * the configured user; journal replay and reconcile (fwcore); serve.
 * SIGHUP reloads the configuration (keys that need a restart are named in
 * the log); SIGTERM/SIGINT commit what is staged and exit.  The rules stay
 * in the kernel when the helper stops: the next start reconciles them.
 * Exit codes: 0, 64 usage, 78 configuration (or no legacy iptables in the
 * kernel), 77 missing capability, 73 journal, 71 sockets/privileges.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ev.h>

#include "common/log.h"
#include "common/sock.h"
#include "common/yconf.h"
#include "firewall-helper/caps.h"
#include "firewall-helper/fw_backend.h"
#include "firewall-helper/fw_sets.h"
#include "firewall-helper/fwconf.h"
#include "firewall-helper/fwcore.h"
#include "firewall-helper/fwlog.h"
#include "firewall-helper/fwctl.h"
#include "firewall-helper/fwsrv.h"

#define EX_USAGE   64
#define EX_OSERR   71
#define EX_CONFIG  78

#define DEFAULT_CONF CONFDIR "/firewall-helper.yaml"   /* CONFDIR: make -D, mk/install.mk */

static const char *conf_path = DEFAULT_CONF;
static struct fwh_config *cfg;
static ev_signal sig_term, sig_int, sig_hup;

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: firewall-helper [-c FILE] [-f] [-n] [-v]\n"
	    "       firewall-helper [-c FILE] status|stats [prometheus]|list\n"
	    "       firewall-helper [-c FILE] add IP [ttl=SECONDS] [reason=TEXT]\n"
	    "       firewall-helper [-c FILE] del IP\n"
	    "FILE: " DEFAULT_CONF " unless given\n");
	exit(code);
}

static struct fwh_config *load(bool to_stderr)
{
	struct ydoc *doc = NULL;
	struct fwh_config *c = fwconf_load(conf_path, &doc);

	if (c == NULL) {
		if (to_stderr)
			ydoc_print_errors(doc, stderr);
		else
			ydoc_log_errors(doc);
	}
	ydoc_free(doc);
	return c;
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	log_info("firewall-helper: signal %d, stopping", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

static void hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct fwh_config *nc = load(false);

	if (nc == NULL) {
		log_warnx("reload: %s has errors, keeping the running configuration",
		    conf_path);
		return;
	}
	fwcore_reload(nc);
	fwsrv_reload(nc);
	fwconf_free(cfg);
	cfg = nc;
}

int main(int argc, char **argv)
{
	int ch, foreground = 0, check = 0, verbose = 0;
	const struct fw_backend *be;
	struct ev_loop *loop;
	bool net_admin;

	while ((ch = getopt(argc, argv, "+c:fnvh")) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': check = 1; break;
		case 'v': verbose++; break;
		case 'h': usage(0); break;
		default: usage(EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	log_init("firewall-helper", foreground || check || argc > 0, verbose);
	if ((cfg = load(true)) == NULL)
		return EX_CONFIG;
	if (check) {
		printf("configuration OK\n");
		return 0;
	}
	if (argc > 0)
		return fwctl_run(cfg, argc, argv);

	be = fw_backend_find(cfg->backend);
	net_admin = strcmp(be->name, "null") != 0;
	if (!foreground) {
		/* SIGHUP re-reads the file after daemon() went to "/" */
		static char abs[PATH_MAX];
		if (realpath(conf_path, abs) != NULL)
			conf_path = abs;
		if (daemon(0, 0) == -1)
			fatal("daemon");
	}
	fwlog_init("firewall-helper", foreground);
	signal(SIGPIPE, SIG_IGN);
	loop = ev_default_loop(EVFLAG_AUTO);
	if (fwsrv_open(cfg, geteuid() == 0 && cfg->user ? cfg->uid : (uid_t)-1) == -1)
		fatalc(EX_OSERR, "cannot open the sockets");
	if (net_admin)          /* switching backends: the old one's go */
		fw_sets_purge_others(cfg, be->name);
	if (be->init(cfg) == -1)
		fatalc(EX_CONFIG, "backend %s: initialisation failed", be->name);
	caps_drop(cfg, net_admin);
	fwcore_start(loop, cfg, be);
	fwsrv_start(loop);

	ev_signal_init(&sig_term, stop_cb, SIGTERM);
	ev_signal_init(&sig_int, stop_cb, SIGINT);
	ev_signal_init(&sig_hup, hup_cb, SIGHUP);
	ev_signal_start(loop, &sig_term);
	ev_signal_start(loop, &sig_int);
	ev_signal_start(loop, &sig_hup);
	sd_notify("READY=1");
	log_info("firewall-helper: ready, command=%s status=%s", cfg->cmd.path,
	    cfg->status.path);
	ev_run(loop, 0);

	sd_notify("STOPPING=1");
	fwcore_stop();
	fwsrv_stop();
	fwconf_free(cfg);
	return 0;
}
