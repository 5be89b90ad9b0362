/*
 * t/config.c - policyd.yaml loading: golden error files and parsed values.
 *
 * Every t/data/config/bad-*.yaml must fail with exactly the lines of its
 * bad-*.err (run from the top of the tree, as prove does); every
 * good-*.yaml and etc/policyd.yaml must load.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "policyd/config.h"
#include "t/tap.h"

static void test_bad(const char *yaml)
{
	struct config_errs errs = { NULL, 0 };
	struct config *cfg = config_load(yaml, &errs);
	char errfile[512], *want, *got = NULL;
	size_t len = 0;
	FILE *fp;

	snprintf(errfile, sizeof(errfile), "%.*s.err",
	    (int)(strlen(yaml) - 5), yaml);
	ok(cfg == NULL && errs.n > 0, "%s: refused", yaml);
	config_unref(cfg);
	fp = open_memstream(&got, &len);
	config_errs_print(&errs, fp);
	fclose(fp);
	want = tap_slurp(errfile);
	is_str(got, want, "%s: every error, as in %s", yaml, errfile);
	free(want);
	free(got);
	config_errs_free(&errs);
}

static void test_good(const char *yaml)
{
	struct config_errs errs = { NULL, 0 };
	struct config *cfg = config_load(yaml, &errs);

	ok(cfg != NULL && errs.n == 0, "%s: loads", yaml);
	for (size_t i = 0; i < errs.n; i++)
		diag("%s", errs.v[i]);
	config_unref(cfg);
	config_errs_free(&errs);
}

static void test_values(void)
{
	struct config_errs errs = { NULL, 0 };
	struct config *cfg = config_load("t/data/config/good-full.yaml", &errs);

	if (!ok(cfg != NULL, "good-full loads"))
		return;
	is_int(cfg->nlisten, 3, "three listeners");
	is_str(cfg->listen[1].spec, "inet:[::1]:10040", "IPv6 listener");
	is_str(cfg->listen[2].spec, "unix:/run/policyd/policyd.sock",
	    "unix listener");
	is_int(cfg->listen[2].mode, 0666, "unix mode");
	is_int(cfg->listen[2].uid, 0, "unix owner");
	is_int(cfg->listen[2].gid, 0, "unix group");
	is_int(cfg->listen[0].uid, (uid_t)-1, "inet: no owner");
	is_int(cfg->mode, CONFIG_MODE_WARN, "mode warn");
	is_str(cfg->default_action, "DEFER_IF_PERMIT try again later",
	    "default_action");
	is_int(cfg->idle_timeout_ms, 15 * 60 * 1000, "idle_timeout 15m");
	is_int(cfg->deadline_ms, 750, "deadline 750ms");
	is_int(cfg->max_connections, 500, "max_connections");
	is_str(cfg->exceptions, "../../../etc/exceptions.yaml", "exceptions");
	is_int(cfg->dns.nservers, 3, "dns servers");
	is_str(cfg->dns.servers[1], "[::1]:53", "dns server 2");
	is_int(cfg->dns.timeout_ms, 1500, "dns timeout");
	ok(cfg->firewall.enabled, "firewall enabled");
	is_str(cfg->firewall.socket, "/run/firewall-helper/command.sock",
	    "firewall socket");
	is_str(cfg->log.ident, "policyd-test", "log ident");
	ok(cfg->log.verbose, "log verbose");
	is_int(cfg->log.requests, CONFIG_LOGREQ_ACTED, "log requests");
	is_int(cfg->debug_delay_ms, 10, "debug delay");
	is_int(cfg->refs, 1, "one reference");
	ok(config_ref(cfg) == cfg && cfg->refs == 2, "config_ref");
	config_unref(cfg);
	is_int(cfg->refs, 1, "config_unref");
	config_unref(cfg);
	config_unref(NULL);

	cfg = config_load("t/data/config/good-minimal.yaml", &errs);
	if (!ok(cfg != NULL, "good-minimal loads"))
		return;
	is_int(cfg->nlisten, 1, "default listener");
	is_str(cfg->listen[0].spec, CONFIG_DEFAULT_LISTEN, "default listen");
	is_str(cfg->default_action, "DUNNO", "default action DUNNO");
	is_int(cfg->mode, CONFIG_MODE_ENFORCE, "default mode");
	ok(cfg->idle_timeout_ms > 300 * 1000, "default idle > 300 s");
	ok(!cfg->firewall.enabled, "firewall off by default");
	is_int(cfg->dns.nservers, 0, "system resolver by default");
	config_unref(cfg);
}

static void test_missing_file(void)
{
	struct config_errs errs = { NULL, 0 };
	struct config *cfg = config_load("t/data/config/no-such-file.yaml",
	    &errs);

	ok(cfg == NULL && errs.n == 1 && strstr(errs.v[0],
	    "t/data/config/no-such-file.yaml:0:0: cannot open") == errs.v[0],
	    "missing file: one error naming it");
	config_errs_free(&errs);
}

int main(void)
{
	glob_t g;

	if (glob("t/data/config/bad-*.yaml", 0, NULL, &g) != 0)
		skip_all("run from the top of the tree");
	for (size_t i = 0; i < g.gl_pathc; i++)
		test_bad(g.gl_pathv[i]);
	globfree(&g);
	if (glob("t/data/config/good-*.yaml", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			test_good(g.gl_pathv[i]);
		globfree(&g);
	}
	test_good("etc/policyd.yaml");
	test_values();
	test_missing_file();
	return done_testing();
}
