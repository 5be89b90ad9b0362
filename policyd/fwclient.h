/*
 * fwclient.h - policyd's non-blocking client of the firewall helper's
 * command socket (a unix stream socket, wire format in common/fwproto.h).
 *
 * fwclient_add() only formats the command and queues it (fwqueue.h): it
 * never writes, so it cannot delay a Postfix answer.  The socket is written
 * from the event loop in batches, after the answers of the loop iteration:
 * at most 5 ms after the first command queued, or, once 1024 commands
 * wait, before the loop next blocks (one wakeup of the helper for many
 * commands; its replies wait for its commit, 20 ms by default, anyway).
 *
 * Connection: started from the loop right after fwclient_new(); when the
 * helper is absent, refuses us, closes, stops answering for
 * reply_timeout_ms, or sends a line that is not "OK..."/"ERR...", the
 * connection is closed and retried after a backoff that doubles from
 * backoff_min_ms up to backoff_max_ms (reset by the first good reply).
 * Meanwhile commands wait in the queue; on reconnect every command not yet
 * answered is sent again (the helper's add is idempotent), so a helper
 * restart loses nothing it did not acknowledge.  A new connection carries
 * one command until its first reply.  When the queue is full the oldest
 * command is dropped, counted, and reported through dropped_cb; so is a
 * command the helper refused with "ERR full" (no room), and so is every
 * command still queued when the client is freed.
 *
 * Replies are matched to commands in order.  ERR replies are logged once
 * each with the address and the helper's reason (escaped, cut).  The
 * helper's unasked FWPROTO_NOT_ALLOWED closes the connection (retried).  Losing and
 * regaining the helper is logged once each, not per retry.
 *
 * Ownership: opts->socket is copied.  fwclient_free(NULL) is a no-op;
 * fwclient_free() closes the socket and discards whatever is queued,
 * reporting each command through dropped_cb.
 */
#ifndef POLICYD_FWCLIENT_H
#define POLICYD_FWCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include "common/addr.h"

struct ev_loop;
struct fwclient;

typedef void fwclient_drop_fn(void *arg, const struct addr *a);

struct fwclient_opts {
	const char *socket;             /* path of the helper's command socket */
	size_t      queue_size;         /* commands held at most */
	long long   ttl;                /* seconds sent as ttl=; 0: none */
	long long   backoff_min_ms;
	long long   backoff_max_ms;
	long long   reply_timeout_ms;   /* 0: never give up waiting */
	fwclient_drop_fn *dropped_cb;   /* may be NULL */
	void       *cb_arg;
};

struct fwclient_stats {
	unsigned long long queued;      /* commands accepted by fwclient_add */
	unsigned long long sent;        /* lines written (re-sends included) */
	unsigned long long acked;       /* OK replies */
	unsigned long long errors;      /* ERR replies and bad reply lines */
	unsigned long long dropped;     /* queue overflow */
	unsigned long long reconnects;  /* connections after the first */
	size_t pending;                 /* in the queue now (unanswered) */
	bool   connected;
};

struct fwclient *fwclient_new(struct ev_loop *loop,
    const struct fwclient_opts *o);
void fwclient_free(struct fwclient *c);
/* Queue "add IP [ttl=N] reason=..." (reason sanitised and cut by fwproto). */
void fwclient_add(struct fwclient *c, const struct addr *a,
    const char *reason);
void fwclient_stats(const struct fwclient *c, struct fwclient_stats *st);
/* One line "fw_queued=N fw_sent=N ..." for the statistics output. */
void fwclient_stats_format(const struct fwclient_stats *st, char *buf,
    size_t size);

#endif
