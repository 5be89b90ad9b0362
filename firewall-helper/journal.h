/*
 * journal.h - the block table's journal: when, why, until.
 *
 * An append-only text file, one change per line, readable as it is:
 *
 *   2026-11-28T12:00:00Z add 192.0.2.7 until=2026-11-29T12:00:00Z since=2026-11-28T11:00:00Z seen=3 reason=dynamic dsl
 *   2026-11-28T13:00:00Z del 192.0.2.7 reason=operator
 *
 * Times are UTC; until=never for blocks without expiry; reason= takes the
 * rest of the line (printable ASCII, as fwproto allows).  Lines starting
 * with '#' and empty lines are ignored.
 *
 * Writes are buffered in memory and written and fdatasync'd together by
 * journal_flush(), which the helper calls once per batch, just before the
 * firewall commit.  When the file holds many more lines than live entries
 * (journal_should_compact) it is rewritten with one add line per live entry
 * (temporary file, fsync, rename, fsync of the directory).
 *
 * journal_parse_line() is the pure parser (no I/O, no logging), also used by
 * the fuzzer.  journal_replay() reads the file into a block table: bad lines
 * are skipped with a warning naming FILE:LINE; a last line without its LF
 * (a crash mid-write) is skipped with a warning.
 */
#ifndef FWH_JOURNAL_H
#define FWH_JOURNAL_H

#include <stddef.h>
#include <time.h>
#include "common/addr.h"
#include "common/fwproto.h"

struct blocktab;
struct blocktab_entry;

enum journal_op { JOURNAL_ADD, JOURNAL_DEL };

struct journal_rec {
	time_t when;
	enum journal_op op;
	struct addr addr;
	time_t until;           /* add: 0 = never */
	time_t since;           /* add: first added */
	unsigned long seen;     /* add */
	char reason[FWPROTO_REASON_MAX + 1];
};

/* 1: a record in *out; 0: a blank or comment line; -1: malformed (*err). */
int journal_parse_line(const char *line, size_t len, struct journal_rec *out,
    const char **err);
/* Format one record with its LF; returns length or -1 if size is short. */
int journal_format(const struct journal_rec *r, char *buf, size_t size);
/* "2026-11-28T12:00:00Z" (21 bytes with NUL). */
char *journal_time(time_t t, char *buf, size_t size);

struct journal_stats {
	unsigned long lines;            /* records in the file now */
	unsigned long writes;           /* records appended since start */
	unsigned long syncs;
	unsigned long compactions;
	unsigned long errors;
};

struct journal;

/* Open (creating) the file for appending; NULL on error (logged). */
struct journal *journal_open(const char *path);
void journal_close(struct journal *j);          /* flushes; NULL ok */
/* Replay into bt; entries expired at now are dropped.  Returns the number
 * of records applied, -1 if the file could not be read. */
long journal_replay(struct journal *j, struct blocktab *bt, time_t now);
void journal_add(struct journal *j, const struct blocktab_entry *e, time_t now);
void journal_del(struct journal *j, const struct addr *a, time_t now,
    const char *reason);
/* Write and fdatasync what is buffered; 0 or -1 (logged, kept for retry). */
int  journal_flush(struct journal *j);
int  journal_should_compact(const struct journal *j, size_t live);
/* Rewrite the file from bt; 0 or -1 (logged; the old file stays). */
int  journal_compact(struct journal *j, const struct blocktab *bt, time_t now);
const struct journal_stats *journal_stats(const struct journal *j);
const char *journal_path(const struct journal *j);

#endif
