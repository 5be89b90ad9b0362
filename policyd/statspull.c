/*
 * statspull.c - pull functions for stats.h (see statspull.h).
 */
#include "policyd/dns.h"
#include "policyd/stats.h"
#include "policyd/statspull.h"

static void pull_dns(void *arg)
{
	const struct dns *d = dns_current();
	struct dns_stats st;

	if (d == NULL)
		return;                 /* keep the last figures */
	dns_stats(d, &st);
	stats_set(STAT_DNS_LOOKUPS, st.lookups);
	stats_set(STAT_DNS_CACHE_HITS, st.cache_hits);
	stats_set(STAT_DNS_QUERIES, st.queries);
	stats_set(STAT_DNS_FAILURES, st.tempfail);
	stats_set(STAT_DNS_NOTFOUND, st.notfound);
	stats_set(STAT_G_DNS_INFLIGHT, st.inflight);
}

void statspull_init(void)
{
	stats_pull_add(pull_dns, NULL);
}
