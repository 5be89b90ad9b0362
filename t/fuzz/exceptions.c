/*
 * t/fuzz/exceptions.c - libFuzzer harness for the exceptions loader and
 * matcher (policyd/exceptions.c, exc_trie.c).
 *
 * Input: an exceptions YAML document, optionally followed by a line "%%"
 * and query lines "ADDR NAME SENDER RECIPIENT" (space-separated, "-" for
 * absent).  Properties besides "no crash, no leak": the loader returns NULL
 * exactly when it recorded errors, and every error names the file; for each
 * query at three times (0, a fixed day, far future), a returned entry is
 * not expired and really covers the query: a client entry's network
 * contains the address, a hostname equals the client name, a domain is the
 * name or a parent of it, a sender domain is the sender's domain or a
 * parent, postmaster is the recipient's local part; the same query in upper
 * case gets the same entry; exc_describe() fits any buffer.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/addr.h"
#include "common/yconf.h"
#include "policyd/exceptions.h"
#include "t/lib/fuzz-memfile.h"

/* value is s, or s ends with "." value (case-insensitive) */
static bool
ex_is_suffix(const char *s, size_t n, const char *value)
{
	size_t v = strlen(value);

	if (n == v)
		return strncasecmp(s, value, n) == 0;
	return n > v && s[n - v - 1] == '.' &&
	    strncasecmp(s + n - v, value, v) == 0;
}

static void
ex_covers(const struct exc_entry *e, const struct exc_query *q, time_t now)
{
	struct cidr c;
	const char *at, *err;
	size_t n;

	fuzz_check(e->until == 0 || e->until > now, "entry not expired");
	switch (e->kind) {
	case EXC_CLIENT:
		fuzz_check(q->client && cidr_parse(&c, e->value, &err) == 0 &&
		    cidr_contains(&c, q->client), "network contains client");
		break;
	case EXC_HOSTNAME:
	case EXC_DOMAIN:
		fuzz_check(q->client_name != NULL, "a name was asked");
		n = strlen(q->client_name);
		if (n > 0 && q->client_name[n - 1] == '.')
			n--;
		if (e->kind == EXC_HOSTNAME)
			fuzz_check(n == strlen(e->value) && strncasecmp(
			    q->client_name, e->value, n) == 0, "hostname equal");
		else
			fuzz_check(ex_is_suffix(q->client_name, n, e->value),
			    "domain is the name or a parent");
		break;
	case EXC_SENDER:
		fuzz_check(q->sender && (at = strrchr(q->sender, '@')) &&
		    ex_is_suffix(at + 1, strlen(at + 1), e->value),
		    "sender domain or a parent");
		break;
	case EXC_RECIPIENT:
		fuzz_check(q->recipient && strchr(q->recipient, '@'),
		    "recipient with a domain");
		break;
	case EXC_POSTMASTER:
		fuzz_check(q->recipient && strncasecmp(q->recipient,
		    "postmaster", 10) == 0 && (q->recipient[10] == '\0' ||
		    q->recipient[10] == '@'), "postmaster");
		break;
	default:
		fuzz_check(0, "kind in range");
	}
}

static char *
ex_field(char **p)
{
	char *f = strsep(p, " ");

	return f == NULL || strcmp(f, "-") == 0 ? NULL : f;
}

static void
ex_upper(char *s)
{
	for (; s && *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

static void
ex_query(const struct exceptions *x, char *line)
{
	static const time_t times[] = { 0, 1764331200, 4102444800 };
	struct exc_query q;
	struct addr a;
	const struct exc_entry *e, *e2;
	char *p = line, *f, *name, *sender, *rcpt, buf[200];
	size_t t, k;

	memset(&q, 0, sizeof(q));
	if ((f = ex_field(&p)) != NULL && addr_parse(&a, f) == 0)
		q.client = &a;
	q.client_name = name = ex_field(&p);
	q.sender = sender = ex_field(&p);
	q.recipient = rcpt = ex_field(&p);
	for (t = 0; t < 3; t++) {
		if ((e = exceptions_match(x, &q, times[t])) == NULL)
			continue;
		ex_covers(e, &q, times[t]);
		for (k = 0; k < sizeof(buf) - 1; k += 1 + k / 2) {
			memset(buf, 'Z', sizeof(buf));
			exc_describe(e, buf, k);
			if (k > 0)
				fuzz_check(memchr(buf, '\0', k) != NULL,
				    "description terminated");
			fuzz_check(buf[k] == 'Z', "no write past size");
		}
	}
	/* Case does not matter (names, domains, postmaster). */
	e = exceptions_match(x, &q, times[1]);
	ex_upper(name);
	ex_upper(sender);
	ex_upper(rcpt);
	if (name == NULL || strcasecmp(name, "unknown") != 0) {
		e2 = exceptions_match(x, &q, times[1]);
		fuzz_check(e == e2, "upper case: same entry");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exceptions *x;
	struct ydoc *doc;
	char *copy, *queries, *line, *save;
	size_t i, ylen;

	copy = fuzz_split(data, size, &ylen, &queries);
	doc = ydoc_load_mem("exc.yaml", copy, ylen);
	x = exceptions_load_doc(doc);
	fuzz_check((x == NULL) == (doc->nerrs > 0), "NULL exactly on errors");
	for (i = 0; i < doc->nerrs; i++)
		fuzz_check(strncmp(doc->errs[i], "exc.yaml:", 9) == 0,
		    "error names the file");
	if (x != NULL && queries != NULL)
		for (line = strtok_r(queries, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			ex_query(x, line);
	exceptions_free(x);
	ydoc_free(doc);
	free(copy);
	return 0;
}
