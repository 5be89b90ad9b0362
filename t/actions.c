/*
 * t/actions.c - per-class actions: syntax check, defaults, the classes:
 * section and its errors; and the verdict cache (bounded, TTL, clear).
 */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/yconf.h"
#include "policyd/actions.h"
#include "policyd/vcache.h"
#include "t/tap.h"

static const struct { const char *s; int good; bool refuses; } checks[] = {
	{ "DUNNO", 1, false },
	{ "dunno", 1, false },
	{ "OK", 1, false },
	{ "REJECT", 1, true },
	{ "REJECT broadband: go away", 1, true },
	{ "DEFER_IF_PERMIT try later", 1, true },
	{ "DEFER_IF_REJECT x", 1, false },      /* only if a later one rejects */
	{ "DEFER", 1, true },
	{ "WARN looks dynamic", 1, false },
	{ "HOLD", 1, false },
	{ "PREPEND X-Broadband: dynamic", 1, false },
	{ "550 5.7.1 broadband-dynamic: relay through your ISP", 1, true },
	{ "450 4.7.1 try later", 1, true },
	{ "554 no enhanced code", 1, true },
	{ "550 4.7.1 class mismatch", 0, true },
	{ "550", 0, true },
	{ "550 5.7.1", 0, true },
	{ "650 text", 0, false },
	{ "DUNNO with text", 0, false },
	{ "PREPEND no header", 0, false },
	{ "PREPEND : empty name", 0, false },
	{ "REJECT tab\there", 0, true },
	{ "BOUNCE", 0, false },
	{ "", 0, false },
};

/* action_verb(): the one reading of actions (statistics, firewall). */
static const struct { const char *s; enum action_verb v; } verbs[] = {
	{ "DUNNO", AV_DUNNO }, { "dunno", AV_DUNNO }, { "Ok", AV_OK },
	{ "REJECT", AV_REJECT }, { "reject go away", AV_REJECT },
	{ "REJECT\tx", AV_REJECT }, { "DUNNO\n\n", AV_DUNNO },
	{ "450 x\r\n", AV_CODE4 }, { "DEFER later", AV_DEFER },
	{ "DEFER_IF_PERMIT x", AV_DEFER_IF_PERMIT },
	{ "defer_if_reject x", AV_DEFER_IF_REJECT }, { "WARN x", AV_WARN },
	{ "HOLD", AV_HOLD }, { "PREPEND X-A: b", AV_PREPEND },
	{ "450 4.7.1 later", AV_CODE4 }, { "554 go away", AV_CODE5 },
	{ "550", AV_CODE5 },
	/* not actions: the same words longer or shorter, other codes */
	{ "DEFERRED", AV_OTHER }, { "DEFER_IF", AV_OTHER }, { "OKAY", AV_OTHER },
	{ "D", AV_OTHER }, { "4500 x", AV_OTHER }, { "45x x", AV_OTHER },
	{ "650 x", AV_OTHER }, { "BOUNCE", AV_OTHER }, { "", AV_OTHER },
	{ " REJECT", AV_OTHER }, { "DUNNOX", AV_OTHER }, { "DUNN", AV_OTHER },
	{ "DUNNO later", AV_DUNNO }, { "DUNNo", AV_DUNNO },
};

static void
check_verbs(void)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		ok(action_verb(verbs[i].s) == verbs[i].v, "verb of \"%s\" is %d",
		    verbs[i].s, (int)verbs[i].v);
}

/* The whole action at most ACTIONS_TEXT_MAX bytes: at the edge and past. */
static void
check_action_length(void)
{
	char s[ACTIONS_TEXT_MAX + 2];
	const char *err;

	memcpy(s, "REJECT ", 7);
	memset(s + 7, 'x', sizeof(s) - 8);
	s[ACTIONS_TEXT_MAX] = '\0';
	ok(action_check(s, &err) == 0, "an action of %d bytes accepted",
	    ACTIONS_TEXT_MAX);
	s[ACTIONS_TEXT_MAX] = 'x';
	s[ACTIONS_TEXT_MAX + 1] = '\0';
	ok(action_check(s, &err) < 0, "one of %d refused", ACTIONS_TEXT_MAX + 1);
}

static void
check_actions(void)
{
	size_t i;
	const char *err;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		int r = action_check(checks[i].s, &err);

		if (!ok((r == 0) == checks[i].good, "action \"%s\" %s", checks[i].s,
		    checks[i].good ? "accepted" : "refused"))
			diag("  error: %s", r ? err : "(none)");
		if (checks[i].good)
			ok(action_refuses(checks[i].s) == checks[i].refuses,
			    "\"%s\" %s", checks[i].s, checks[i].refuses ?
			    "refuses" : "lets through");
	}
}

static void
parse(const char *text, int want_rc, const char *want_err, struct actions *a)
{
	struct ydoc *d = ydoc_load_mem("p.yaml", text, strlen(text));

	actions_defaults(a);
	is_int(actions_parse(d, ymap_get(d->root, "classes"), a), want_rc,
	    "parse %s", want_rc ? "fails" : "succeeds");
	is_str(d->nerrs ? d->errs[0] : NULL, want_err, "error line");
	ydoc_free(d);
}

static void
check_cache(void)
{
	struct vcache *c = vcache_new(8, 1000), *off = vcache_new(0, 1000);
	struct vcache *big = vcache_new(1024, 1000);
	struct vcache *c64 = vcache_new(64, 1000), *c64b = vcache_new(64, 1000);
	struct vcache_val v = { VCLASS_DYNAMIC, 7, "by=access+ip" }, out;
	struct addr a, b;
	char ip[32];
	int i, hits = 0;

	addr_parse(&a, "192.0.2.1");
	addr_parse(&b, "2001:db8::1");
	ok(!vcache_get(c, &a, 0, &out), "empty cache misses");
	vcache_put(c, &a, 100, &v);
	ok(vcache_get(c, &a, 500, &out) && out.cls == VCLASS_DYNAMIC &&
	    out.name == 7 && strcmp(out.reason, "by=access+ip") == 0,
	    "hit within the TTL, the name key kept");
	ok(!vcache_get(c, &b, 500, &out), "another address misses");
	ok(vcache_get(c, &a, 1099, &out), "hit 1 ms before the TTL ends");
	ok(!vcache_get(c, &a, 1100, &out), "miss once the TTL passed");
	{
		struct addr z;  /* 102:304:: holds 1.2.3.4's bytes, zero-padded */

		addr_parse(&z, "1.2.3.4");
		vcache_put(big, &z, 1200, &v);
		addr_parse(&z, "102:304::");
		ok(!vcache_get(big, &z, 1201, &out),
		    "102:304:: does not get 1.2.3.4's verdict");
	}
	vcache_put(c, &a, 2000, &v);
	v.cls = VCLASS_MAIL;
	vcache_put(c, &a, 2001, &v);
	ok(vcache_get(c, &a, 2002, &out) && out.cls == VCLASS_MAIL,
	    "a second put replaces");
	is_int(vcache_count(c, 2002), 1, "one entry, not two");
	/* reasons up to 32 bytes stay in the slot, longer ones apart */
	for (i = 30; i <= 40; i++) {
		memset(v.reason, 'r', (size_t)i);
		v.reason[i] = '\0';
		vcache_put(c, &b, 2003, &v);
		ok(vcache_get(c, &b, 2004, &out) && strcmp(out.reason,
		    v.reason) == 0, "a reason of %d bytes kept whole", i);
	}
	snprintf(v.reason, sizeof(v.reason), "by=access+ip ip=full-padded-"
	    "dashed(4/4) access=dhcp rdns=fcrdns");
	vcache_put(c, &b, 2003, &v);
	snprintf(v.reason, sizeof(v.reason), "by=mail");
	vcache_put(c, &b, 2003, &v);
	ok(vcache_get(c, &b, 2004, &out) && strcmp(out.reason, "by=mail") == 0,
	    "a short reason replaces a long one");
	ok(vcache_get(c, &a, 2004, &out) && out.cls == VCLASS_MAIL,
	    "an IPv6 entry beside an IPv4 one");
	for (i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		addr_parse(&b, ip);
		vcache_put(c, &b, 3000, &v);
	}
	ok(vcache_count(c, 3000) <= 8, "bounded: %zu entries of 8",
	    vcache_count(c, 3000));
	for (i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		addr_parse(&b, ip);
		hits += vcache_get(c, &b, 3001, &out);
	}
	ok(hits >= 1 && hits <= 8, "recent entries kept (%d)", hits);
	vcache_clear(c);
	is_int(vcache_count(c, 3001), 0, "cleared");
	/* addresses of one /64 spread over the sets, not into one */
	for (i = 1; i <= 256; i++) {
		snprintf(ip, sizeof(ip), "2001:db8::%x", i);
		addr_parse(&b, ip);
		vcache_put(big, &b, 0, &v);
	}
	ok(vcache_count(big, 1) >= 200, "256 IPv6 neighbours in a cache of "
	    "1024: %zu kept", vcache_count(big, 1));
	/* each cache keys its hash with its own secret: the same addresses
	 * crowd different sets in two caches, so nobody can choose some
	 * that crowd the set of another client's verdict */
	for (i = 0; i < 1024; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i >> 8, i & 255);
		addr_parse(&b, ip);
		vcache_put(c64, &b, 4000, &v);
		vcache_put(c64b, &b, 4000, &v);
	}
	for (i = hits = 0; i < 1024; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i >> 8, i & 255);
		addr_parse(&b, ip);
		hits += vcache_get(c64, &b, 4001, &out) !=
		    vcache_get(c64b, &b, 4001, &out);
	}
	ok(hits > 0, "two caches of 64 keep different addresses of the same "
	    "1,024 (%d kept by one only)", hits);
	vcache_put(off, &a, 0, &v);
	ok(!vcache_get(off, &a, 1, &out), "size 0: nothing cached");
	vcache_free(c);
	vcache_free(c64);
	vcache_free(c64b);
	vcache_free(big);
	vcache_free(off);
	vcache_free(NULL);
}

int
main(void)
{
	struct actions a;

	check_actions();
	check_action_length();
	check_verbs();
	actions_defaults(&a);
	ok(strncmp(actions_for(&a, VCLASS_DYNAMIC), "REJECT broadband-dynamic: ", 26) == 0,
	    "dynamic refused by default, stable reason word first");
	ok(action_refuses(actions_for(&a, VCLASS_STATIC)), "static refused by default");
	is_str(actions_for(&a, VCLASS_GENERIC), "DUNNO", "generic passes by default");
	is_str(actions_for(&a, VCLASS_MAIL), "DUNNO", "mail passes");
	actions_release(&a);

	parse("classes:\n  dynamic: \"550 5.7.1 no broadband\"\n  generic: WARN generic\n",
	    0, NULL, &a);
	is_str(actions_for(&a, VCLASS_DYNAMIC), "550 5.7.1 no broadband", "dynamic set");
	is_str(actions_for(&a, VCLASS_GENERIC), "WARN generic", "generic set");
	ok(action_refuses(actions_for(&a, VCLASS_STATIC)), "static keeps its default");
	actions_release(&a);
	parse("classes:\n  dynamik: DUNNO\n  static: BOUNCE\n", -1,
	    "p.yaml:2:3: unknown key \"dynamik\"", &a);
	actions_release(&a);
	parse("classes:\n  static: \"550 4.7.1 x\"\n", -1,
	    "p.yaml:2:11: static: enhanced status code must be X.Y.Z with X the reply code's class (4.7.1 for 4NN, 5.7.1 for 5NN)", &a);
	actions_release(&a);
	parse("classes: [dynamic]\n", -1, "p.yaml:1:10: expected a mapping", &a);
	actions_release(&a);

	check_cache();
	return done_testing();
}
