/*
 * exceptions_load.c - the exceptions YAML file into a struct exceptions
 * (format in exceptions.h), plus the small helpers that describe entries.
 *
 * Every problem is recorded in the ydoc at the offending node, all of them
 * in one pass; any error makes the load return NULL so that the caller
 * keeps the list it has.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/num.h"
#include "common/yconf.h"
#include "policyd/exceptions.h"

static const char *const sections[] = { "clients", "hostnames", "domains",
	"senders", "recipients", NULL };
static const enum exc_kind section_kind[] = { EXC_CLIENT, EXC_HOSTNAME,
	EXC_DOMAIN, EXC_SENDER, EXC_RECIPIENT };

const char *
exc_kind_name(enum exc_kind k)
{
	static const char *const names[] = { "client", "hostname", "domain",
		"sender", "recipient", "postmaster" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

char *
exc_describe(const struct exc_entry *e, char *buf, size_t size)
{
	if (e->line > 0)
		snprintf(buf, size, "%s %s (line %d%s%s)", exc_kind_name(e->kind),
		    e->value, e->line, e->comment ? ": " : "",
		    e->comment ? e->comment : "");
	else
		snprintf(buf, size, "%s %s (%s)", exc_kind_name(e->kind),
		    e->value, e->comment ? e->comment : "built-in");
	return buf;
}

static int
num_part(const char *s, size_t n, long long min, long long max, int *out)
{
	long long v;
	const char *err;

	if (num_parse_n(s, n, min, max, &v, &err) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* "YYYY-MM-DD" (good through that day, UTC) or "YYYY-MM-DD HH:MM" / with
 * 'T' (off from that minute, UTC). */
int
exc_parse_until(const char *s, time_t *out)
{
	struct tm tm;
	size_t n = strlen(s);
	int y, mo, d, h = 0, mi = 0;
	bool day = n == 10;

	if (!(n == 10 || (n == 16 && (s[10] == ' ' || s[10] == 'T'))) ||
	    s[4] != '-' || s[7] != '-' ||
	    num_part(s, 4, 1970, 9999, &y) < 0 ||
	    num_part(s + 5, 2, 1, 12, &mo) < 0 ||
	    num_part(s + 8, 2, 1, 31, &d) < 0)
		return -1;
	if (!day && (s[13] != ':' || num_part(s + 11, 2, 0, 23, &h) < 0 ||
	    num_part(s + 14, 2, 0, 59, &mi) < 0))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	*out = timegm(&tm);
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)     /* 2026-02-30 */
		return -1;
	if (day)
		*out += 86400;
	if (*out == 0)          /* 0 is "no expiry": 1970-01-01 00:00 is past */
		*out = 1;
	return 0;
}

static void
load_item(struct ydoc *doc, struct exceptions *x, enum exc_kind kind,
    const struct ynode *item)
{
	static const char *const keys[] = { "value", "comment", "until", NULL };
	const struct ynode *vn = item, *cn, *un;
	const char *value, *comment = NULL, *until, *err;
	time_t t = 0;
	bool bad = false;

	if (item->type == YN_MAP) {
		if (ymap_check(doc, item, keys) != 0)
			return;
		vn = ymap_get(item, "value");
		if (vn == NULL) {
			ydoc_error(doc, item, "missing value: (the %s)",
			    exc_kind_name(kind));
			return;
		}
		if ((cn = ymap_get(item, "comment")) != NULL &&
		    ynode_str(doc, cn, &comment) < 0)
			bad = true;
		if ((un = ymap_get(item, "until")) != NULL) {
			if (ynode_str(doc, un, &until) < 0)
				bad = true;
			else if (exc_parse_until(until, &t) < 0) {
				ydoc_error(doc, un, "bad until: date (want "
				    "YYYY-MM-DD or YYYY-MM-DD HH:MM, UTC)");
				bad = true;
			}
		}
	}
	if (ynode_str(doc, vn, &value) < 0 || bad)
		return;
	if (exceptions_add(x, kind, value, comment, t, vn->line, &err) < 0)
		ydoc_error(doc, vn, "%s: %s", exc_kind_name(kind), err);
}

struct exceptions *
exceptions_load_doc(struct ydoc *doc)
{
	struct exceptions *x;
	struct ynode *const *items;
	size_t i, j, count, before = doc->nerrs;

	if (doc->nerrs)
		return NULL;
	x = exceptions_new();
	if (doc->root != NULL)
		(void)ymap_check(doc, doc->root, sections);  /* unknown keys */
	if (doc->root != NULL && doc->root->type == YN_MAP) {
		for (i = 0; sections[i]; i++) {
			const struct ynode *n = ymap_get(doc->root, sections[i]);

			if (n == NULL || ynode_is_null(n) ||
			    ynode_seq(doc, n, false, &items, &count) < 0)
				continue;
			for (j = 0; j < count; j++)
				load_item(doc, x, section_kind[i], items[j]);
		}
	}
	if (doc->nerrs > before) {
		exceptions_free(x);
		return NULL;
	}
	return x;
}

struct exceptions *
exceptions_load_file(const char *path, struct ydoc **docp)
{
	struct ydoc *doc = ydoc_load_file(path);

	*docp = doc;
	return exceptions_load_doc(doc);
}
