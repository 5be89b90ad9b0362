/*
 * stats.h - policyd's counters, and their two text forms.
 *
 * One set of counters per process (file statics: one event loop, no
 * threads).  Modules count what happens where it happens:
 *
 *     stats_inc(STAT_REQUESTS);                  a request came in
 *     stats_answer(res->action, res->class);     an answer went out
 *
 * Values kept by other modules (the DNS cache's hits, the helper client's
 * queue) are pulled rather than pushed: a module registers a pull function
 * with stats_pull_add(), which is called before every report and copies
 * its figures in with stats_set().  Counters only grow (until the process
 * ends); gauges (STAT_G_*) say how things are now.
 *
 * stats_format() is pure: it appends the report to a bounded buffer and
 * does no I/O.  Plain form: one "name value" line per counter, names as in
 * stats_name().  Prometheus form: the text exposition format (# HELP,
 * # TYPE, policyd_*_total counters, labelled answers and verdicts).  Both
 * end with their last line; the status socket closes after the report.
 */
#ifndef POLICYD_STATS_H
#define POLICYD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct buf;

enum stat_id {
	/* counters */
	STAT_REQUESTS,          /* complete requests from Postfix */
	STAT_MALFORMED,         /* malformed requests (connection closed) */
	STAT_CONN_ACCEPTED,     /* connections taken over */
	STAT_CONN_CLOSED,       /* ... and closed again */
	STAT_CONN_REFUSED,      /* closed at once: max_connections */
	STAT_DEADLINE,          /* answered with default_action at the deadline */
	STAT_EXCEPTIONS,        /* passed by an exception */
	STAT_VCACHE_HITS,       /* verdict cache */
	STAT_VCACHE_MISSES,
	STAT_DNS_LOOKUPS,       /* asked of the resolver module */
	STAT_DNS_CACHE_HITS,
	STAT_DNS_QUERIES,       /* sent to a name server */
	STAT_DNS_FAILURES,      /* temporary failures and timeouts */
	STAT_DNS_NOTFOUND,      /* NXDOMAIN / NODATA */
	STAT_FW_QUEUED,         /* block commands for the helper */
	STAT_FW_ACKED,          /* ... answered OK */
	STAT_FW_ERRORS,         /* ... answered ERR, or bad replies */
	STAT_FW_DROPPED,        /* ... dropped: queue full */
	STAT_FW_RECONNECTS,
	/* gauges */
	STAT_G_CONN_OPEN,       /* derived: accepted - closed */
	STAT_G_DNS_INFLIGHT,
	STAT_G_DNS_CACHE_ENTRIES,
	STAT_G_DNS_CACHE_BYTES,
	STAT_G_FW_QUEUE,        /* commands waiting for the helper */
	STAT_G_FW_CONNECTED,    /* 1 while connected to the helper */
	STAT__COUNT
};

/* Answers, by the first word of the action. */
enum stat_action {
	STAT_ACT_REJECT,        /* REJECT, 5NN */
	STAT_ACT_DEFER,         /* DEFER, DEFER_IF_REJECT, 4NN */
	STAT_ACT_DEFER_IF_PERMIT,
	STAT_ACT_WARN,
	STAT_ACT_DUNNO,
	STAT_ACT_OK,
	STAT_ACT_OTHER,         /* HOLD, DISCARD, PREPEND, ... */
	STAT_ACT__COUNT
};

/* Verdict classes of DESIGN.md; UNCLASSIFIED when the answer had none
 * (exception, mode off, deadline). */
enum stat_class {
	STAT_CLS_DYNAMIC, STAT_CLS_STATIC, STAT_CLS_GENERIC, STAT_CLS_MAIL,
	STAT_CLS_NONE, STAT_CLS_UNKNOWN, STAT_CLS_UNCLASSIFIED,
	STAT_CLS__COUNT
};

enum stats_form { STATS_PLAIN, STATS_PROMETHEUS };

typedef void stats_pull_fn(void *arg);

void stats_inc(enum stat_id id);
void stats_add(enum stat_id id, unsigned long long n);
void stats_set(enum stat_id id, unsigned long long v);
unsigned long long stats_get(enum stat_id id);
/* Count one answer; class may be NULL. */
void stats_answer(const char *action, const char *class);
unsigned long long stats_get_action(enum stat_action a);
unsigned long long stats_get_class(enum stat_class c);
enum stat_action stats_action_of(const char *action);
enum stat_class stats_class_of(const char *class);

/* Register fn to be called before each report (same fn+arg once only). */
void stats_pull_add(stats_pull_fn *fn, void *arg);
void stats_pull_remove(stats_pull_fn *fn, void *arg);
void stats_pull(void);                  /* call them all */

/* The plain name of a counter ("requests", "dns_cache_hits"). */
const char *stats_name(enum stat_id id);

/* Append the report (pulls first); 0, or -1 when out is at its limit. */
int  stats_format(struct buf *out, enum stats_form form, time_t now);
/* One line for the periodic log: "requests=N reject=N ..." (pulls first). */
void stats_summary(char *dst, size_t size);

/* Start time (uptime in reports); stats_reset() zeroes every counter and
 * forgets the pull functions (tests). */
void stats_start(time_t now);
void stats_reset(void);

#endif
