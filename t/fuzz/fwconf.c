/*
 * t/fuzz/fwconf.c - libFuzzer harness for the firewall-helper's
 * configuration loader (firewall-helper/fwconf.c).
 *
 * The input is a firewall-helper.yaml (given a path through a memfd).
 * Properties besides "no crash, no leak": NULL exactly when errors were
 * recorded, and then at least one; every error names the file; a loaded
 * config keeps its documented limits (chain name length, log prefix length,
 * port ranges lo <= hi and at most FWH_PORTS_MAX, never_block prefixes in
 * range, distinct socket paths).
 */
#include <stdint.h>
#include <string.h>

#include "common/yconf.h"
#include "firewall-helper/fwconf.h"
#include "t/lib/fuzz-memfile.h"

static void
fc_check(const struct fwh_config *c)
{
	size_t i;

	fuzz_check(c->cmd.path && c->status.path &&
	    strcmp(c->cmd.path, c->status.path) != 0, "socket paths distinct");
	fuzz_check(c->chain && strlen(c->chain) >= 1 &&
	    strlen(c->chain) <= FWH_CHAIN_MAX, "chain length");
	fuzz_check(c->log_prefix && strlen(c->log_prefix) <= FWH_LOG_PREFIX_MAX,
	    "log prefix length");
	fuzz_check(c->backend != NULL, "backend");
	fuzz_check(c->nports <= FWH_PORTS_MAX, "ports count");
	for (i = 0; i < c->nports; i++)
		fuzz_check(c->ports[i].lo <= c->ports[i].hi, "port range");
	for (i = 0; i < c->nnever; i++)
		fuzz_check(c->never[i].plen >= 0 &&
		    c->never[i].plen <= addr_bits(&c->never[i].net),
		    "never_block prefix");
	fuzz_check(c->ttl >= 0 && c->max_entries > 0, "ttl, max_entries");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ydoc *doc = NULL;
	struct fwh_config *c;
	const char *path = fuzz_memfile(data, size);
	size_t i, n;

	if (path == NULL)
		return 0;
	n = strlen(path);
	c = fwconf_load(path, &doc);
	fuzz_check(doc != NULL, "document handed back");
	fuzz_check((c == NULL) == (doc->nerrs > 0), "NULL exactly on errors");
	for (i = 0; i < doc->nerrs; i++)
		fuzz_check(strncmp(doc->errs[i], path, n) == 0 &&
		    doc->errs[i][n] == ':', "error names the file");
	if (c != NULL)
		fc_check(c);
	fwconf_free(c);
	ydoc_free(doc);
	return 0;
}
