/*
 * t/fuzz/classify.c - libFuzzer harness for the broadband classifier
 * (policyd/classify.c, classify_ip.c, tokens.c): reverse DNS names are
 * chosen by whoever owns the address, spammers included.
 *
 * Input: "ADDR NAME" - the first word, if inet_pton takes it, is the client
 * address (so the fuzzer can grow names that embed it); the rest is the
 * name, cut at a NUL.  Otherwise the whole input is the name and there is no
 * address.  The vocabulary is the built-in one plus etc/tokens.yaml when the
 * harness runs from the top directory.  Properties besides "no crash": the
 * class is in range and has a name; the reason is a terminated string that
 * starts with "by="; the same question asked again gets the same answer
 * (the memo never changes a result), in upper case the same class (but for
 * Postfix's "unknown"); no name means class unknown.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/addr.h"
#include "common/yconf.h"
#include "policyd/classify.h"
#include "policyd/tokens.h"
#include "t/lib/fuzz-memfile.h"

static const struct tokens *
cl_tokens(void)
{
	static struct tokens *tk;
	struct ydoc *doc = NULL;

	if (tk != NULL)
		return tk;
	if (access("etc/tokens.yaml", R_OK) == 0)
		tk = tokens_load_file("etc/tokens.yaml", &doc);
	ydoc_free(doc);
	if (tk == NULL)
		tk = tokens_new();
	(void)classify_init();
	return tk;
}

static void
cl_check(const struct classify_result *r, enum vclass c)
{
	fuzz_check(c == r->cls, "returns the class it stores");
	fuzz_check((int)c >= 0 && c < VCLASS_COUNT, "class in range");
	fuzz_check(vclass_name(c) != NULL, "class has a name");
	fuzz_check(vclass_parse(vclass_name(c)) == (int)c, "name parses back");
	fuzz_check(memchr(r->reason, '\0', sizeof(r->reason)) != NULL,
	    "reason terminated");
	fuzz_check(strncmp(r->reason, "by=", 3) == 0, "reason starts by=");
	fuzz_check(r->ip_strength >= 0 && r->ip_strength <= 4, "strength");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tokens *tk = cl_tokens();
	struct classify_result r1, r2;
	struct addr a, *ip = NULL;
	const uint8_t *sp;
	char *name, *upper;
	size_t i, n;
	enum vclass c1, c2;

	sp = memchr(data, ' ', size);
	if (sp != NULL && addr_parse_n(&a, (const char *)data,
	    (size_t)(sp - data)) == 0) {
		ip = &a;
		size -= (size_t)(sp + 1 - data);
		data = sp + 1;
	}
	n = strnlen((const char *)data, size);
	name = malloc(n + 1);
	upper = malloc(n + 1);
	if (name == NULL || upper == NULL)
		abort();
	memcpy(name, data, n);
	name[n] = '\0';
	for (i = 0; i <= n; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);

	c1 = classify(tk, name, ip, &r1);
	cl_check(&r1, c1);
	c2 = classify(tk, name, ip, &r2);
	cl_check(&r2, c2);
	fuzz_check(c1 == c2 && strcmp(r1.reason, r2.reason) == 0,
	    "same question, same answer");
	c2 = classify(tk, upper, ip, &r2);
	cl_check(&r2, c2);
	if (strcasecmp(name, "unknown") != 0)   /* Postfix's "no name" */
		fuzz_check(c1 == c2, "case does not matter");
	c2 = classify(tk, NULL, ip, &r2);
	fuzz_check(c2 == VCLASS_UNKNOWN, "no name: unknown");
	free(name);
	free(upper);
	return 0;
}
