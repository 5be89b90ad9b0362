/*
 * fwgate.h - when a refused client is handed to the firewall helper.
 *
 * A pure module: no I/O, no clock (the caller passes monotonic time in
 * milliseconds), no logging.  policy.c asks fwgate_decide() once per answered
 * request; the result is the log field fw= and, when it says queue, the
 * caller hands the address to fwclient.
 *
 * Rules, checked in this order (the first that applies gives the answer):
 *
 *   excepted client               skipped:excepted
 *   SASL-authenticated client     skipped:auth
 *   verdict did not refuse        (empty: the firewall has nothing to do)
 *   firewall disabled             skipped:disabled
 *   mode off                      skipped:mode-off
 *   class not for the firewall    skipped:class    (classes == 0: every
 *                                                   refused class qualifies;
 *                                                   a refusal without a class
 *                                                   - default action, deadline
 *                                                   - never does)
 *   refused fewer than `after`
 *     times within `window`       skipped:threshold-K/N
 *   a block sent earlier for this
 *     address still in force      skipped:active
 *   mode warn                     dry-run          (never reaches the helper)
 *   otherwise                     queued
 *
 * "refused" means the class's configured action refuses the client (REJECT,
 * DEFER...), whatever the mode; so in warn mode the dry-run line says what
 * enforce would have done.  dry-run and queued are remembered apart, so
 * switching from warn to enforce does not suppress the first real block.
 *
 * A queued block is remembered for `hold_ms` (the TTL requested from the
 * helper); after that, the same address may be queued again (the helper
 * refreshes its TTL).  fwgate_forget() lets the caller undo the memory when
 * the request never reached the helper (queue overflow) or found no room
 * there: the next refusal within the window queues it again.  Counting restarts
 * after each block, so a dynamic address that moved to a new subscriber needs
 * the full threshold again.
 *
 * An IPv6 client is its prefix (v6_prefix, /56 by default: a residential
 * delegation): its refusals count together, and a block queued for one of
 * its addresses holds the others back for hold_ms (only that address is
 * sent), so one subscriber rotating through its addresses and subnets
 * cannot fill the helper's table and evict everybody else's blocks.  A
 * NAT64 address (64:ff9b::/96) is its own client: it stands for an IPv4
 * one.
 *
 * Memory is bounded: at most track_max addresses, each with a ring of `after`
 * refusal times; when full, the least recently seen address is forgotten.
 * Lookups use a hash keyed with params.seed (pass something random, so
 * clients cannot aim for one bucket).
 */
#ifndef POLICYD_FWGATE_H
#define POLICYD_FWGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/addr.h"

#define FWGATE_AFTER_MAX     100
#define FWGATE_TRACK_DEFAULT 65536
#define FWGATE_TRACK_MAX     (1u << 24)
#define FWGATE_V6_PREFIX_DEFAULT 56

enum fwgate_mode { FWGATE_MODE_OFF, FWGATE_MODE_WARN, FWGATE_MODE_ENFORCE };

enum fwgate_verdict {
	FWGATE_NONE,            /* not refused: nothing to say */
	FWGATE_SKIP,
	FWGATE_DRYRUN,
	FWGATE_QUEUE,
};

/* Verdict classes the firewall can be configured for (bit per class). */
#define FWGATE_CLASS_DYNAMIC  (1u << 0)
#define FWGATE_CLASS_STATIC   (1u << 1)
#define FWGATE_CLASS_GENERIC  (1u << 2)
#define FWGATE_CLASS_MAIL     (1u << 3)
#define FWGATE_CLASS_NONE     (1u << 4)
#define FWGATE_CLASS_UNKNOWN  (1u << 5)

struct fwgate_params {
	bool      enabled;
	int       after;        /* 1..FWGATE_AFTER_MAX refusals ... */
	long long window_ms;    /* ... within this long */
	long long hold_ms;      /* how long a sent block is taken as in force */
	unsigned  classes;      /* FWGATE_CLASS_* bits; 0: every refused class */
	size_t    track_max;    /* addresses remembered */
	int       v6_prefix;    /* an IPv6 client is this prefix (32..128;
	                           0: FWGATE_V6_PREFIX_DEFAULT) */
	uint64_t  seed;         /* hash key */
};

struct fwgate_input {
	const struct addr *addr;
	const char *class;      /* "dynamic", ...; NULL when none */
	enum fwgate_mode mode;
	bool refused;           /* the class's action refuses (mode aside) */
	bool excepted;
	bool authenticated;
};

struct fwgate_result {
	enum fwgate_verdict verdict;
	char text[40];          /* "queued", "skipped:why", "dry-run", "" */
};

struct fwgate;

/* Values out of range are clamped (the config parser already checks them). */
struct fwgate *fwgate_new(const struct fwgate_params *p);
void fwgate_free(struct fwgate *g);
enum fwgate_verdict fwgate_decide(struct fwgate *g,
    const struct fwgate_input *in, long long now_ms,
    struct fwgate_result *out);
/* The block queued for a never reached the helper: allow it again. */
void fwgate_forget(struct fwgate *g, const struct addr *a);
size_t fwgate_tracked(const struct fwgate *g);
/* FWGATE_CLASS_* bit for a class name, 0 when unknown. */
unsigned fwgate_class_bit(const char *name);

#endif
