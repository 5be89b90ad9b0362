/*
 * fwlink.h - the firewall hand-over as policy.c sees it: one process-wide
 * gate (fwgate.h) and helper client (fwclient.h), built from the config's
 * `firewall:` section.
 *
 * Per answered request, in this order:
 *
 *     fwlink_req_init(&fr, req)            while the request is valid
 *     fwlink_decide(cfg, &fr, res, excepted, &ticket)
 *                                          with the decided action, before
 *                                          policy_apply_mode(): "refused" is
 *                                          the action, whatever the mode;
 *                                          sets res->fw
 *     done(arg, res)                       the Postfix answer goes out
 *     fwlink_send(&ticket)                 queues "add IP ..." (no I/O here)
 *
 * excepted may be given by the caller; a result with no class whose reason
 * starts "exception=" (verdict.h) counts as excepted too.
 *
 * The reason sent to the helper is "class=C " followed by the result's
 * reason (the signals), sanitised and cut by fwproto.
 *
 * fwlink_init() at start-up, fwlink_reload() after SIGHUP: the gate is
 * rebuilt (its memory lost) only when its settings changed, the client only
 * when the socket or queue settings changed (then what was queued for the
 * old socket is dropped, and logged).  Without `firewall:` (or enabled:
 * false) nothing connects and every refused request logs skipped:disabled.
 */
#ifndef POLICYD_FWLINK_H
#define POLICYD_FWLINK_H

#include <stdbool.h>
#include "common/addr.h"
#include "common/fwproto.h"

struct ev_loop;
struct config;
struct policy_req;
struct policy_result;
struct fwclient_stats;

struct fwlink_req {
	struct addr addr;
	bool have_addr;         /* client_address parsed */
	bool authenticated;     /* sasl_username set */
};

struct fwlink_ticket {
	bool send;
	struct addr addr;
	char reason[FWPROTO_REASON_MAX + 1];
};

int  fwlink_init(struct ev_loop *loop, const struct config *cfg);
/* Before fwlink_init(), for policyd -q: decide, but never connect or send. */
void fwlink_offline(void);
void fwlink_reload(struct ev_loop *loop, const struct config *cfg);
void fwlink_fini(void);

void fwlink_req_init(struct fwlink_req *fr, const struct policy_req *req);
void fwlink_decide(const struct config *cfg, const struct fwlink_req *fr,
    struct policy_result *res, bool excepted, struct fwlink_ticket *t);
void fwlink_send(const struct fwlink_ticket *t);

/* Counters (all zero when the firewall is off); they only grow, across
 * reloads.  fwlink_init() also registers them with stats.h (fw_*). */
void fwlink_stats(struct fwclient_stats *st);

#endif
