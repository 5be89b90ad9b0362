/*
 * main.c - policyd: command line, start-up, and the -n / -q modes.
 *
 *   policyd -c FILE [-f] [-v]     serve (in the background unless -f)
 *   policyd -c FILE -n            check FILE: "configuration OK", or every
 *                                 error as FILE:LINE:COL: message, exit 78
 *   policyd -c FILE -q NAME IP    print the verdict for one client, exit
 *   policyd -c FILE -q NAME IP --dns   the same with live DNS: PTR (NAME
 *                                 "-" or "unknown"), forward confirmation,
 *                                 DNSBL zones, each explained; without
 *                                 --dns, -q does no lookups at all
 *   policyd -c FILE stats [prometheus]   ask the running daemon's
 *                                 status_socket for its counters
 *
 * Logs go to syslog (facility mail, ident from log.ident, "policyd" by
 * default), to stderr with -f.  Start-up problems are fatal (exit 78 for
 * the configuration, 71 for the rest); after that nothing is.
 */
#include <errno.h>
#include <ev.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/sock.h"
#include "policyd/answerlog.h"
#include "policyd/config.h"
#include "policyd/fwlink.h"
#include "policyd/policy.h"
#include "policyd/policy_dns.h"
#include "policyd/policy_proto.h"
#include "policyd/server.h"
#include "policyd/statsock.h"

#define DEFAULT_CONF CONFDIR "/policyd.yaml"   /* CONFDIR: make -D, mk/install.mk */

static int opt_foreground, opt_verbose, opt_dns;
static struct statsock *statsock;

/* code 0 (-h): to stdout; otherwise a usage error, to stderr */
static void usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: policyd [-c FILE] [-f] [-v] "
	    "[-n] [-q HOSTNAME IP [--dns]] [stats [prometheus]]\n"
	    "FILE: " DEFAULT_CONF " unless given\n");
	exit(code);
}

static void apply_log(const struct config *cfg)
{
	static char ident[64];

	/* log_init keeps the pointer: give it storage that outlives cfg */
	snprintf(ident, sizeof(ident), "%s", cfg->log.ident);
	log_init(ident, opt_foreground, opt_verbose || cfg->log.verbose);
	answerlog_init(ev_default_loop(0), ident, opt_foreground);
}

static void reloaded(struct ev_loop *loop, const struct config *cfg)
{
	apply_log(cfg);
	policy_reload(loop, cfg);
	statsock_update(statsock, cfg->status_socket, cfg->stats_interval_ms);
}

static const struct server_ops policyd_ops = {
	policy_start, policy_cancel, reloaded
};

/* -q: one request through the real policy, answered when the loop is done. */
struct explain {
	struct policy_result res;
	int done;
};

static void explain_done(void *arg, const struct policy_result *res)
{
	struct explain *e = arg;

	e->res = *res;
	e->done = 1;
}

static int explain(struct ev_loop *loop, const struct config *cfg,
    const char *name, const char *ip)
{
	struct policy_req req;
	struct explain e = { .done = 0 };
	struct addr a;
	char esc[256];

	if (addr_parse(&a, ip) < 0) {   /* a verdict without one would mislead */
		fprintf(stderr, "policyd: -q: not an IP address: \"%s\"\n",
		    log_escs(esc, sizeof(esc), ip));
		return EX_USAGE;
	}
	if (strcmp(name, "-") == 0)     /* no name, with or without --dns */
		name = "unknown";
	memset(&req, 0, sizeof(req));
	req.request = "smtpd_access_policy";
	req.protocol_state = "RCPT";
	req.protocol_name = "ESMTP";
	req.client_address = ip;
	req.client_name = name;
	req.reverse_client_name = name;
	req.helo_name = name;
	fwlink_offline();               /* explaining blocks nobody */
	policy_dns_live(opt_dns);       /* -q: lookups only with --dns */
	if (opt_dns)                    /* a given name is checked, not trusted */
		req.client_name = "unknown";
	if (policy_init(loop, cfg) < 0)
		return EX_SOFTWARE;
	if (opt_dns && policy_dns_explain(loop, cfg, ip,
	    req.reverse_client_name, stdout) < 0)
		return EX_USAGE;
	if (policy_start(loop, cfg, &req, explain_done, &e) != NULL)
		while (!e.done)
			ev_run(loop, EVRUN_ONCE);
	printf("client: %s\n", log_escs(esc, sizeof(esc), ip));
	printf("name: %s\n", log_escs(esc, sizeof(esc), name));
	printf("class: %s\n", e.res.class ? e.res.class : "-");
	printf("action: %s\n", e.res.action);
	printf("reason: %s\n", e.res.reason[0] ? e.res.reason : "-");
	policy_fini();
	return 0;
}

/* stats: one question to the running daemon's status socket, answer to
 * stdout.  Exit 69 (EX_UNAVAILABLE) when it cannot be reached. */
static int stats_query(const struct config *cfg, const char *form)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if (cfg->status_socket == NULL) {
		fprintf(stderr, "policyd: no status_socket in the configuration\n");
		return EX_CONFIG;
	}
	if ((fd = sock_connect_unix(cfg->status_socket, false)) < 0) {
		fprintf(stderr, "policyd: %s: %s\n", cfg->status_socket,
		    strerror(errno));
		return EX_UNAVAILABLE;
	}
	snprintf(buf, sizeof(buf), "stats%s%s\n", form ? " " : "",
	    form ? form : "");
	if (write(fd, buf, strlen(buf)) < 0) {
		fprintf(stderr, "policyd: %s: %s\n", cfg->status_socket,
		    strerror(errno));
		close(fd);
		return EX_UNAVAILABLE;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return n < 0 ? EX_IOERR : 0;
}

int main(int argc, char **argv)
{
	const char *conf = DEFAULT_CONF, *qname = NULL, *stats_form = NULL;
	char *abs_conf = NULL;
	struct config_errs errs = { NULL, 0 };
	struct config *cfg;
	struct ev_loop *loop;
	struct server *srv;
	int ch, check = 0, rc;

	for (int i = 1; i < argc; i++) {        /* --dns (with -q), anywhere */
		if (strcmp(argv[i], "--dns") == 0) {
			opt_dns = 1;
			memmove(&argv[i], &argv[i + 1],
			    (size_t)(argc - i) * sizeof(*argv));
			argc--;
			break;
		}
	}
	while ((ch = getopt(argc, argv, "c:fhnq:v")) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'f': opt_foreground = 1; break;
		case 'n': check = 1; break;
		case 'q': qname = optarg; break;
		case 'v': opt_verbose = 1; break;
		case 'h': usage(0); break;
		default: usage(EX_USAGE);
		}
	}
	if (qname == NULL && optind < argc && strcmp(argv[optind], "stats") == 0) {
		if (argc - optind > 2 || (argc - optind == 2 &&
		    strcmp(argv[optind + 1], "prometheus") != 0))
			usage(EX_USAGE);
		stats_form = argc - optind == 2 ? argv[optind + 1] : "";
	} else if (optind != argc - (qname != NULL))
		usage(EX_USAGE);
	log_init("policyd", opt_foreground || check || qname || stats_form, opt_verbose);

	/* daemon() moves to "/": a relative path would not reload on SIGHUP
	 * (nor would the tokens and exceptions files named relative to it) */
	if (!opt_foreground && !check && qname == NULL && stats_form == NULL &&
	    conf[0] != '/' && (abs_conf = realpath(conf, NULL)) != NULL)
		conf = abs_conf;
	cfg = config_load(conf, &errs);
	free(abs_conf);                 /* the config keeps its own copy */
	if (cfg == NULL) {
		if (check || qname || stats_form || opt_foreground) {
			config_errs_print(&errs, stderr);
		} else {
			config_errs_log(&errs);
		}
		config_errs_free(&errs);
		return EX_CONFIG;
	}
	if (stats_form != NULL) {
		rc = stats_query(cfg, *stats_form ? stats_form : NULL);
		config_unref(cfg);
		return rc;
	}
	if (check) {
		printf("configuration OK\n");
		config_unref(cfg);
		return 0;
	}
	loop = ev_default_loop(EVFLAG_AUTO);
	if (qname != NULL) {
		log_init("policyd", 1, opt_verbose);
		rc = explain(loop, cfg, qname, argv[optind]);
		config_unref(cfg);
		ev_loop_destroy(loop);
		return rc;
	}
	apply_log(cfg);
	srv = server_new(loop, cfg, &policyd_ops);
	if (server_listen(srv) < 0) {
		server_free(srv);
		fatalc(EX_OSERR, "cannot open the listeners");
	}
	if (!opt_foreground) {
		if (daemon(0, 0) < 0)
			fatal("daemon");
		ev_loop_fork(loop);
	}
	if (policy_init(loop, server_config(srv)) < 0) {
		server_free(srv);
		fatalc(EX_SOFTWARE, "cannot start the policy");
	}
	log_info("started: mode=%s default_action=\"%s\"",
	    config_mode_name(server_config(srv)->mode),
	    server_config(srv)->default_action);
	statsock = statsock_new(loop, server_config(srv)->status_socket,
	    server_config(srv)->stats_interval_ms);
	rc = server_run(srv);
	statsock_free(statsock);
	server_free(srv);
	answerlog_fini();
	policy_fini();
	ev_loop_destroy(loop);
	log_info("stopped");
	return rc;
}
