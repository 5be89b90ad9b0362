/*
 * stats.c - the counters and their plain and Prometheus forms (see stats.h).
 *
 * Every counter is described once, in descs[]: its plain name, whether it
 * is a gauge, and its help text; the Prometheus name is derived
 * ("policyd_" NAME, "_total" for counters).  Answers and verdicts are two
 * labelled families.  Nothing here does I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "policyd/actions.h"
#include "policyd/stats.h"

struct stat_desc {
	const char *name;
	bool        gauge;
	const char *help;
};

static const struct stat_desc descs[STAT__COUNT] = {
	[STAT_REQUESTS]       = { "requests", false, "Requests received from Postfix." },
	[STAT_MALFORMED]      = { "requests_malformed", false, "Malformed requests (their connection was closed)." },
	[STAT_CONN_ACCEPTED]  = { "connections_accepted", false, "Connections accepted." },
	[STAT_CONN_CLOSED]    = { "connections_closed", false, "Connections closed." },
	[STAT_CONN_REFUSED]   = { "connections_refused", false, "Connections closed at once: max_connections reached." },
	[STAT_DEADLINE]       = { "answers_deadline", false, "Requests answered with default_action at the deadline." },
	[STAT_EXCEPTIONS]     = { "exceptions", false, "Requests passed by an exception." },
	[STAT_VCACHE_HITS]    = { "vcache_hits", false, "Verdict cache hits." },
	[STAT_VCACHE_MISSES]  = { "vcache_misses", false, "Verdict cache misses." },
	[STAT_DNS_LOOKUPS]    = { "dns_lookups", false, "DNS lookups asked for." },
	[STAT_DNS_CACHE_HITS] = { "dns_cache_hits", false, "DNS lookups answered from the cache." },
	[STAT_DNS_QUERIES]    = { "dns_queries", false, "DNS queries sent to a name server." },
	[STAT_DNS_FAILURES]   = { "dns_failures", false, "DNS lookups that failed temporarily or timed out." },
	[STAT_DNS_NOTFOUND]   = { "dns_notfound", false, "DNS lookups answered NXDOMAIN or NODATA." },
	[STAT_FW_QUEUED]      = { "fw_queued", false, "Block commands queued for firewall-helper." },
	[STAT_FW_ACKED]       = { "fw_acked", false, "Block commands firewall-helper answered OK." },
	[STAT_FW_ERRORS]      = { "fw_errors", false, "Block commands refused by firewall-helper, and bad replies." },
	[STAT_FW_DROPPED]     = { "fw_dropped", false, "Block commands dropped because the queue was full." },
	[STAT_FW_RECONNECTS]  = { "fw_reconnects", false, "Connections to firewall-helper after the first." },
	[STAT_G_CONN_OPEN]    = { "connections_open", true, "Connections open now." },
	[STAT_G_DNS_INFLIGHT] = { "dns_inflight", true, "DNS queries waiting for an answer." },
	[STAT_G_DNS_CACHE_ENTRIES] = { "dns_cache_entries", true, "DNS answers in the cache." },
	[STAT_G_DNS_CACHE_BYTES] = { "dns_cache_bytes", true, "Bytes those answers take (at most dns.cache_size times 384)." },
	[STAT_G_FW_QUEUE]     = { "fw_queue", true, "Block commands waiting for firewall-helper." },
	[STAT_G_FW_CONNECTED] = { "fw_connected", true, "1 while connected to firewall-helper." },
};

static const char *const action_names[STAT_ACT__COUNT] = {
	"reject", "defer", "defer_if_permit", "warn", "dunno", "ok", "other"
};
static const char *const class_names[STAT_CLS__COUNT] = {
	"dynamic", "static", "generic", "mail", "none", "unknown", "unclassified"
};

struct puller {
	stats_pull_fn *fn;
	void *arg;
};

static unsigned long long values[STAT__COUNT];
static unsigned long long actions[STAT_ACT__COUNT];
static unsigned long long classes[STAT_CLS__COUNT];
static struct puller *pullers;
static size_t npullers;
static time_t started;

void stats_inc(enum stat_id id)
{
	if ((unsigned)id < STAT__COUNT)
		values[id]++;
}

void stats_add(enum stat_id id, unsigned long long n)
{
	if ((unsigned)id < STAT__COUNT)
		values[id] += n;
}

void stats_set(enum stat_id id, unsigned long long v)
{
	if ((unsigned)id < STAT__COUNT)
		values[id] = v;
}

unsigned long long stats_get(enum stat_id id)
{
	if (id == STAT_G_CONN_OPEN)
		return values[STAT_CONN_ACCEPTED] >= values[STAT_CONN_CLOSED] ?
		    values[STAT_CONN_ACCEPTED] - values[STAT_CONN_CLOSED] : 0;
	return (unsigned)id < STAT__COUNT ? values[id] : 0;
}

/* The first word of an action, as Postfix's access(5) reads it. */
enum stat_action stats_action_of(const char *action)
{
	if (action == NULL)
		return STAT_ACT_OTHER;
	switch (action_verb(action)) {
	case AV_DUNNO:
		return STAT_ACT_DUNNO;
	case AV_REJECT: case AV_CODE5:
		return STAT_ACT_REJECT;
	case AV_DEFER: case AV_DEFER_IF_REJECT: case AV_CODE4:
		return STAT_ACT_DEFER;
	case AV_DEFER_IF_PERMIT:
		return STAT_ACT_DEFER_IF_PERMIT;
	case AV_WARN:
		return STAT_ACT_WARN;
	case AV_OK:
		return STAT_ACT_OK;
	default:
		return STAT_ACT_OTHER;
	}
}

enum stat_class stats_class_of(const char *class)
{
	if (class == NULL)
		return STAT_CLS_UNCLASSIFIED;
	/* first letters first: one strcmp per answer, not up to six */
	for (int i = 0; i < STAT_CLS_UNCLASSIFIED; i++)
		if (class[0] == class_names[i][0] &&
		    strcmp(class, class_names[i]) == 0)
			return (enum stat_class)i;
	return STAT_CLS_UNCLASSIFIED;
}

void stats_answer(const char *action, const char *class)
{
	actions[stats_action_of(action)]++;
	classes[stats_class_of(class)]++;
}

unsigned long long stats_get_action(enum stat_action a)
{
	return (unsigned)a < STAT_ACT__COUNT ? actions[a] : 0;
}

unsigned long long stats_get_class(enum stat_class c)
{
	return (unsigned)c < STAT_CLS__COUNT ? classes[c] : 0;
}

const char *stats_name(enum stat_id id)
{
	return (unsigned)id < STAT__COUNT ? descs[id].name : "?";
}

void stats_pull_add(stats_pull_fn *fn, void *arg)
{
	for (size_t i = 0; i < npullers; i++)
		if (pullers[i].fn == fn && pullers[i].arg == arg)
			return;
	pullers = xreallocarray(pullers, npullers + 1, sizeof(*pullers));
	pullers[npullers].fn = fn;
	pullers[npullers].arg = arg;
	npullers++;
}

void stats_pull_remove(stats_pull_fn *fn, void *arg)
{
	for (size_t i = 0; i < npullers; i++)
		if (pullers[i].fn == fn && pullers[i].arg == arg) {
			memmove(&pullers[i], &pullers[i + 1],
			    (npullers - i - 1) * sizeof(*pullers));
			npullers--;
			return;
		}
}

void stats_pull(void)
{
	for (size_t i = 0; i < npullers; i++)
		pullers[i].fn(pullers[i].arg);
}

void stats_start(time_t now)
{
	started = now;
}

void stats_reset(void)
{
	memset(values, 0, sizeof(values));
	memset(actions, 0, sizeof(actions));
	memset(classes, 0, sizeof(classes));
	free(pullers);
	pullers = NULL;
	npullers = 0;
}

__attribute__((format(printf, 2, 3)))
static int appendf(struct buf *out, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return buf_append(out, line, (size_t)n);
}

static int format_plain(struct buf *out, time_t now)
{
	int rc = 0;

	for (int i = 0; i < STAT__COUNT; i++)
		rc |= appendf(out, "%s %llu\n", descs[i].name,
		    stats_get((enum stat_id)i));
	for (int i = 0; i < STAT_ACT__COUNT; i++)
		rc |= appendf(out, "answer_%s %llu\n", action_names[i], actions[i]);
	for (int i = 0; i < STAT_CLS__COUNT; i++)
		rc |= appendf(out, "class_%s %llu\n", class_names[i], classes[i]);
	rc |= appendf(out, "uptime_seconds %lld\n",
	    started && now > started ? (long long)(now - started) : 0LL);
	return rc ? -1 : 0;
}

static int format_prometheus(struct buf *out)
{
	int rc = 0;

	for (int i = 0; i < STAT__COUNT; i++) {
		const struct stat_desc *d = &descs[i];
		const char *suffix = d->gauge ? "" : "_total";

		rc |= appendf(out, "# HELP policyd_%s%s %s\n"
		    "# TYPE policyd_%s%s %s\npolicyd_%s%s %llu\n",
		    d->name, suffix, d->help, d->name, suffix,
		    d->gauge ? "gauge" : "counter", d->name, suffix,
		    stats_get((enum stat_id)i));
	}
	rc |= appendf(out, "# HELP policyd_answers_total Answers sent to "
	    "Postfix, by the first word of the action.\n"
	    "# TYPE policyd_answers_total counter\n");
	for (int i = 0; i < STAT_ACT__COUNT; i++)
		rc |= appendf(out, "policyd_answers_total{action=\"%s\"} %llu\n",
		    action_names[i], actions[i]);
	rc |= appendf(out, "# HELP policyd_verdicts_total Answers sent to "
	    "Postfix, by verdict class.\n"
	    "# TYPE policyd_verdicts_total counter\n");
	for (int i = 0; i < STAT_CLS__COUNT; i++)
		rc |= appendf(out, "policyd_verdicts_total{class=\"%s\"} %llu\n",
		    class_names[i], classes[i]);
	rc |= appendf(out, "# HELP policyd_start_time_seconds Start time of "
	    "the process since the Unix epoch.\n"
	    "# TYPE policyd_start_time_seconds gauge\n"
	    "policyd_start_time_seconds %lld\n", (long long)started);
	return rc ? -1 : 0;
}

int stats_format(struct buf *out, enum stats_form form, time_t now)
{
	stats_pull();
	return form == STATS_PROMETHEUS ? format_prometheus(out) :
	    format_plain(out, now);
}

void stats_summary(char *dst, size_t size)
{
	stats_pull();
	snprintf(dst, size, "stats: requests=%llu reject=%llu defer=%llu "
	    "defer_if_permit=%llu warn=%llu dunno=%llu dynamic=%llu "
	    "static=%llu exceptions=%llu deadline=%llu malformed=%llu "
	    "conns=%llu dns_failures=%llu fw_queued=%llu fw_errors=%llu "
	    "fw_queue=%llu",
	    values[STAT_REQUESTS], actions[STAT_ACT_REJECT],
	    actions[STAT_ACT_DEFER], actions[STAT_ACT_DEFER_IF_PERMIT],
	    actions[STAT_ACT_WARN], actions[STAT_ACT_DUNNO],
	    classes[STAT_CLS_DYNAMIC], classes[STAT_CLS_STATIC],
	    values[STAT_EXCEPTIONS], values[STAT_DEADLINE],
	    values[STAT_MALFORMED], stats_get(STAT_G_CONN_OPEN),
	    values[STAT_DNS_FAILURES], values[STAT_FW_QUEUED],
	    values[STAT_FW_ERRORS], values[STAT_G_FW_QUEUE]);
}
