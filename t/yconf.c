/*
 * t/yconf.c - the YAML tree loader and its error messages.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/yconf.h"
#include "t/tap.h"

static struct ydoc *
load(const char *text)
{
	return ydoc_load_mem("t.yaml", text, strlen(text));
}

static void
first_error(const char *text, const char *want)
{
	struct ydoc *d = load(text);

	ok(d->nerrs > 0, "error for %s", want);
	is_str(d->nerrs ? d->errs[0] : NULL, want, "message");
	ydoc_free(d);
}

int
main(void)
{
	static const char *const known[] = { "listen", "mode", "dns", NULL };
	static const char *const modes[] = { "enforce", "warn", "off", NULL };
	struct ydoc *d;
	struct ynode *n;
	struct ynode *const *items;
	size_t count;
	long long v;
	bool b;
	int e;
	unsigned m;
	const char *s;

	d = load("listen:\n  - inet:127.0.0.1:10040\n  - unix:/run/p.sock\n"
	    "mode: warn\ndns:\n  timeout_ms: 800\n  on: yes\n  q: \"yes\"\n");
	is_int(d->nerrs, 0, "valid document loads");
	ok(ymap_check(d, d->root, known) == 0, "known keys pass");
	n = ymap_get(d->root, "listen");
	ok(n && n->type == YN_SEQ && n->nkids == 2, "sequence of two");
	is_int(n->kids[1]->line, 3, "line of the second item");
	is_int(n->kids[1]->col, 5, "column of the second item");
	ok(ynode_enum(d, ymap_get(d->root, "mode"), modes, &e) == 0 && e == 1, "enum");
	n = ymap_get(d->root, "dns");
	ok(ynode_int(d, ymap_get(n, "timeout_ms"), 1, 60000, &v) == 0 && v == 800, "int");
	ok(ynode_bool(d, ymap_get(n, "on"), &b) == 0 && b, "bool yes");
	ok(ymap_get(n, "q")->quoted, "quoted scalar remembered");
	ok(ynode_seq(d, ymap_get(d->root, "mode"), true, &items, &count) == 0 &&
	    count == 1 && strcmp(items[0]->str, "warn") == 0, "lone scalar as a list of one");
	ydoc_free(d);

	d = load("listen: x\nmode: fast\nbogus: 1\nlisten: y\ndns: {timeout_ms: 0x10, on: maybe}\n");
	ymap_check(d, d->root, known);
	ynode_enum(d, ymap_get(d->root, "mode"), modes, &e);
	n = ymap_get(d->root, "dns");
	ynode_int(d, ymap_get(n, "timeout_ms"), 1, 60000, &v);
	ynode_bool(d, ymap_get(n, "on"), &b);
	ynode_mode(d, ymap_get(d->root, "listen"), &m);
	{
		static const char *const want[] = {
			"t.yaml:1:9: expected an octal file mode such as \"0660\"",
			"t.yaml:2:7: \"fast\" is not one of: enforce, warn, off",
			"t.yaml:3:1: unknown key \"bogus\"",
			"t.yaml:4:1: duplicate key \"listen\" (first at line 1)",
			"t.yaml:5:19: number invalid (1..60000)",
			"t.yaml:5:29: expected true or false",
		};
		char *buf = NULL;
		size_t len = 0, i;
		FILE *fp = open_memstream(&buf, &len);

		ydoc_print_errors(d, fp);
		fclose(fp);
		is_int(d->nerrs, 6, "every error collected, not only the first");
		for (i = 0; i < 6 && i < d->nerrs; i++)
			is_str(d->errs[i], want[i], "error %zu sorted by position", i);
		free(buf);
	}
	ydoc_free(d);

	/* 2,000 errors recorded last line first, two at each position: sorted
	 * by line and column, the two of one position in recorded order */
	d = load("a: 1\n");
	for (int i = 2000; i >= 1; i--) {
		ydoc_error_at(d, i / 2 + 1, i % 2 ? 7 : 3, "first %d", i);
		ydoc_error_at(d, i / 2 + 1, i % 2 ? 7 : 3, "second %d", i);
	}
	{
		FILE *fp = fopen("/dev/null", "w");
		bool sorted = true;
		char want[64];

		ydoc_print_errors(d, fp);
		fclose(fp);
		for (size_t i = 0; i < d->nerrs && sorted; i++) {
			int k = (int)(i / 2) + 1;      /* the k-th position */

			snprintf(want, sizeof(want), "t.yaml:%d:%d: %s %d",
			    k / 2 + 1, k % 2 ? 7 : 3, i % 2 ? "second" : "first", k);
			sorted = strcmp(d->errs[i], want) == 0;
			if (!sorted)
				diag("error %zu: got \"%s\", want \"%s\"", i, d->errs[i], want);
		}
		ok(d->nerrs == 4000 && sorted, "4,000 errors recorded backwards: sorted, ties in order");
	}
	ydoc_free(d);

	first_error("a: [1, 2\n", "t.yaml:2:1: did not find expected ',' or ']' while parsing a flow sequence");
	first_error("a: &x 1\nb: *x\n", "t.yaml:1:4: anchors and tags are not supported");
	first_error("a: *x\n", "t.yaml:1:4: aliases are not supported");
	first_error("a: 1\n---\nb: 2\n", "t.yaml:2:1: only one YAML document is allowed");
	first_error("[1]: x\n", "t.yaml:1:1: mapping keys must be plain words");
	{
		char deep[200];
		int i;

		for (i = 0; i < 40; i++)
			deep[i] = '[';
		deep[40] = '\0';
		d = load(deep);
		ok(d->nerrs > 0 && strstr(d->errs[0], "nesting deeper than 32 levels"),
		    "deep nesting refused");
		ydoc_free(d);
	}
	d = load("# only a comment\n");
	ok(d->nerrs == 0 && d->root == NULL, "empty document has no root");
	ydoc_free(d);
	d = ydoc_load_file("/nonexistent/x.yaml");
	is_str(d->nerrs ? d->errs[0] : NULL, "/nonexistent/x.yaml:0:0: cannot open: No such file or directory", "missing file");
	ydoc_free(d);
	d = load("a: ~\n");
	ok(ynode_str(d, ymap_get(d->root, "a"), &s) < 0, "null is not a string");
	ydoc_free(d);
	return done_testing();
}
