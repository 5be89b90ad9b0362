/*
 * t/fwconf.c - firewall-helper.yaml loading: golden error files and parsed
 * values.
 *
 * Every t/data/fwconf/bad-*.yaml must fail with exactly the lines of its
 * bad-*.err (run from the top of the tree, as prove does); every
 * good-*.yaml and etc/firewall-helper.yaml must load.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/yconf.h"
#include "firewall-helper/fwconf.h"
#include "t/tap.h"

static void test_bad(const char *yaml)
{
	struct ydoc *doc = NULL;
	struct fwh_config *c = fwconf_load(yaml, &doc);
	char errfile[512], *want, *got = NULL;
	size_t len = 0;
	FILE *fp;

	snprintf(errfile, sizeof(errfile), "%.*s.err", (int)(strlen(yaml) - 5), yaml);
	ok(c == NULL && doc->nerrs > 0, "%s: refused", yaml);
	fp = open_memstream(&got, &len);
	ydoc_print_errors(doc, fp);
	fclose(fp);
	want = tap_slurp(errfile);
	is_str(got, want, "%s: every error, as in %s", yaml, errfile);
	free(want);
	free(got);
	fwconf_free(c);
	ydoc_free(doc);
}

static struct fwh_config *load_good(const char *yaml)
{
	struct ydoc *doc = NULL;
	struct fwh_config *c = fwconf_load(yaml, &doc);

	if (!ok(c != NULL, "%s: loads", yaml))
		ydoc_print_errors(doc, stdout);
	ydoc_free(doc);
	return c;
}

int main(void)
{
	glob_t g;
	struct fwh_config *c;

	if (glob("t/data/fwconf/bad-*.yaml", 0, NULL, &g) != 0)
		skip_all("no t/data/fwconf (run from the top of the tree)");
	for (size_t i = 0; i < g.gl_pathc; i++)
		test_bad(g.gl_pathv[i]);
	globfree(&g);

	c = load_good("t/data/fwconf/good-empty.yaml");
	if (c) {
		is_str(c->cmd.path, FWH_DEF_COMMAND_SOCKET, "default command socket");
		ok(c->cmd.idle_ms == 0 && c->status.idle_ms == 60000,
		    "default idle_timeout: command never, status 60s");
		is_str(c->backend, "iptables", "default backend");
		is_str(c->chain, "POLICYD", "default chain");
		is_int(c->ttl, FWH_DEF_TTL, "default ttl");
		ok(c->nports == 1 && c->ports[0].lo == 25 && c->ports[0].hi == 25,
		    "default port 25");
		is_int(c->reject_with, FWH_REJECT_TCP_RESET, "default reject");
		ok(c->journal == NULL && c->user == NULL && !c->log, "no journal, user, log");
	}
	fwconf_free(c);

	c = load_good("t/data/fwconf/good-full.yaml");
	if (c) {
		is_str(c->backend, "null", "backend: null (a YAML null) is the null backend");
		is_int(c->cmd.mode, 0660, "quoted mode");
		is_int(c->status.mode, 0640, "plain octal mode");
		is_int(c->status.idle_ms, 300000, "idle_timeout 5m");
		ok(c->cmd.nuids == 1 && c->cmd.ngids == 1, "allow lists resolved");
		is_int(c->ttl, 7200, "ttl 2h");
		is_int(c->when_full, FWH_FULL_REFUSE, "when_full refuse");
		is_int(c->batch_ms, 5, "batch 5ms");
		is_int(c->reconcile_ms, 30000, "reconcile 30s");
		is_int(c->nnever, 3, "three never_block ranges");
		ok(c->nports == 4 && c->ports[3].lo == 1000 && c->ports[3].hi == 2000,
		    "ports with a range");
		is_str(c->interface, "eth+", "interface");
		is_int(c->reject_with, FWH_REJECT_TCP_RESET, "tcp-reset");
		ok(c->log && strcmp(c->log_prefix, "blocked: ") == 0, "log prefix");
		ok(c->user && c->uid != (uid_t)-1, "user resolved");
	}
	fwconf_free(c);

	fwconf_free(load_good("etc/firewall-helper.yaml"));
	fwconf_free(NULL);
	return done_testing();
}
