/*
 * t/fuzz/yconf.c - libFuzzer harness for common/yconf: the YAML loader and
 * every typed getter.
 *
 * The input is loaded as a document; every node is then read with every
 * getter, as a config loader that expects the wrong type would.  Properties
 * checked besides "no crash, no leak": every error names the file and a
 * position, node positions are 1-based, scalars have no inner NUL, the tree
 * is no deeper than YCONF_MAX_DEPTH.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/yconf.h"
#include "t/lib/fuzz-memfile.h"

static const char *const yconf_known[] = {
	"listen", "mode", "dns", "servers", "timeout_ms", "firewall",
	"socket", "enabled", "exceptions", NULL
};
static const char *const yconf_words[] = { "enforce", "warn", "off", NULL };

static void
yconf_walk(struct ydoc *doc, const struct ynode *n, int depth)
{
	struct ynode *const *items;
	const char *s;
	long long v;
	unsigned m;
	size_t i, count;
	bool b;
	int e;

	fuzz_check(depth <= YCONF_MAX_DEPTH + 1, "depth bounded");
	fuzz_check(n->line >= 1 && n->col >= 1, "positions are 1-based");
	switch (n->type) {
	case YN_SCALAR:
		fuzz_check(n->str != NULL && strlen(n->str) == n->len,
		    "scalar length");
		(void)ynode_str(doc, n, &s);
		(void)ynode_bool(doc, n, &b);
		(void)ynode_int(doc, n, -1000000, 1000000, &v);
		(void)ynode_int(doc, n, INT64_MIN, INT64_MAX, &v);
		(void)ynode_duration(doc, n, 1000, 0, 86400000LL * 366, &v);
		(void)ynode_duration(doc, n, 1, 1, INT64_MAX, &v);
		(void)ynode_mode(doc, n, &m);
		(void)ynode_enum(doc, n, yconf_words, &e);
		(void)ynode_is_null(n);
		if (ynode_seq(doc, n, true, &items, &count) == 0)
			fuzz_check(count == 1 && items[0] == n, "scalar as list");
		break;
	case YN_SEQ:
		fuzz_check(ynode_seq(doc, n, false, &items, &count) == 0,
		    "sequence is a list");
		for (i = 0; i < count; i++)
			yconf_walk(doc, items[i], depth + 1);
		(void)ynode_str(doc, n, &s);
		break;
	case YN_MAP:
		fuzz_check(n->nkids % 2 == 0, "map has pairs");
		(void)ymap_check(doc, n, yconf_known);
		(void)ymap_get(n, "listen");
		(void)ymap_get(n, "");
		for (i = 0; i < YMAP_NPAIRS(n); i++) {
			fuzz_check(YMAP_KEY(n, i)->type == YN_SCALAR,
			    "keys are scalars");
			yconf_walk(doc, YMAP_VAL(n, i), depth + 1);
		}
		(void)ynode_bool(doc, n, &b);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct ydoc *doc;
	size_t i;

	if (devnull == NULL && (devnull = fopen("/dev/null", "we")) == NULL)
		return 0;
	doc = ydoc_load_mem("fuzz.yaml", (const char *)data, size);
	fuzz_check(doc != NULL, "loader never returns NULL");
	if (doc->root != NULL)
		yconf_walk(doc, doc->root, 0);
	ydoc_error(doc, NULL, "one more %s", "error");
	for (i = 0; i < doc->nerrs; i++)
		fuzz_check(strncmp(doc->errs[i], "fuzz.yaml:", 10) == 0,
		    "error names the file");
	ydoc_print_errors(doc, devnull);
	ydoc_free(doc);
	return 0;
}
