/*
 * fwprom.c - unit test of firewall-helper/fwprom.c: the helper's plain
 * statistics turned into Prometheus text.
 */
#include <string.h>

#include "common/buf.h"
#include "firewall-helper/fwprom.h"
#include "t/tap.h"

static const struct {
	const char *in, *want;
} cases[] = {
	{ "added: 12\n", "# TYPE firewall_helper_added_total counter\nfirewall_helper_added_total 12\n" },
	{ "entries: 3\n", "# TYPE firewall_helper_entries gauge\nfirewall_helper_entries 3\n" },
	{ "backend_max_commit_ms: 1.250\n",
	  "# TYPE firewall_helper_backend_max_commit_ms gauge\nfirewall_helper_backend_max_commit_ms 1.250\n" },
	{ "journal_syncs 7", "# TYPE firewall_helper_journal_syncs_total counter\nfirewall_helper_journal_syncs_total 7\n" },
	{ "backend: iptables\nchain: POLICYD\n", "" },          /* not numbers */
	{ "Bad: 1\n", "" },
	{ "x: 1e3\n", "" },
	{ "x: .5\n", "" },
	{ "x: 5 apples\n", "" },
	{ "x:\n", "" },
	{ ": 5\n", "" },
	{ "", "" },
};

int main(void)
{
	struct buf b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, 4096);
		is_int(fwprom_format(cases[i].in, strlen(cases[i].in), &b), 0,
		    "case %zu: ok", i);
		buf_append(&b, "", 1);
		is_str(buf_head(&b), cases[i].want, "case %zu", i);
		buf_release(&b);
	}
	buf_init(&b, 20);
	is_int(fwprom_format("added: 1\n", 9, &b), -1, "output limit: -1");
	ok(buf_used(&b) == 0, "nothing half-written");
	buf_release(&b);
	ok(fwprom_gauges[0] != NULL, "gauge table");
	return done_testing();
}
