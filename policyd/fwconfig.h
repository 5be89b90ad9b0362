/*
 * fwconfig.h - the `firewall:` section of policyd.yaml (pure: a ydoc tree in,
 * a struct out, every error recorded in the ydoc as FILE:LINE:COL).
 *
 *   firewall:
 *     enabled: true            # default: true when the section names a socket
 *     socket: /run/firewall-helper/command.sock
 *     after: 1                 # refusals of one address ...
 *     window: 10m              # ... within this long before a block is asked
 *     classes: [dynamic, static]   # default: every refused class
 *     ttl: 1h                  # sent as ttl=; default: the helper's own ttl
 *     queue_size: 10000        # commands waiting for the helper, at most
 *     backoff: { min: 100ms, max: 10s }   # or just "backoff: 10s" (the max)
 *     reply_timeout: 10s       # reconnect when the helper stops answering
 *     track: 65536             # addresses remembered for after/window/dedupe
 *     ipv6_prefix: 56          # an IPv6 client is its /56 for those
 *
 * The helper's own ttl is not known here: when `ttl` is unset, a sent block
 * is taken as in force for FWCONFIG_HOLD_DEFAULT_MS and may be sent again
 * after that (the helper then refreshes it).
 *
 * Called by config.c for the `firewall` key; fwconfig_init() gives the
 * defaults (firewall disabled) for a file without the section.  The
 * struct owns `socket`; fwconfig_release() frees it.
 */
#ifndef POLICYD_FWCONFIG_H
#define POLICYD_FWCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct ydoc;
struct ynode;
struct fwgate_params;
struct fwclient_opts;

#define FWCONFIG_AFTER_DEFAULT        1
#define FWCONFIG_WINDOW_DEFAULT_MS    (10LL * 60 * 1000)
#define FWCONFIG_QUEUE_DEFAULT        10000
#define FWCONFIG_BACKOFF_MIN_MS       100
#define FWCONFIG_BACKOFF_MAX_MS       (10LL * 1000)
#define FWCONFIG_REPLY_TIMEOUT_MS     (10LL * 1000)
#define FWCONFIG_HOLD_DEFAULT_MS      (10LL * 60 * 1000)

struct fwconfig {
	bool      enabled;
	char     *socket;           /* NULL when unset */
	int       after;
	long long window_ms;
	unsigned  classes;          /* FWGATE_CLASS_* bits; 0: refused ones */
	long long ttl;              /* seconds; 0: helper default */
	size_t    queue_size;
	long long backoff_min_ms, backoff_max_ms;
	long long reply_timeout_ms;
	size_t    track;
	int       ipv6_prefix;
};

void fwconfig_init(struct fwconfig *fc);
void fwconfig_release(struct fwconfig *fc);
/* n is the value of the `firewall` key; 0, or -1 with errors in doc. */
int  fwconfig_parse(struct ydoc *doc, const struct ynode *n,
    struct fwconfig *fc);
/* Derived settings for the two modules. */
void fwconfig_gate_params(const struct fwconfig *fc, struct fwgate_params *p);
void fwconfig_client_opts(const struct fwconfig *fc, struct fwclient_opts *o);

#endif
