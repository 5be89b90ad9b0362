/*
 * fwcore.h - the helper's engine: block table, journal and backend kept in
 * step, commands applied, changes batched, expiry and reconcile timers.
 *
 * A command that changes the table is applied at once to the block table
 * and the journal buffer, staged in the backend, and answered only after
 * the batch is committed: fwcore_command() returns true for such a reply
 * and calls the committed callback after each commit, so "OK" means the
 * kernel holds the rule (or, should the commit fail, that the journal and
 * the table do and a reconcile will retry).  Commits are at least
 * batch_window: apart: a change after a quiet spell is committed as soon as
 * the lines already read are applied; changes arriving while a commit runs
 * or within the window after it are staged and go out together, in one
 * journal fdatasync and one backend transaction.
 *
 * Single instance, file statics; one event loop.
 */
#ifndef FWH_FWCORE_H
#define FWH_FWCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <ev.h>
#include "common/buf.h"
#include "common/fwproto.h"

struct fwh_config;
struct fw_backend;

/* Restore from the journal, reconcile the kernel, start the timers.
 * Fatal when the journal cannot be opened.  cfg is borrowed until the next
 * fwcore_reload(). */
void fwcore_start(struct ev_loop *loop, const struct fwh_config *cfg,
    const struct fw_backend *be);
/* Apply the keys that can change at run time; log those that cannot. */
void fwcore_reload(const struct fwh_config *cfg);
/* Commit what is staged, flush the journal, release the backend. */
void fwcore_stop(void);
void fwcore_on_commit(void (*cb)(void));

/* Apply one command; reply (no LF) in reply.  True when the reply must
 * wait for the next commit.  peer names the client for the log. */
bool fwcore_command(const struct fwproto_cmd *cmd, const char *peer,
    char *reply, size_t size);

/* Status socket answers: lines appended to out, the caller adds "OK". */
void fwcore_status(struct buf *out);
void fwcore_stats(struct buf *out);
/* Returns the number of entries listed (-1 when out filled up). */
long fwcore_list(struct buf *out);
/* fwsrv reports its counters here for `stats`. */
void fwcore_count_peer_refused(void);
void fwcore_count_malformed(void);

#endif
