/*
 * t/blocktab.c - the block table (and its hash map): add, refresh (never
 * shortens), delete, expiry order, eviction and refusal when full, export,
 * many entries with deletes in between; the never_block guard.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "firewall-helper/addrmap.h"
#include "firewall-helper/blocktab.h"
#include "firewall-helper/fwconf.h"
#include "firewall-helper/fwguard.h"
#include "t/tap.h"

static struct addr A(const char *s)
{
	struct addr a;

	memset(&a, 0, sizeof(a));
	if (addr_parse(&a, s) == -1) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
	return a;
}

static struct addr nth(unsigned i, bool v6)
{
	char s[64];

	if (v6)
		snprintf(s, sizeof(s), "2001:db8::%x:%x", i >> 16, i & 0xffff);
	else
		snprintf(s, sizeof(s), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	return A(s);
}

static void expired_cb(const struct blocktab_entry *e, void *arg)
{
	char *log = arg, b[ADDR_STRLEN];

	strcat(log, addr_format(&e->addr, b, sizeof(b)));
	strcat(log, " ");
}

static void test_basic(void)
{
	struct blocktab *bt = blocktab_new(10, FWH_FULL_EVICT);
	struct addr a = A("192.0.2.7"), b = A("2001:db8::7");
	const struct blocktab_entry *e;

	is_int(blocktab_add(bt, &a, 100, 200, "dyn", NULL, NULL), BT_ADDED, "add");
	is_int(blocktab_add(bt, &b, 100, 0, "static", NULL, NULL), BT_ADDED, "add v6 forever");
	is_int(blocktab_count(bt), 2, "two entries");
	e = blocktab_get(bt, &a);
	ok(e && e->seen == 1 && e->expires == 200 && strcmp(e->reason, "dyn") == 0,
	    "entry as added");
	is_int(blocktab_add(bt, &a, 150, 400, "again", NULL, NULL), BT_REFRESHED, "re-add refreshes");
	e = blocktab_get(bt, &a);
	ok(e->seen == 2 && e->expires == 400 && e->added == 100 && e->updated == 150 &&
	    strcmp(e->reason, "again") == 0, "refresh: seen, expiry, newest reason, first added kept");
	blocktab_add(bt, &a, 160, 300, "shorter", NULL, NULL);
	is_int(blocktab_get(bt, &a)->expires, 400, "a refresh never shortens");
	blocktab_add(bt, &a, 170, 0, "forever", NULL, NULL);
	is_int(blocktab_get(bt, &a)->expires, 0, "refresh to never");
	blocktab_add(bt, &a, 180, 500, "x", NULL, NULL);
	is_int(blocktab_get(bt, &a)->expires, 0, "never stays never");
	ok(blocktab_del(bt, &a), "delete");
	ok(!blocktab_del(bt, &a), "delete again: absent");
	ok(blocktab_get(bt, &a) == NULL, "gone");
	ok(blocktab_get(bt, &b) != NULL, "the other stays");
	struct addr mapped = A("::ffff:192.0.2.9"), plain = A("192.0.2.9");
	blocktab_add(bt, &mapped, 1, 0, "", NULL, NULL);
	ok(blocktab_get(bt, &plain) != NULL, "mapped IPv6 is the IPv4 entry");
	blocktab_free(bt);
	blocktab_free(NULL);
}

static void test_expiry(void)
{
	struct blocktab *bt = blocktab_new(100, FWH_FULL_EVICT);
	struct addr a = A("192.0.2.1"), b = A("192.0.2.2"), c = A("192.0.2.3");
	char log[256] = "";

	blocktab_add(bt, &a, 0, 30, "", NULL, NULL);
	blocktab_add(bt, &b, 0, 10, "", NULL, NULL);
	blocktab_add(bt, &c, 0, 20, "", NULL, NULL);
	is_int(blocktab_next_expiry(bt), 10, "next expiry is the earliest");
	blocktab_add(bt, &b, 5, 40, "", NULL, NULL);         /* refresh b */
	is_int(blocktab_next_expiry(bt), 20, "after refresh the stale heap item is skipped");
	is_int(blocktab_expire(bt, 20, expired_cb, log), 0, "none at 20 (expires 20 lasts through it)");
	is_int(blocktab_expire(bt, 25, expired_cb, log), 1, "one expired at 25");
	is_str(log, "192.0.2.3 ", "the right one");
	log[0] = '\0';
	is_int(blocktab_expire(bt, 40, expired_cb, log), 1, "at 40: the one expiring at 30");
	is_int(blocktab_expire(bt, 41, expired_cb, log), 1, "at 41: the one expiring at 40 (it lasts through its last second)");
	is_int(blocktab_count(bt), 0, "table empty");
	is_int(blocktab_next_expiry(bt), 0, "nothing expires");
	blocktab_add(bt, &a, 0, 0, "", NULL, NULL);
	is_int(blocktab_expire(bt, 1 << 30, NULL, NULL), 0, "never does not expire");
	blocktab_free(bt);
}

static void test_full(void)
{
	struct blocktab *bt = blocktab_new(3, FWH_FULL_EVICT);
	struct blocktab_entry ev;
	bool did;
	struct addr x = A("198.51.100.9");
	char b[ADDR_STRLEN];

	for (unsigned i = 0; i < 3; i++) {
		struct addr a = nth(i, false);
		blocktab_add(bt, &a, 0, 100 - (time_t)i * 10, "r", NULL, NULL);
	}
	is_int(blocktab_add(bt, &x, 1, 500, "new", &ev, &did), BT_ADDED, "full + evict: added");
	ok(did, "an entry was evicted");
	is_str(addr_format(&ev.addr, b, sizeof(b)), "10.0.0.2", "the one expiring soonest");
	free(ev.reason);
	is_int(blocktab_count(bt), 3, "still at the limit");
	struct addr r = A("198.51.100.9");
	is_int(blocktab_add(bt, &r, 2, 600, "re", &ev, &did), BT_REFRESHED, "refresh when full");
	ok(!did, "a refresh evicts nothing");

	blocktab_set_limit(bt, 3, FWH_FULL_REFUSE);
	struct addr y = A("198.51.100.10");
	is_int(blocktab_add(bt, &y, 3, 700, "", &ev, &did), BT_FULL, "full + refuse: BT_FULL");
	ok(blocktab_get(bt, &y) == NULL, "not added");
	blocktab_set_limit(bt, 1, FWH_FULL_REFUSE);
	while (blocktab_count(bt) > blocktab_max(bt) && blocktab_evict(bt, &ev))
		free(ev.reason);
	is_int(blocktab_count(bt), 1, "lowering the limit: evicted down to it");
	blocktab_free(bt);
}

static void test_many(void)
{
	enum { N = 50000 };
	struct blocktab *bt = blocktab_new(N, FWH_FULL_EVICT);
	struct fw_entry *all;
	size_t n, bad = 0;

	for (unsigned i = 0; i < N; i++) {
		struct addr a = nth(i, i & 1);
		blocktab_add(bt, &a, 0, 1000 + i, "", NULL, NULL);
	}
	is_int(blocktab_count(bt), N, "50000 entries");
	for (unsigned i = 0; i < N; i += 2) {
		struct addr a = nth(i, i & 1);
		blocktab_del(bt, &a);
	}
	for (unsigned i = 0; i < N; i++) {
		struct addr a = nth(i, i & 1);
		const struct blocktab_entry *e = blocktab_get(bt, &a);
		if ((i % 2 == 0) != (e == NULL) || (e && e->expires != 1000 + (time_t)i))
			bad++;
	}
	is_int(bad, 0, "every other deleted, the rest found with their data");
	n = blocktab_export(bt, &all);
	is_int(n, N / 2, "export has every live entry");
	free(all);
	is_int(blocktab_expire(bt, 1000 + N / 2, NULL, NULL), N / 4, "expiry by time");
	blocktab_free(bt);
}

static void test_addrmap(void)
{
	struct addrmap *m = addrmap_new(0);
	uint32_t v;
	size_t pos = 0, cnt = 0;
	struct addr a;

	for (unsigned i = 0; i < 1000; i++) {
		a = nth(i, false);
		addrmap_put(m, &a, i);
	}
	a = nth(500, false);
	ok(addrmap_get(m, &a, &v) && v == 500, "get");
	for (unsigned i = 0; i < 1000; i += 3) {
		a = nth(i, false);
		addrmap_del(m, &a);
	}
	while (addrmap_next(m, &pos, &a, &v))
		cnt++;
	is_int(cnt, addrmap_count(m), "iteration sees every key");
	is_int(addrmap_count(m), 666, "count after deletes");
	a = nth(999, false);
	ok(!addrmap_get(m, &a, NULL), "deleted key gone");
	a = nth(998, false);
	ok(addrmap_get(m, &a, &v) && v == 998, "neighbour still found");
	addrmap_free(m);
}

static void test_guard(void)
{
	struct fwh_config cfg;
	struct cidr c;
	const struct cidr *r;
	struct addr own[2] = { A("203.0.113.5"), A("2001:db8:1::5") }, a;
	char b[64];

	memset(&cfg, 0, sizeof(cfg));
	cidr_parse(&c, "192.168.0.0/16", NULL);
	cfg.never = &c;
	cfg.nnever = 1;
	fwguard_set(&cfg);
	fwguard_set_own(own, 2);
	static const struct { const char *ip, *why; } cases[] = {
		{ "127.0.0.1", "loopback" }, { "127.1.2.3", "loopback" },
		{ "::1", "loopback" }, { "::ffff:127.0.0.1", "loopback" },
		{ "0.0.0.0", "unspecified" }, { "::", "unspecified" },
		{ "203.0.113.5", "own_address" }, { "2001:db8:1::5", "own_address" },
		{ "169.254.1.1", "never_block" }, { "fe80::1", "never_block" },
		{ "224.0.0.5", "never_block" }, { "ff02::1", "never_block" },
		{ "255.255.255.255", "never_block" }, { "192.168.7.7", "never_block" },
		{ "192.0.2.7", NULL }, { "2001:db8::7", NULL }, { "203.0.113.6", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = A(cases[i].ip);
		is_str(fwguard_check(&a, &r), cases[i].why, "guard %s", cases[i].ip);
	}
	a = A("192.168.1.1");
	fwguard_check(&a, &r);
	is_str(r ? cidr_format(r, b, sizeof(b)) : NULL, "192.168.0.0/16", "range reported");
	fwguard_free();
}

int main(void)
{
	test_basic();
	test_expiry();
	test_full();
	test_many();
	test_addrmap();
	test_guard();
	return done_testing();
}
