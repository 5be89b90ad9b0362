/*
 * t/fuzz/tokens.c - libFuzzer harness for the classifier's vocabulary file
 * loader (policyd/tokens.c, etc/tokens.yaml) and its lookups.
 *
 * Input: a tokens YAML document, optionally followed by a line "%%" and
 * lines to look up as words and as domains.  Properties besides "no crash,
 * no leak": NULL exactly when errors were recorded, every error names the
 * file; a loaded vocabulary has at least the built-in words; lookups of
 * any bytes (lowercased first, as classify() does) return known kind bits
 * and affix flags only; case never matters for a domain the file added.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/yconf.h"
#include "policyd/tokens.h"
#include "t/lib/fuzz-memfile.h"

#define TK_KINDS (TOK_ACCESS | TOK_SERVER | TOK_STATIC | TOK_HOSTING)
#define TK_DOMS (DOM_ISP | DOM_HOSTING | DOM_MAIL | DOM_BUSINESS)

static void
tk_lookup(const struct tokens *t, char *s)
{
	unsigned affix = 0, k;
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	k = tokens_word(t, s, n, &affix);
	fuzz_check((k & ~(unsigned)TK_KINDS) == 0, "word kind bits");
	fuzz_check((affix & ~(unsigned)(TOK_PREFIX | TOK_SUFFIX)) == 0,
	    "affix bits");
	if (k)
		fuzz_check(tok_kind_name(k) != NULL, "kind name");
	k = tokens_domain(t, s, n);
	fuzz_check((k & ~(unsigned)TK_DOMS) == 0, "domain kind bits");
	if (k)
		fuzz_check(dom_kind_name(k) != NULL, "domain kind name");
	/* every prefix length too: lookups take (s, n), not C strings */
	for (i = 0; i < n && i < 64; i++) {
		(void)tokens_word(t, s, i, NULL);
		(void)tokens_domain(t, s + i, n - i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tokens *t;
	struct ydoc *doc;
	char *copy, *queries, *line, *save;
	size_t i, ylen, nd;

	copy = fuzz_split(data, size, &ylen, &queries);
	doc = ydoc_load_mem("tokens.yaml", copy, ylen);
	t = tokens_load_doc(doc);
	fuzz_check((t == NULL) == (doc->nerrs > 0), "NULL exactly on errors");
	for (i = 0; i < doc->nerrs; i++)
		fuzz_check(strncmp(doc->errs[i], "tokens.yaml:", 12) == 0,
		    "error names the file");
	if (t != NULL) {
		fuzz_check(tokens_count(t, &nd) > 0, "built-in words kept");
		if (queries != NULL)
			for (line = strtok_r(queries, "\n", &save); line != NULL;
			    line = strtok_r(NULL, "\n", &save))
				tk_lookup(t, line);
	}
	tokens_free(t);
	ydoc_free(doc);
	free(copy);
	return 0;
}
