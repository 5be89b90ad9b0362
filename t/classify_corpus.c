/*
 * t/classify_corpus.c - the classifier scored on the labeled corpus.
 *
 * Reads ../shared/corpus/rdns-dev.tsv (or $CORPUS) relative to the repo,
 * classifies every row with the vocabulary of etc/tokens.yaml (or $TOKENS),
 * prints a confusion table (corpus label x class), the misses and the false
 * positives with their reasons, and asserts the floors of issue 3:
 * >= 100 of 113 dynamic rows classed dynamic or static, <= 1 of 116
 * mailserver rows classed dynamic or static.  Skips when the corpus is
 * absent (it lives beside the clone, never inside it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/yconf.h"
#include "policyd/classify.h"
#include "policyd/tokens.h"
#include "t/tap.h"

static const char *const labels[] = { "dynamic", "static", "server",
	"mailserver", "unknown", NULL };

static int
label_index(const char *s)
{
	int i;

	for (i = 0; labels[i]; i++)
		if (strcmp(s, labels[i]) == 0)
			return i;
	return -1;
}

int
main(void)
{
	const char *path = getenv("CORPUS") ? getenv("CORPUS") :
	    "../shared/corpus/rdns-dev.tsv";
	const char *tpath = getenv("TOKENS") ? getenv("TOKENS") :
	    "etc/tokens.yaml";
	int table[5][VCLASS_COUNT] = { { 0 } }, rows[5] = { 0 };
	int nonsa = 0, nonsa_hit = 0, li, c;
	char line[4096];
	struct ydoc *doc;
	struct tokens *tk;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		skip_all("corpus ../shared/corpus/rdns-dev.tsv not found "
		    "(set CORPUS=PATH); it lives beside the clone");
	tk = tokens_load_file(tpath, &doc);
	if (tk == NULL) {
		ydoc_print_errors(doc, stdout);
		ok(0, "tokens file %s loads", tpath);
		return done_testing();
	}
	ydoc_free(doc);
	ok(classify_init() == 0, "public suffix list loaded");
	while (fgets(line, sizeof(line), fp)) {
		char *name = strtok(line, "\t\n"), *ip = strtok(NULL, "\t\n");
		char *label = strtok(NULL, "\t\n"), *src = strtok(NULL, "\n");
		struct classify_result r;
		struct addr a;
		bool hit;

		if (!name || !ip || !label || (li = label_index(label)) < 0)
			continue;
		if (strcmp(ip, "-") == 0 || addr_parse(&a, ip) < 0)
			classify(tk, name, NULL, &r);
		else
			classify(tk, name, &a, &r);
		table[li][r.cls]++;
		rows[li]++;
		hit = r.cls == VCLASS_DYNAMIC || r.cls == VCLASS_STATIC;
		if (li == 0 && (!src || !strstr(src, "spamassassin"))) {
			nonsa++;
			nonsa_hit += hit;
		}
		if ((li == 0 && !hit) || (li == 3 && hit))
			diag("%s %-10s %-55s %-16s -> %-7s %s", li ? "FP  " : "MISS",
			    label, name, ip, vclass_name(r.cls), r.reason);
	}
	fclose(fp);

	diag("%-11s %5s %8s %8s %8s %8s %8s %8s", "label\\class", "rows",
	    "dynamic", "static", "generic", "mail", "none", "unknown");
	for (li = 0; labels[li]; li++)
		diag("%-11s %5d %8d %8d %8d %8d %8d %8d", labels[li], rows[li],
		    table[li][VCLASS_DYNAMIC], table[li][VCLASS_STATIC],
		    table[li][VCLASS_GENERIC], table[li][VCLASS_MAIL],
		    table[li][VCLASS_NONE], table[li][VCLASS_UNKNOWN]);
	c = table[0][VCLASS_DYNAMIC] + table[0][VCLASS_STATIC];
	diag("recall: %d/%d dynamic rows refused (dynamic or static); "
	    "non-SpamAssassin rows: %d/%d", c, rows[0], nonsa_hit, nonsa);
	ok(rows[0] == 113 && rows[3] == 116, "corpus has 113 dynamic and 116 "
	    "mailserver rows (got %d, %d)", rows[0], rows[3]);
	ok(c >= 100, "recall floor: %d of %d dynamic rows >= 100", c, rows[0]);
	c = table[3][VCLASS_DYNAMIC] + table[3][VCLASS_STATIC];
	diag("false positives: %d/%d mailserver rows refused", c, rows[3]);
	ok(c <= 1, "false-positive ceiling: %d of %d mailserver rows <= 1", c,
	    rows[3]);
	tokens_free(tk);
	return done_testing();
}
