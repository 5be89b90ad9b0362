/*
 * t/fuzz/journal.c - libFuzzer harness for the helper's journal reader
 * (firewall-helper/journal_parse.c) and the block table it fills
 * (blocktab.c).  The journal survives restarts, so a damaged or planted file
 * must never crash the CAP_NET_ADMIN helper.
 *
 * The input is a journal file: each LF-terminated line is parsed as
 * journal_replay() does.  Properties besides "no crash": a malformed line
 * names its reason; a record is within limits (printable reason of at most
 * FWPROTO_REASON_MAX); journal_format() of a record parses back to the same
 * record.  Records are applied to a small table (8 entries, evicting) as
 * adds and deletes with expiry in between: it never holds more than its
 * limit, an added address is found, a deleted one is not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firewall-helper/blocktab.h"
#include "firewall-helper/fwconf.h"
#include "firewall-helper/journal.h"
#include "t/lib/fuzz-memfile.h"

#define JR_TABLE 8

static void
jr_same(const struct journal_rec *a, const struct journal_rec *b)
{
	fuzz_check(a->when == b->when && a->op == b->op, "when, op survive");
	fuzz_check(addr_equal(&a->addr, &b->addr), "address survives");
	if (a->op == JOURNAL_ADD)
		fuzz_check(a->until == b->until && a->since == b->since &&
		    a->seen == b->seen, "until, since, seen survive");
	fuzz_check(strcmp(a->reason, b->reason) == 0, "reason survives");
}

static void
jr_apply(struct blocktab *bt, const struct journal_rec *r)
{
	struct blocktab_entry ev;
	bool did = false;
	enum blocktab_res res;

	if (r->op == JOURNAL_DEL) {
		(void)blocktab_del(bt, &r->addr);
		fuzz_check(blocktab_get(bt, &r->addr) == NULL, "deleted is gone");
		return;
	}
	res = blocktab_add(bt, &r->addr, r->when, r->until, r->reason, &ev,
	    &did);
	if (did)
		free(ev.reason);
	if (res != BT_FULL)
		fuzz_check(blocktab_get(bt, &r->addr) != NULL, "added is found");
	fuzz_check(blocktab_count(bt) <= JR_TABLE, "table within its limit");
	if (r->when % 3 == 0)
		(void)blocktab_expire(bt, r->when, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl, *err;
	struct journal_rec r, again;
	char buf[1024];
	struct blocktab *bt = blocktab_new(JR_TABLE, FWH_FULL_EVICT);
	size_t i, n;
	int rc, m;

	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
	    p = nl + 1) {
		n = (size_t)(nl - p);
		rc = journal_parse_line(p, n, &r, &err);
		fuzz_check(rc >= -1 && rc <= 1, "result range");
		if (rc < 0)
			fuzz_check(err != NULL && *err != '\0', "error reason");
		if (rc <= 0)
			continue;
		n = strlen(r.reason);
		fuzz_check(n <= FWPROTO_REASON_MAX, "reason length");
		for (i = 0; i < n; i++)
			fuzz_check(r.reason[i] >= 0x20 && r.reason[i] <= 0x7e,
			    "reason printable");
		m = journal_format(&r, buf, sizeof(buf));
		fuzz_check(m > 0 && buf[m - 1] == '\n', "record formats");
		fuzz_check(journal_parse_line(buf, (size_t)m - 1, &again,
		    &err) == 1, "formatted record parses");
		jr_same(&r, &again);
		jr_apply(bt, &r);
	}
	blocktab_free(bt);
	return 0;
}
