/*
 * t/journal.c - the helper's journal: the pure line parser (good and bad
 * lines, table-driven), format/parse round trip, and the file: replay,
 * a truncated last line skipped, expired entries dropped, compaction; a
 * line cut short (by a crash, or a write cut short whose rest was then
 * dropped) never swallows the record appended after it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "common/fwproto.h"
#include "common/log.h"
#include "firewall-helper/blocktab.h"
#include "firewall-helper/fwconf.h"
#include "firewall-helper/journal.h"
#include "t/tap.h"

static const struct {
	const char *line;
	int rc;                 /* 1, 0 or -1 */
	const char *err;        /* for -1 */
} cases[] = {
	{ "2026-11-28T12:00:00Z add 192.0.2.7 until=2026-11-29T12:00:00Z since=2026-11-28T11:00:00Z seen=3 reason=dynamic dsl", 1, NULL },
	{ "2026-11-28T12:00:00Z add 2001:db8::7 until=never", 1, NULL },
	{ "2026-11-28T12:00:00Z del 192.0.2.7 reason=operator", 1, NULL },
	{ "2026-11-28T12:00:00Z del 192.0.2.7", 1, NULL },
	{ "", 0, NULL },
	{ "# comment", 0, NULL },
	{ "2026-11-28 12:00:00 add 192.0.2.7 until=never", -1, "bad time" },
	{ "2026-13-28T12:00:00Z add 192.0.2.7 until=never", -1, "bad time" },
	{ "2026-11-28T12:00:00Z put 192.0.2.7 until=never", -1, "unknown operation" },
	{ "2026-11-28T12:00:00Z add 192.0.2.300 until=never", -1, "bad address" },
	{ "2026-11-28T12:00:00Z add 192.0.2.7", -1, "missing until" },
	{ "2026-11-28T12:00:00Z add 192.0.2.7 until=tomorrow", -1, "bad until" },
	{ "2026-11-28T12:00:00Z add 192.0.2.7 until=never seen=0", -1, "bad seen" },
	{ "2026-11-28T12:00:00Z add 192.0.2.7 until=never seen=-1", -1, "bad seen" },
	{ "2026-11-28T12:00:00Z add 192.0.2.7 until=never colour=red", -1, "unknown field" },
	{ "2026-11-28T12:00:00Z del 192.0.2.7 until=never", -1, "unknown field" },
	{ "2026-11-28T12:00:00Z add 192.0.2.7 until=never reason=\x01", -1, "bad character" },
	{ "2026-11-28T12:00:00Z add 192.0.2.7 until=never since=yesterday", -1, "bad since" },
};

static void test_parse(void)
{
	struct journal_rec r;
	const char *err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = journal_parse_line(cases[i].line, strlen(cases[i].line), &r, &err);
		is_int(rc, cases[i].rc, "parse %zu: %.40s", i, cases[i].line);
		if (cases[i].rc == -1)
			is_str(err, cases[i].err, "reason %zu", i);
	}
	journal_parse_line(cases[0].line, strlen(cases[0].line), &r, &err);
	ok(r.op == JOURNAL_ADD && r.seen == 3 && r.until - r.when == 86400 &&
	    r.when - r.since == 3600 && strcmp(r.reason, "dynamic dsl") == 0,
	    "fields of a full add line");
}

static void test_roundtrip(void)
{
	struct journal_rec r, back;
	char buf[1024], want[300];
	const char *err;
	int n;

	memset(&r, 0, sizeof(r));
	r.when = 1764331200;
	r.op = JOURNAL_ADD;
	addr_parse(&r.addr, "2001:db8::1:2");
	r.until = r.when + 3600;
	r.since = r.when - 60;
	r.seen = 12;
	memset(want, 'x', FWPROTO_REASON_MAX);
	want[FWPROTO_REASON_MAX] = '\0';
	memcpy(want, "  lead spaces = and reason=inside", 33);
	strcpy(r.reason, want);
	n = journal_format(&r, buf, sizeof(buf));
	ok(n > 0 && buf[n - 1] == '\n', "formats with LF");
	is_int(journal_parse_line(buf, (size_t)n - 1, &back, &err), 1, "parses back");
	ok(back.when == r.when && back.until == r.until && back.since == r.since &&
	    back.seen == r.seen && addr_equal(&back.addr, &r.addr) &&
	    strcmp(back.reason, r.reason) == 0, "same record, reason of max length intact");
	is_int(journal_format(&r, buf, 40), -1, "short buffer refused");
}

/* journal_time() formats by hand: it must agree with gmtime + strftime on
 * the edges (epoch, leap days, centuries, year ends) and on a spread of
 * times from 1970 to 9999. */
static void test_time(void)
{
	static const time_t edges[] = { 0, 59, 86399, 86400, 68169599,
	    68169600, 951782400, 951868800, 1764331200, 4107542399LL,
	    4107542400LL, 4133894400LL, 253402300799LL, 253402300800LL };
	char got[32], want[32];
	struct tm tm;
	int bad = 0;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]) + 100000; i++) {
		time_t t = i < sizeof(edges) / sizeof(edges[0]) ? edges[i] :
		    (time_t)((i * 2654435761ULL) % 253402300800ULL);

		journal_time(t, got, sizeof(got));
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (strcmp(got, want) != 0 && bad++ < 3)
			diag("time %lld: %s, libc %s", (long long)t, got, want);
	}
	is_int(bad, 0, "journal_time agrees with gmtime + strftime");
	is_str(journal_time(1764331200, got, sizeof(got)), "2025-11-28T12:00:00Z",
	    "a known time");
}

static char dir[] = "/tmp/fwh-journal-XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

/* A journal from a clock years ahead: no block longer than a command
 * could ask for from now, none added in the future. */
static void test_ahead(void)
{
	char path[256];
	struct journal *j;
	struct blocktab *bt = blocktab_new(10, FWH_FULL_EVICT);
	const struct blocktab_entry *e;
	struct addr a;
	time_t now = 1764331200;        /* 2025-11-28T12:00:00Z */

	snprintf(path, sizeof(path), "%s/ahead", dir);
	write_file(path,
	    "2031-01-01T00:00:00Z add 192.0.2.9 until=2100-01-01T00:00:00Z "
	    "since=2031-01-01T00:00:00Z seen=1 reason=ahead\n");
	j = journal_open(path);
	is_int(journal_replay(j, bt, now), 1, "a record from years ahead applied");
	addr_parse(&a, "192.0.2.9");
	e = blocktab_get(bt, &a);
	ok(e != NULL && e->expires == now + FWPROTO_TTL_MAX && e->added == now,
	    "... held to now + %lld s, added now", (long long)FWPROTO_TTL_MAX);
	journal_close(j);
	blocktab_free(bt);
}

static void test_file(void)
{
	char path[256], line[512];
	struct journal *j;
	struct blocktab *bt = blocktab_new(1000, FWH_FULL_EVICT);
	struct addr a;
	time_t now = 1764331200;        /* 2025-11-28T12:00:00Z */
	FILE *fp;
	int lines = 0;

	snprintf(path, sizeof(path), "%s/journal", dir);
	write_file(path,
	    "# firewall-helper journal\n"
	    "2025-11-28T11:00:00Z add 192.0.2.1 until=2025-11-28T13:00:00Z seen=1 reason=a\n"
	    "2025-11-28T11:00:00Z add 192.0.2.2 until=2025-11-28T11:30:00Z reason=expired already\n"
	    "2025-11-28T11:00:00Z add 192.0.2.3 until=never reason=c\n"
	    "garbage in the middle\n"
	    "2025-11-28T11:10:00Z del 192.0.2.3 reason=operator\n"
	    "2025-11-28T11:20:00Z add 2001:db8::4 until=2025-11-29T00:00:00Z seen=2 reason=d\n"
	    "2025-11-28T11:30:00Z add 192.0.2.5 until=2025-11-29T00:00:00Z seen=1 rea");
	j = journal_open(path);
	ok(j != NULL, "open");
	is_int(journal_replay(j, bt, now), 5, "five records applied (bad and truncated skipped)");
	is_int(blocktab_count(bt), 2, "two live: expired, deleted, truncated are not");
	addr_parse(&a, "2001:db8::4");
	ok(blocktab_get(bt, &a) && blocktab_get(bt, &a)->seen == 2 &&
	    strcmp(blocktab_get(bt, &a)->reason, "d") == 0, "restored with seen and reason");
	addr_parse(&a, "192.0.2.5");
	ok(blocktab_get(bt, &a) == NULL, "truncated last line not applied");

	is_int(journal_compact(j, bt, now), 0, "compact");
	addr_parse(&a, "198.51.100.1");
	blocktab_add(bt, &a, now, 0, "after compaction", NULL, NULL);
	journal_add(j, blocktab_get(bt, &a), now);
	journal_del(j, &a, now + 1, "deleted");
	is_int(journal_flush(j), 0, "flush");
	is_int(journal_stats(j)->syncs, 1, "one fdatasync for the batch");
	journal_close(j);

	fp = fopen(path, "r");
	while (fgets(line, sizeof(line), fp))
		lines++;
	fclose(fp);
	is_int(lines, 1 + 2 + 2, "header, two live entries, two appended lines");

	blocktab_clear(bt);
	j = journal_open(path);
	is_int(journal_replay(j, bt, now), 4, "replay after compaction");
	is_int(blocktab_count(bt), 2, "same two live");
	journal_close(j);
	journal_close(NULL);
	blocktab_free(bt);
	unlink(path);
}

static void fp_append(const char *path, const char *text)
{
	FILE *fp = fopen(path, "a");

	fputs(text, fp);
	fclose(fp);
}

static const struct blocktab_entry *add_to(struct blocktab *bt, const char *ip,
    time_t now)
{
	struct addr a;

	addr_parse(&a, ip);
	blocktab_add(bt, &a, now, 0, "r", NULL, NULL);
	return blocktab_get(bt, &a);
}

static bool in_table(struct blocktab *bt, const char *ip)
{
	struct addr a;

	addr_parse(&a, ip);
	return blocktab_get(bt, &a) != NULL;
}

/* Replay cuts an unfinished last line off, so that the next append (no
 * compaction in between, as when compaction fails) starts a line. */
static void test_cut_on_replay(void)
{
	char path[256];
	struct journal *j;
	struct blocktab *bt = blocktab_new(1000, FWH_FULL_EVICT);
	time_t now = 1764331200;
	struct stat st;

	static const char whole[] =
	    "2025-11-28T11:00:00Z add 192.0.2.1 until=never seen=1 reason=a\n";

	snprintf(path, sizeof(path), "%s/journal.cut", dir);
	write_file(path, whole);
	fp_append(path, "2025-11-28T11:30:00Z add 192.0.2.5 until=never seen=1 rea");
	j = journal_open(path);
	is_int(journal_replay(j, bt, now), 1, "cut: the whole line applied");
	stat(path, &st);
	is_int((int)st.st_size, (int)strlen(whole),
	    "cut: the file ends after the last whole line");
	journal_add(j, add_to(bt, "192.0.2.9", now), now);
	is_int(journal_flush(j), 0, "cut: append");
	journal_close(j);
	blocktab_clear(bt);
	j = journal_open(path);
	is_int(journal_replay(j, bt, now), 2, "cut: both records replayed");
	ok(in_table(bt, "192.0.2.9"), "cut: the record appended after the cut is back");
	journal_close(j);
	blocktab_free(bt);
	unlink(path);
}

/* A write cut short in the middle of a line (RLIMIT_FSIZE), then more
 * pending than the journal keeps: the rest of that line is dropped, and
 * the record that overflowed starts a line of its own. */
static void test_cut_short_then_dropped(void)
{
	char path[256];
	struct journal *j;
	struct blocktab *bt = blocktab_new(1000, FWH_FULL_EVICT);
	time_t now = 1764331200;
	struct rlimit old, lim;
	struct stat st;
	const struct blocktab_entry *filler;
	unsigned long errs;
	long n = 0;

	snprintf(path, sizeof(path), "%s/journal.short", dir);
	j = journal_open(path);
	journal_add(j, add_to(bt, "192.0.2.1", now), now);
	is_int(journal_flush(j), 0, "short: first record written");
	stat(path, &st);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 30;         /* inside the next line */
	setrlimit(RLIMIT_FSIZE, &lim);
	journal_add(j, add_to(bt, "192.0.2.2", now), now);
	is_int(journal_flush(j), -1, "short: the write is cut short");
	filler = add_to(bt, "192.0.2.3", now);
	errs = journal_stats(j)->errors;
	while (journal_stats(j)->errors == errs && n < 10000000) {
		journal_add(j, filler, now);    /* until the pending data overflows */
		n++;
	}
	/* the record that overflowed is pending; one more after it */
	journal_add(j, add_to(bt, "192.0.2.4", now), now);
	setrlimit(RLIMIT_FSIZE, &old);
	is_int(journal_flush(j), 0, "short: written once there is room");
	journal_close(j);
	blocktab_clear(bt);
	j = journal_open(path);
	/* 192.0.2.1; the cut line skipped; the overflowing filler; .4 */
	is_int(journal_replay(j, bt, now), 3, "short: every whole record replayed");
	ok(in_table(bt, "192.0.2.3") && in_table(bt, "192.0.2.4"),
	    "short: the records after the dropped rest are back");
	ok(!in_table(bt, "192.0.2.2"), "short: the record cut short is not");
	journal_close(j);
	blocktab_free(bt);
	unlink(path);
}

int main(void)
{
	log_init("t-journal", 0, 0);        /* warnings expected: keep them off the TAP output */
	if (mkdtemp(dir) == NULL)
		skip_all("mkdtemp");
	test_parse();
	test_roundtrip();
	test_time();
	test_file();
	test_ahead();
	test_cut_on_replay();
	test_cut_short_then_dropped();
	rmdir(dir);
	return done_testing();
}
