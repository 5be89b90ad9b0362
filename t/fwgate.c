/*
 * t/fwgate.c - the firewall decision rules (policyd/fwgate.c) and the
 * firewall: config section (policyd/fwconfig.c).
 *
 * Each scenario is a list of steps run against one fresh gate; a step is one
 * answered request at a time (ms) and the fw= text expected for it.
 */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/yconf.h"
#include "policyd/fwclient.h"
#include "policyd/fwconfig.h"
#include "policyd/fwgate.h"
#include "t/tap.h"

#define E FWGATE_MODE_ENFORCE
#define W FWGATE_MODE_WARN
#define O FWGATE_MODE_OFF
#define S 1000LL

struct step {
	long long t;
	const char *ip, *class;
	enum fwgate_mode mode;
	int refused, excepted, auth;
	const char *want;
	int forget;             /* call fwgate_forget(ip) after the step */
};

struct scenario {
	const char *name;
	struct fwgate_params p;
	struct step steps[12];
};

#define P(en, aft, win, hold, cls) \
	{ .enabled = (en), .after = (aft), .window_ms = (win), \
	  .hold_ms = (hold), .classes = (cls), .track_max = 1000, .seed = 42 }
#define DYN FWGATE_CLASS_DYNAMIC
#define STA FWGATE_CLASS_STATIC

static const struct scenario scenarios[] = {
	{ .name = "order of the rules", .p = P(true, 1, 60 * S, 600 * S, DYN), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 1, 0, "skipped:excepted" },
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 1, "skipped:auth" },
		{ 0, "192.0.2.1", "mail", E, 0, 0, 0, "" },
		{ 0, "192.0.2.1", "dynamic", O, 1, 0, 0, "skipped:mode-off" },
		{ 0, "192.0.2.1", "static", E, 1, 0, 0, "skipped:class" },
		{ 0, "192.0.2.1", NULL, E, 1, 0, 0, "skipped:class" },
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
	} },
	{ .name = "disabled", .p = P(false, 1, 60 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:disabled" },
		{ 0, "192.0.2.1", "dynamic", E, 0, 0, 0, "" },
	} },
	{ .name = "default classes: every refused one", .p = P(true, 1, 60 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "generic", E, 1, 0, 0, "queued" },
		{ 0, "192.0.2.2", NULL, E, 1, 0, 0, "skipped:class" },
		{ 0, "192.0.2.3", "generic", E, 0, 0, 0, "" },
	} },
	{ .name = "threshold 3 in 60s", .p = P(true, 3, 60 * S, 600 * S, DYN | STA), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/3" },
		{ 10 * S, "192.0.2.1", "static", E, 1, 0, 0, "skipped:threshold-2/3" },
		{ 10 * S, "192.0.2.9", "static", E, 1, 0, 0, "skipped:threshold-1/3" },
		{ 20 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 21 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
	} },
	{ .name = "window slides", .p = P(true, 2, 10 * S, 600 * S, 0), .steps = {
		{ 0, "2001:db8::1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
		{ 20 * S, "2001:db8::1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
		{ 29 * S, "2001:db8::1", "dynamic", E, 1, 0, 0, "queued" },
	} },
	/* The window's edge: a refusal window_ms old is out of it, one 1 ms
	 * younger is in. */
	{ .name = "window edge", .p = P(true, 2, 10 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
		{ 10 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
		{ 20 * S - 1, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
	} },
	/* after 3: the third refusal within the window queues, the ring of
	 * refusal times rolls over (the oldest is replaced), the block holds
	 * to 1 ms before hold_ms, and counting restarts at the start of the
	 * ring (the refusal that queued, exactly window_ms old then, is gone). */
	{ .name = "threshold edge, ring rolled over, hold edge", .p = P(true, 3, 10 * S, 10 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/3" },
		{ 5 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-2/3" },
		{ 10 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-2/3" },
		{ 15 * S - 1, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 15 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 25 * S - 2, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 25 * S - 1, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/3" },
		{ 30 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-2/3" },
		{ 35 * S - 2, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
	} },
	{ .name = "not refused does not count", .p = P(true, 2, 10 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
		{ 1 * S, "192.0.2.1", "dynamic", E, 0, 0, 0, "" },
		{ 1 * S, "192.0.2.1", "dynamic", E, 1, 1, 0, "skipped:excepted" },
		{ 2 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
	} },
	{ .name = "dedupe until the hold ends, then count anew", .p = P(true, 2, 60 * S, 30 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
		{ 1 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 2 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 30 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 31 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
		{ 32 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
	} },
	{ .name = "v4 and v6 apart", .p = P(true, 1, 60 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 0, "::ffff:192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 0, "::192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 0, "2001:db8::c000:201", "dynamic", E, 1, 0, 0, "queued" },
	} },
	{ .name = "IPv6: a /56 is one client", .p = P(true, 2, 60 * S, 600 * S, 0), .steps = {
		{ 0, "2001:db8:1:2::1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
		{ 1 * S, "2001:db8:1:2:aaaa::7", "dynamic", E, 1, 0, 0, "queued" },
		{ 2 * S, "2001:db8:1:2::99", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 3 * S, "2001:db8:1:ff::1", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 4 * S, "2001:db8:1:100::1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/2" },
	} },
	{ .name = "IPv6: NAT64 addresses are IPv4 clients, each its own", .p = P(true, 1, 60 * S, 600 * S, 0), .steps = {
		{ 0, "64:ff9b::c000:201", "dynamic", E, 1, 0, 0, "queued" },
		{ 0, "64:ff9b::c000:202", "dynamic", E, 1, 0, 0, "queued" },
		{ 0, "64:ff9b::c000:201", "dynamic", E, 1, 0, 0, "skipped:active" },
	} },
	{ .name = "IPv6: ipv6_prefix 60", .p = { .enabled = true, .after = 1,
	    .window_ms = 60 * S, .hold_ms = 600 * S, .track_max = 1000,
	    .seed = 42, .v6_prefix = 60 }, .steps = {
		{ 0, "2001:db8:1:20::1", "dynamic", E, 1, 0, 0, "queued" },
		{ 0, "2001:db8:1:2f::1", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 0, "2001:db8:1:30::1", "dynamic", E, 1, 0, 0, "queued" },
	} },
	{ .name = "forget after a dropped request", .p = P(true, 1, 60 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued", 1 },
		{ 1, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 2, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
	} },
	{ .name = "forget with a threshold: the next refusal queues", .p = P(true, 3, 60 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/3" },
		{ 1 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-2/3" },
		{ 2 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued", 1 },
		{ 3 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 4 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
	} },
	{ .name = "forget: the evidence still ages out of the window", .p = P(true, 3, 60 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/3" },
		{ 1 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-2/3" },
		{ 2 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued", 1 },
		{ 70 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/3" },
	} },
	{ .name = "forget after the hold ran out keeps the new count", .p = P(true, 3, 60 * S, 10 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/3" },
		{ 1 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-2/3" },
		{ 2 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 100 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-1/3", 1 },
		{ 101 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:threshold-2/3" },
	} },
	{ .name = "warn: dry runs, apart from real blocks", .p = P(true, 1, 60 * S, 600 * S, 0), .steps = {
		{ 0, "192.0.2.1", "dynamic", W, 1, 0, 0, "dry-run" },
		{ 1 * S, "192.0.2.1", "dynamic", W, 1, 0, 0, "skipped:active" },
		{ 2 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "queued" },
		{ 3 * S, "192.0.2.1", "dynamic", E, 1, 0, 0, "skipped:active" },
		{ 3 * S, "192.0.2.2", "dynamic", W, 1, 0, 1, "skipped:auth" },
	} },
};

static void
run_scenario(const struct scenario *sc)
{
	struct fwgate *g = fwgate_new(&sc->p);

	for (size_t i = 0; i < 12 && sc->steps[i].ip != NULL; i++) {
		const struct step *st = &sc->steps[i];
		struct fwgate_input in = { 0 };
		struct fwgate_result r;
		struct addr a;

		if (addr_parse(&a, st->ip) < 0) {
			ok(0, "%s: step %zu: bad test address %s", sc->name, i, st->ip);
			continue;
		}
		in.addr = &a;
		in.class = st->class;
		in.mode = st->mode;
		in.refused = st->refused;
		in.excepted = st->excepted;
		in.authenticated = st->auth;
		fwgate_decide(g, &in, st->t, &r);
		is_str(r.text, st->want, "%s: step %zu (%s at %llds)", sc->name,
		    i, st->ip, st->t / S);
		if (st->forget)
			fwgate_forget(g, &a);
	}
	fwgate_free(g);
}

/* Memory stays bounded; the least recently seen address goes first. */
static void
test_eviction(void)
{
	struct fwgate_params p = P(true, 2, 3600 * S, 3600 * S, 0);
	struct fwgate_input in = { .class = "dynamic", .mode = E, .refused = true };
	struct fwgate_result r;
	struct addr a, first;
	char ip[64];

	p.track_max = 100;
	struct fwgate *g = fwgate_new(&p);
	addr_parse(&first, "198.51.100.1");
	in.addr = &first;
	fwgate_decide(g, &in, 0, &r);
	in.addr = &a;
	for (int i = 0; i < 50000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		addr_parse(&a, ip);
		fwgate_decide(g, &in, i, &r);
		if (i == 50) {  /* first is still remembered: refresh it */
			in.addr = &first;
			fwgate_decide(g, &in, i, &r);
			is_str(r.text, "queued", "eviction: recent address kept its count");
			in.addr = &a;
		}
	}
	is_int(fwgate_tracked(g), 100, "eviction: at most track_max addresses");
	in.addr = &first;
	fwgate_decide(g, &in, 60000, &r);
	is_str(r.text, "skipped:threshold-1/2", "eviction: old address forgotten");
	/* The 99 most recent ones are still there. */
	in.addr = &a;
	fwgate_decide(g, &in, 60000, &r);
	is_str(r.text, "queued", "eviction: newest address kept");
	fwgate_free(g);
	fwgate_free(NULL);
}

struct cfgcase {
	const char *yaml;
	const char *err;        /* substring of the first error, NULL: ok */
};

static const struct cfgcase cfgcases[] = {
	{ "firewall:\n  socket: /run/fwh.sock\n", NULL },
	{ "firewall:\n  socket: /run/fwh.sock\n  after: 3\n  window: 5m\n"
	  "  classes: [dynamic, static]\n  ttl: 1h\n  queue_size: 50\n"
	  "  backoff: {min: 50ms, max: 2s}\n  reply_timeout: 3s\n  track: 1000\n", NULL },
	{ "firewall:\n  enabled: true\n", "t.yaml:2:3: firewall: enabled needs a socket" },
	{ "firewall:\n  socket: /x\n  after: 0\n", "t.yaml:3:10:" },
	{ "firewall:\n  socket: /x\n  classes: [dynamic, cable]\n",
	  "t.yaml:3:22: unknown class \"cable\"" },
	{ "firewall:\n  socket: /x\n  colour: blue\n", "t.yaml:3:3: unknown key" },
	{ "firewall:\n  socket: /x\n  backoff: {min: 5s, max: 1s}\n", "backoff: min is larger" },
	{ "firewall:\n  socket: /x\n  queue_size: -1\n", "t.yaml:3:15:" },
	{ "firewall: yes\n", "t.yaml:1:11: firewall: expected a mapping" },
};

static void
test_config(void)
{
	for (size_t i = 0; i < sizeof(cfgcases) / sizeof(cfgcases[0]); i++) {
		const struct cfgcase *cc = &cfgcases[i];
		struct ydoc *doc = ydoc_load_mem("t.yaml", cc->yaml, strlen(cc->yaml));
		struct fwconfig fc;
		int rc;

		fwconfig_init(&fc);
		rc = fwconfig_parse(doc, ymap_get(doc->root, "firewall"), &fc);
		if (cc->err == NULL)
			ok(rc == 0 && doc->nerrs == 0, "config %zu parses", i);
		else {
			ok(rc < 0 && doc->nerrs > 0 && strstr(doc->errs[0], cc->err),
			    "config %zu: error \"%s\"", i, cc->err);
		}
		if (doc->nerrs > 0)
			diag("  first error: %s", doc->errs[0]);
		fwconfig_release(&fc);
		ydoc_free(doc);
	}

	const char *y = "firewall:\n  socket: /run/fwh.sock\n  after: 3\n"
	    "  window: 5m\n  classes: static\n  backoff: 2s\n  ttl: 2h\n";
	struct ydoc *doc = ydoc_load_mem("t.yaml", y, strlen(y));
	struct fwconfig fc;
	struct fwgate_params gp;
	struct fwclient_opts co;

	fwconfig_init(&fc);
	fwconfig_parse(doc, ymap_get(doc->root, "firewall"), &fc);
	fwconfig_gate_params(&fc, &gp);
	fwconfig_client_opts(&fc, &co);
	ok(gp.enabled && gp.after == 3 && gp.window_ms == 300 * S &&
	    gp.classes == STA && gp.hold_ms == 7200 * S, "config: gate params");
	ok(strcmp(co.socket, "/run/fwh.sock") == 0 && co.ttl == 7200 &&
	    co.backoff_max_ms == 2000 && co.backoff_min_ms == 100 &&
	    co.queue_size == FWCONFIG_QUEUE_DEFAULT, "config: client options");
	fwconfig_release(&fc);
	ydoc_free(doc);

	fwconfig_init(&fc);
	ok(!fc.enabled && fc.socket == NULL, "config: disabled without the section");
	fwconfig_release(&fc);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run_scenario(&scenarios[i]);
	test_eviction();
	test_config();
	return done_testing();
}
