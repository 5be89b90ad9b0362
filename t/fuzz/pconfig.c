/*
 * t/fuzz/pconfig.c - libFuzzer harness for policyd's configuration loader
 * (policyd/config.c and the sections other modules plug into it).
 *
 * The input is a policyd.yaml (given a path through a memfd).  Properties
 * besides "no crash, no leak": the loader returns NULL exactly when it
 * reported errors; every error reads "FILE:LINE:COL: message"; a loaded
 * config has at least one listener, a default action that
 * action_check() accepts, and positive timeouts; a config survives an
 * extra reference taken and dropped (as a policy job holds one).
 * The harness runs with stdin from /dev/null, so a fuzzed path naming
 * /dev/stdin for a file the config points at cannot hang it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policyd/actions.h"
#include "policyd/config.h"
#include "policyd/policy.h"
#include "policyd/policy_proto.h"
#include "t/lib/fuzz-memfile.h"

/* Past "FILE:" where FILE is ours or, for an error in a file the
 * configuration names (tokens:, exceptions:), that file; NULL if none. */
static const char *
pc_after_file(const char *e, const char *path)
{
	size_t n = strlen(path);
	const char *p;

	if (strncmp(e, path, n) == 0 && e[n] == ':')
		return e + n + 1;
	/* that file's name may hold ':' too: the first ":LINE:COL: " */
	for (p = strchr(e, ':'); p != NULL; p = strchr(p + 1, ':')) {
		const char *q = p + 1;

		if (p == e || *q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q++ != ':' || *q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q[0] == ':' && q[1] == ' ')
			return p + 1;
	}
	return NULL;
}

/* "PATH:LINE:COL: " with numbers. */
static void
pc_error_shape(const char *e, const char *path)
{
	const char *p = pc_after_file(e, path);

	fuzz_check(p != NULL, "error names file");
	if (p == NULL)
		return;
	fuzz_check(*p >= '0' && *p <= '9', "error has a line");
	while (*p >= '0' && *p <= '9')
		p++;
	fuzz_check(*p == ':' && p[1] >= '0' && p[1] <= '9', "error has a col");
	p++;
	while (*p >= '0' && *p <= '9')
		p++;
	fuzz_check(p[0] == ':' && p[1] == ' ' && p[2] != '\0',
	    "error has a message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errs errs = { NULL, 0 };
	struct config *cfg;
	const char *path = fuzz_memfile(data, size), *err;
	size_t i;

	if (path == NULL)
		return 0;
	cfg = config_load(path, &errs);
	fuzz_check((cfg == NULL) == (errs.n > 0), "NULL exactly on errors");
	for (i = 0; i < errs.n; i++)
		pc_error_shape(errs.v[i], path);
	if (cfg != NULL) {
		fuzz_check(cfg->nlisten >= 1, "a listener");
		for (i = 0; i < cfg->nlisten; i++)
			fuzz_check(cfg->listen[i].spec != NULL, "listen spec");
		fuzz_check(cfg->default_action != NULL &&
		    action_check(cfg->default_action, &err) == 0,
		    "default action valid");
		fuzz_check(cfg->idle_timeout_ms > 0 && cfg->deadline_ms > 0,
		    "timeouts positive");
		config_unref(config_ref(cfg));
		config_unref(cfg);
	}
	config_errs_free(&errs);
	return 0;
}
