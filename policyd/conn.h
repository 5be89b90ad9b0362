/*
 * conn.h - one Postfix connection of the policy server (private to
 * server.c and conn.c).
 *
 * A connection with nothing queued reads into the buffer that all reads of
 * one turn of the event loop share (the common case: no per-connection
 * read buffer is allocated).  Before the loop polls again, the turn's batch
 * feeds each connection's bytes to its protocol parser, hands every
 * complete request to the policy, queues the answers given at once in the
 * connections' bounded output buffers, and then writes them (a turn that
 * reads more than the buffer holds is answered in several batches; an
 * answer that waits for DNS is written when it comes).  While a request is
 * pending, further bytes wait in the connection's bounded input buffer
 * (reading stops when that is full).  Storage is released whenever the
 * connection is idle, so that thousands of idle Postfix connections cost
 * little memory - except by up to CONN_KEEP connections (conn.c), which
 * keep small buffers between requests instead of a malloc() and free() of
 * each per request.
 */
#ifndef POLICYD_CONN_H
#define POLICYD_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "policyd/server.h"

struct conn;

/* What connections share with their server. */
struct conn_env {
	struct ev_loop  *loop;
	struct config   *cfg;           /* current; swapped on reload */
	const struct server_ops *ops;
	struct conn     *head;          /* every open connection */
	unsigned         nconns;
	unsigned         nkeep;         /* connections keeping storage idle */
	char            *turn;          /* what this turn read, CONN_TURN_BUF */
	size_t           turnlen;
	struct conn     *ready;         /* the connections that read it */
	ev_prepare       batch;         /* answers them before the next poll */
	bool             stopping;      /* draining: what was received is
	                                   answered, nothing read after it */
	void (*closed)(struct conn_env *env);   /* after each close */
};

#define CONN_TURN_BUF   (64 * 1024)
#define CONN_READ_MIN   4096    /* less left: the batch is answered first */

/* After loop is set: the turn's buffer and the batch's watcher. */
void conn_env_init(struct conn_env *env);
void conn_env_fini(struct conn_env *env);
/* Take over an accepted, non-blocking socket. */
void conn_new(struct conn_env *env, int fd);
/* SIGTERM: answer what was received, then close. */
void conn_drain(struct conn *c);
/* Close now (cancelling a pending job). */
void conn_abort(struct conn *c);
struct conn *conn_next(const struct conn *c);

#endif
