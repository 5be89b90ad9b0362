/*
 * journal.c - the journal file: buffered appends, batched fdatasync,
 * replay at start, compaction (format and parser: journal_parse.c).
 *
 * Ownership: the journal owns its fd and its pending-write buffer.  A write
 * or sync error is logged once per failure and the data is kept for the
 * next journal_flush(), up to PENDING_MAX bytes, after which the oldest
 * pending data is dropped and counted as an error (the kernel still holds
 * the rules; only restart knowledge is lost).  A line is never glued to
 * another: when the file ends inside a line (a write cut short, then its
 * rest dropped; a crash mid-write), the next data starts with a newline
 * or replay cuts the file back to its last whole line.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fwproto.h"
#include "common/log.h"
#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "firewall-helper/blocktab.h"
#include "firewall-helper/journal.h"

#define PENDING_MAX   (32u << 20)
#define COMPACT_SLACK 10000     /* lines beyond 2 x live before compacting */

struct journal {
	char  *path;
	int    fd;
	char  *pend;
	size_t plen, pcap;
	bool   midline;             /* the file ends inside a line, which
	                               the head of pend continues */
	struct journal_stats st;
};

struct journal *journal_open(const char *path)
{
	struct journal *j;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1) {
		log_warn("journal: open %s", path);
		return NULL;
	}
	j = xcalloc(1, sizeof(*j));
	j->path = xstrdup(path);
	j->fd = fd;
	return j;
}

const char *journal_path(const struct journal *j) { return j->path; }
const struct journal_stats *journal_stats(const struct journal *j) { return &j->st; }

static void pend_append(struct journal *j, const char *s, size_t n)
{
	if (j->plen + n > PENDING_MAX) {
		log_warnx("journal: %zu bytes could not be written, dropped", j->plen);
		j->st.errors++;
		j->plen = 0;
		if (j->midline)         /* end the line cut short, skipped at replay */
			pend_append(j, "\n", 1);
	}
	if (j->plen + n > j->pcap) {
		while (j->plen + n > j->pcap)
			j->pcap = j->pcap ? j->pcap * 2 : 65536;
		j->pend = xreallocarray(j->pend, j->pcap, 1);
	}
	memcpy(j->pend + j->plen, s, n);
	j->plen += n;
}

static void put_rec(struct journal *j, const struct journal_rec *r)
{
	char line[FWPROTO_REASON_MAX + 256];
	int n = journal_format(r, line, sizeof(line));

	if (n > 0) {
		pend_append(j, line, (size_t)n);
		j->st.writes++;
		j->st.lines++;
	}
}

static void rec_from_entry(struct journal_rec *r, const struct blocktab_entry *e,
    time_t now)
{
	memset(r, 0, sizeof(*r));
	r->when = now;
	r->op = JOURNAL_ADD;
	r->addr = e->addr;
	r->until = e->expires;
	r->since = e->added;
	r->seen = e->seen;
	str_copy(r->reason, sizeof(r->reason), e->reason);
}

void journal_add(struct journal *j, const struct blocktab_entry *e, time_t now)
{
	struct journal_rec r;

	if (j == NULL)
		return;
	rec_from_entry(&r, e, now);
	put_rec(j, &r);
}

void journal_del(struct journal *j, const struct addr *a, time_t now,
    const char *reason)
{
	struct journal_rec r;

	if (j == NULL)
		return;
	memset(&r, 0, sizeof(r));
	r.when = now;
	r.op = JOURNAL_DEL;
	r.addr = *a;
	snprintf(r.reason, sizeof(r.reason), "%s", reason ? reason : "");
	put_rec(j, &r);
}

int journal_flush(struct journal *j)
{
	size_t off = 0;

	if (j == NULL || j->plen == 0)
		return 0;
	while (off < j->plen) {
		ssize_t w = write(j->fd, j->pend + off, j->plen - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			log_warn("journal: write %s", j->path);
			j->st.errors++;
			if (off > 0)
				j->midline = j->pend[off - 1] != '\n';
			memmove(j->pend, j->pend + off, j->plen - off);
			j->plen -= off;
			return -1;
		}
		off += (size_t)w;
	}
	j->plen = 0;
	j->midline = false;     /* records end with a newline */
	if (fdatasync(j->fd) == -1) {
		log_warn("journal: fdatasync %s", j->path);
		j->st.errors++;
		return -1;
	}
	j->st.syncs++;
	return 0;
}

int journal_should_compact(const struct journal *j, size_t live)
{
	return j != NULL && j->st.lines > 2 * live + COMPACT_SLACK;
}

/* A record as the block it was, but no block longer than a command could
 * ask for from now, nor added later than now: a journal written while the
 * clock ran years ahead (or edited by hand) would otherwise hold blocks
 * for a decade, past what the backends take (nftables refuses timeouts
 * from about 3 years on). */
static void apply(struct blocktab *bt, const struct journal_rec *r,
    time_t now)
{
	struct blocktab_entry e;

	if (r->op == JOURNAL_DEL) {
		blocktab_del(bt, &r->addr);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.addr = r->addr;
	e.added = r->since;
	e.updated = r->when;
	e.expires = r->until;
	if (e.expires > now + FWPROTO_TTL_MAX)
		e.expires = now + FWPROTO_TTL_MAX;
	if (e.added > now)
		e.added = now;
	e.seen = r->seen;
	e.reason = (char *)(uintptr_t)r->reason;        /* copied by restore */
	blocktab_restore(bt, &e);
}

long journal_replay(struct journal *j, struct blocktab *bt, time_t now)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0, bad = 0;
	long applied = 0;
	off_t whole = 0;                /* bytes up to the last whole line */
	struct journal_rec r;
	const char *err;

	if ((fp = fopen(j->path, "re")) == NULL) {
		log_warn("journal: read %s", j->path);
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			log_warnx("journal: %s:%lu: last line has no end (truncated "
			    "by a crash?), skipped and cut off", j->path, lineno);
			bad++;
			/* the next append must not continue it */
			if (ftruncate(j->fd, whole) == -1) {
				log_warn("journal: truncate %s", j->path);
				j->midline = true;
				pend_append(j, "\n", 1);
			}
			break;
		}
		whole += n;
		line[--n] = '\0';
		switch (journal_parse_line(line, (size_t)n, &r, &err)) {
		case 1:
			apply(bt, &r, now);
			applied++;
			break;
		case 0:
			break;
		default:
			log_warnx("journal: %s:%lu: %s, line skipped", j->path,
			    lineno, err);
			bad++;
		}
	}
	if (ferror(fp))
		log_warn("journal: read %s", j->path);
	free(line);
	fclose(fp);
	blocktab_expire(bt, now, NULL, NULL);
	j->st.lines = lineno;
	log_info("journal: %s: %lu lines, %ld records, %lu skipped, %zu live",
	    j->path, lineno, applied, bad, blocktab_count(bt));
	return applied;
}

static int fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd, rc = 0;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1)
		rc = -1;
	if (fd != -1)
		close(fd);
	free(copy);
	return rc;
}

int journal_compact(struct journal *j, const struct blocktab *bt, time_t now)
{
	char *tmp;
	FILE *fp;
	int fd, nfd;
	char ts[32];
	struct journal_rec r;
	char line[FWPROTO_REASON_MAX + 256];
	size_t n = blocktab_count(bt);

	if (j == NULL)
		return 0;
	if (journal_flush(j) == -1)
		return -1;
	tmp = xasprintf("%s.tmp", j->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL) {
		log_warn("journal: compact: create %s", tmp);
		if (fd != -1)
			close(fd);
		free(tmp);
		j->st.errors++;
		return -1;
	}
	fprintf(fp, "# firewall-helper journal, compacted %s, %zu entries\n",
	    journal_time(now, ts, sizeof(ts)), n);
	for (size_t i = 0; i < n; i++) {
		rec_from_entry(&r, blocktab_at(bt, i), now);
		if (journal_format(&r, line, sizeof(line)) > 0)
			fputs(line, fp);
	}
	if (fflush(fp) == EOF || fdatasync(fd) == -1) {
		log_warn("journal: compact: write %s", tmp);
		fclose(fp);
		unlink(tmp);
		free(tmp);
		j->st.errors++;
		return -1;
	}
	fclose(fp);
	if (rename(tmp, j->path) == -1) {
		log_warn("journal: compact: rename %s", tmp);
		unlink(tmp);
		free(tmp);
		j->st.errors++;
		return -1;
	}
	free(tmp);
	if (fsync_dir(j->path) == -1)
		log_warn("journal: compact: fsync directory of %s", j->path);
	nfd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (nfd == -1) {
		log_warn("journal: reopen %s", j->path);
		j->st.errors++;
		return -1;
	}
	close(j->fd);
	j->fd = nfd;
	j->st.lines = n + 1;
	j->st.compactions++;
	return 0;
}

void journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	journal_flush(j);
	close(j->fd);
	free(j->pend);
	free(j->path);
	free(j);
}
