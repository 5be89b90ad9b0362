/*
 * stats.c - unit test of policyd/stats.c: counting, the mapping of actions
 * and classes, pull functions, and both report forms.
 */
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "policyd/stats.h"
#include "t/tap.h"

static const struct { const char *action; enum stat_action want; } acts[] = {
	{ "REJECT Dynamic IP", STAT_ACT_REJECT },
	{ "reject", STAT_ACT_REJECT },
	{ "554 5.7.1 go away", STAT_ACT_REJECT },
	{ "450 4.7.1 later", STAT_ACT_DEFER },
	{ "DEFER later", STAT_ACT_DEFER },
	{ "DEFER_IF_REJECT x", STAT_ACT_DEFER },
	{ "DEFER_IF_PERMIT Dynamic IP", STAT_ACT_DEFER_IF_PERMIT },
	{ "WARN would reject", STAT_ACT_WARN },
	{ "DUNNO", STAT_ACT_DUNNO },
	{ "DUNNO\n\n", STAT_ACT_DUNNO },       /* as conn.c passes a reply */
	{ "OK", STAT_ACT_OK },
	{ "OKAY", STAT_ACT_OTHER },
	{ "HOLD", STAT_ACT_OTHER },
	{ "4500 x", STAT_ACT_OTHER },
	{ "", STAT_ACT_OTHER },
	{ NULL, STAT_ACT_OTHER },
};

static const struct { const char *class; enum stat_class want; } clss[] = {
	{ "dynamic", STAT_CLS_DYNAMIC }, { "static", STAT_CLS_STATIC },
	{ "generic", STAT_CLS_GENERIC }, { "mail", STAT_CLS_MAIL },
	{ "none", STAT_CLS_NONE }, { "unknown", STAT_CLS_UNKNOWN },
	{ "Dynamic", STAT_CLS_UNCLASSIFIED }, { NULL, STAT_CLS_UNCLASSIFIED },
};

static void pull_fw(void *arg)
{
	int *calls = arg;

	(*calls)++;
	stats_set(STAT_G_FW_QUEUE, 7);
	stats_set(STAT_FW_QUEUED, 42);
}

/* The value of "name" in a report, or -1. */
static long long value_of(const struct buf *b, const char *name)
{
	char pat[128];
	const char *p;
	long long v;

	snprintf(pat, sizeof(pat), "\n%s ", name);
	/* the report starts with a line too: look at "\n" + text */
	if (strncmp(buf_head(b), pat + 1, strlen(pat + 1)) == 0)
		p = buf_head(b) - 1;
	else if ((p = strstr(buf_head(b), pat)) == NULL)
		return -1;
	if (sscanf(p + strlen(pat), "%lld", &v) != 1)
		return -1;
	return v;
}

/* Every line of a Prometheus report is a comment or "name{labels} value". */
static int prom_valid(const char *s)
{
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char line[512];

		if (n >= sizeof(line) || e == NULL)
			return 0;
		memcpy(line, s, n);
		line[n] = '\0';
		if (strncmp(line, "# HELP policyd_", 15) != 0 &&
		    strncmp(line, "# TYPE policyd_", 15) != 0) {
			char name[128], val[64];
			if (sscanf(line, "%127[a-z_]%*[{a-z_=\"}] %63s", name, val) != 2 &&
			    sscanf(line, "%127[a-z_] %63s", name, val) != 2)
				return 0;
			if (strncmp(name, "policyd_", 8) != 0 ||
			    strspn(val, "0123456789") != strlen(val))
				return 0;
		}
		s = e + 1;
	}
	return 1;
}

/*
 * The periodic summary line, every field at once: each counter holds a
 * value of its own, so a field left out, or two swapped, gives a line
 * other than the one expected.
 */
static void test_summary_fields(void)
{
	static const char want[] = "stats: requests=101 reject=2 defer=3 "
	    "defer_if_permit=4 warn=5 dunno=6 dynamic=7 static=8 "
	    "exceptions=9 deadline=10 malformed=11 conns=12 dns_failures=13 "
	    "fw_queued=14 fw_errors=15 fw_queue=16";
	char line[1024];
	int i;

	stats_reset();
	stats_add(STAT_REQUESTS, 101);
	for (i = 0; i < 2; i++)
		stats_answer("REJECT no", "dynamic");
	for (i = 0; i < 3; i++)
		stats_answer("450 4.7.1 later", "static");
	for (i = 0; i < 4; i++)
		stats_answer("DEFER_IF_PERMIT maybe", "mail");
	for (i = 0; i < 5; i++)
		stats_answer("WARN would reject", NULL);
	for (i = 0; i < 6; i++)
		stats_answer("DUNNO", "generic");
	for (i = 0; i < 5; i++)         /* classes apart from actions */
		stats_answer("OK", "dynamic");
	for (i = 0; i < 5; i++)
		stats_answer("HOLD", "static");
	stats_add(STAT_EXCEPTIONS, 9);
	stats_add(STAT_DEADLINE, 10);
	stats_add(STAT_MALFORMED, 11);
	stats_add(STAT_CONN_ACCEPTED, 20);      /* open: 20 - 8 */
	stats_add(STAT_CONN_CLOSED, 8);
	stats_add(STAT_DNS_FAILURES, 13);
	stats_add(STAT_FW_QUEUED, 14);
	stats_add(STAT_FW_ERRORS, 15);
	stats_set(STAT_G_FW_QUEUE, 16);
	stats_summary(line, sizeof(line));
	is_str(line, want, "summary: every field, each in its place");
	stats_reset();
}

int main(void)
{
	struct buf b;
	int calls = 0;
	char line[1024];

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		is_int(stats_action_of(acts[i].action), acts[i].want,
		    "action \"%s\"", acts[i].action ? acts[i].action : "(null)");
	for (size_t i = 0; i < sizeof(clss) / sizeof(clss[0]); i++)
		is_int(stats_class_of(clss[i].class), clss[i].want,
		    "class \"%s\"", clss[i].class ? clss[i].class : "(null)");

	stats_reset();
	stats_start(1000);
	for (int i = 0; i < 5; i++)
		stats_inc(STAT_REQUESTS);
	stats_add(STAT_DNS_LOOKUPS, 3);
	stats_inc(STAT_CONN_ACCEPTED);
	stats_inc(STAT_CONN_ACCEPTED);
	stats_inc(STAT_CONN_CLOSED);
	stats_answer("REJECT no", "dynamic");
	stats_answer("REJECT no", "static");
	stats_answer("DUNNO", NULL);
	is_int(stats_get(STAT_REQUESTS), 5, "stats_inc counts");
	is_int(stats_get(STAT_DNS_LOOKUPS), 3, "stats_add adds");
	is_int(stats_get(STAT_G_CONN_OPEN), 1, "connections open = accepted - closed");
	is_int(stats_get_action(STAT_ACT_REJECT), 2, "answers per action");
	is_int(stats_get_class(STAT_CLS_UNCLASSIFIED), 1, "answers without class");
	stats_inc((enum stat_id)STAT__COUNT);            /* ignored, no crash */

	stats_pull_add(pull_fw, &calls);
	stats_pull_add(pull_fw, &calls);                 /* once only */
	buf_init(&b, 64 * 1024);
	is_int(stats_format(&b, STATS_PLAIN, 1010), 0, "plain report fits");
	buf_append(&b, "", 1);
	is_int(calls, 1, "pull function called once per report");
	is_int(value_of(&b, "requests"), 5, "plain: requests");
	is_int(value_of(&b, "connections_open"), 1, "plain: connections_open");
	is_int(value_of(&b, "answer_reject"), 2, "plain: answer_reject");
	is_int(value_of(&b, "class_dynamic"), 1, "plain: class_dynamic");
	is_int(value_of(&b, "class_unclassified"), 1, "plain: class_unclassified");
	is_int(value_of(&b, "fw_queue"), 7, "plain: pulled gauge");
	is_int(value_of(&b, "fw_queued"), 42, "plain: pulled counter");
	is_int(value_of(&b, "uptime_seconds"), 10, "plain: uptime");
	{
		int lines = 0, bad = 0;
		for (const char *p = buf_head(&b); *p; p++)
			if (*p == '\n')
				lines++;
		for (const char *p = buf_head(&b); *p; ) {
			const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');
			if (!sp || !nl || sp > nl || strspn(sp + 1, "0123456789") != (size_t)(nl - sp - 1))
				bad++;
			p = nl ? nl + 1 : p + strlen(p);
		}
		is_int(lines, STAT__COUNT + STAT_ACT__COUNT + STAT_CLS__COUNT + 1,
		    "plain: one line per counter");
		is_int(bad, 0, "plain: every line is \"name value\"");
	}
	buf_release(&b);

	buf_init(&b, 64 * 1024);
	is_int(stats_format(&b, STATS_PROMETHEUS, 1010), 0, "prometheus report fits");
	buf_append(&b, "", 1);
	ok(prom_valid(buf_head(&b)), "prometheus: every line a comment or a sample");
	ok(strstr(buf_head(&b), "\npolicyd_requests_total 5\n") != NULL,
	    "prometheus: policyd_requests_total");
	ok(strstr(buf_head(&b), "# TYPE policyd_connections_open gauge\n") != NULL,
	    "prometheus: gauges typed gauge");
	ok(strstr(buf_head(&b), "\npolicyd_answers_total{action=\"reject\"} 2\n") != NULL,
	    "prometheus: answers labelled by action");
	ok(strstr(buf_head(&b), "\npolicyd_verdicts_total{class=\"static\"} 1\n") != NULL,
	    "prometheus: verdicts labelled by class");
	ok(strstr(buf_head(&b), "\npolicyd_start_time_seconds 1000\n") != NULL,
	    "prometheus: start time");
	buf_release(&b);

	buf_init(&b, 100);
	is_int(stats_format(&b, STATS_PLAIN, 1010), -1, "a report too big for the buffer: -1");
	ok(buf_used(&b) <= 100, "... and the buffer stays within its limit");
	buf_release(&b);

	stats_summary(line, sizeof(line));
	ok(strncmp(line, "stats: requests=5 reject=2 ", 27) == 0, "summary line: %s", line);
	ok(strstr(line, " fw_queue=7") != NULL, "summary: pulled values");

	{
		int before = calls;
		stats_pull_remove(pull_fw, &calls);
		stats_summary(line, sizeof(line));
		is_int(calls, before, "a removed pull function is not called");
	}
	stats_reset();
	is_int(stats_get(STAT_REQUESTS), 0, "stats_reset");
	test_summary_fields();
	return done_testing();
}
