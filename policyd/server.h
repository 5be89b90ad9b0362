/*
 * server.h - the policy protocol server on a libev loop.
 *
 * Listeners come from systemd (LISTEN_FDS) when it passed any, else from
 * the configuration's listen: list.  Each connection has a bounded input
 * and output buffer and an idle timeout; its requests are answered one at a
 * time and in order (pipelined requests wait in the input buffer).  Every
 * complete request goes to ops->start; the answer is written when the job
 * calls back.  A malformed request closes only its connection (a warning
 * names the peer; nothing is sent for it).  A client whose unread answers
 * exceed the output bound is dropped.
 *
 * Signals (installed by server_new): SIGHUP re-reads the configuration
 * file and swaps the new one in only when it loads without error (else
 * every error is logged and the running one kept; listeners are not
 * changed by a reload); SIGTERM / SIGINT stop accepting, finish the
 * requests already received, and make server_run() return 0.
 *
 * Ownership: server_new() takes the caller's reference to cfg.
 */
#ifndef POLICYD_SERVER_H
#define POLICYD_SERVER_H

#include <stdbool.h>

#include "policyd/policy.h"

struct ev_loop;
struct config;
struct server;

struct server_ops {
	struct policy_job *(*start)(struct ev_loop *, const struct config *,
	    const struct policy_req *, policy_done_fn *, void *);
	void (*cancel)(struct policy_job *);
	/* After a reload swapped cfg in (may be NULL). */
	void (*reloaded)(struct ev_loop *, const struct config *cfg);
};

/* Bounds per connection. */
#define SERVER_IN_MAX   (2 * POLICY_REQ_MAX)   /* bytes read ahead */
#define SERVER_OUT_MAX  (64 * 1024)            /* unread answers */

struct server *server_new(struct ev_loop *loop, struct config *cfg,
    const struct server_ops *ops);
/* Open the listeners; 0, or -1 after logging why. */
int  server_listen(struct server *srv);
/* Run until SIGTERM/SIGINT (or server_stop) and the drain are done. */
int  server_run(struct server *srv);
void server_stop(struct server *srv);
void server_free(struct server *srv);           /* NULL ok */

const struct config *server_config(const struct server *srv);
/* Open connections (tests and stats). */
unsigned server_nconns(const struct server *srv);

#endif
