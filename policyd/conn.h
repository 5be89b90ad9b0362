/*
 * conn.h - one Postfix connection of the policy server (private to
 * server.c and conn.c).
 *
 * A connection reads into a shared scratch buffer when it has nothing
 * queued (the common case: no per-connection read buffer is allocated),
 * feeds the protocol parser, hands each complete request to the policy and
 * queues the answer in its bounded output buffer.  While a request is
 * pending, further bytes wait in its bounded input buffer (reading stops
 * when that is full).  Storage is released whenever the connection is idle,
 * so that thousands of idle Postfix connections cost little memory - except
 * by up to CONN_KEEP connections (conn.c), which keep small buffers between
 * requests instead of a malloc() and free() of each per request.
 */
#ifndef POLICYD_CONN_H
#define POLICYD_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "policyd/server.h"

struct conn;

/* What connections share with their server. */
struct conn_env {
	struct ev_loop  *loop;
	struct config   *cfg;           /* current; swapped on reload */
	const struct server_ops *ops;
	char            *scratch;       /* one read buffer for all */
	size_t           scratchsz;
	struct conn     *head;          /* every open connection */
	unsigned         nconns;
	unsigned         nkeep;         /* connections keeping storage idle */
	bool             stopping;      /* draining: no new requests read */
	void (*closed)(struct conn_env *env);   /* after each close */
};

/* Take over an accepted, non-blocking socket. */
void conn_new(struct conn_env *env, int fd);
/* SIGTERM: answer what was received, then close. */
void conn_drain(struct conn *c);
/* Close now (cancelling a pending job). */
void conn_abort(struct conn *c);
struct conn *conn_next(const struct conn *c);

#endif
