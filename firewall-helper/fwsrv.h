/*
 * fwsrv.h - the command and status sockets.
 *
 * Both are unix stream sockets served from the event loop.  Each accepted
 * peer is checked once with SO_PEERCRED (and SO_PEERGROUPS for its
 * supplementary groups): it is allowed when its uid is 0 or the helper's
 * own, or is in the socket's allow_users, or its primary or a supplementary
 * group is in allow_groups.  A peer that is not allowed gets one line
 * "ERR not allowed", is logged with pid/uid/gid, and is dropped.
 *
 * Command socket: lines as in common/fwproto.h, one reply line each, in
 * order; replies to changes are held until the batch commits (fwcore.h).
 * Status socket: `status`, `stats`, `list`; each answer is a block of
 * lines ending with a line "OK ..." (or "ERR ...").
 * Lines longer than FWPROTO_LINE_MAX get "ERR line too long" and the
 * connection is closed.
 */
#ifndef FWH_FWSRV_H
#define FWH_FWSRV_H

#include <ev.h>

struct fwh_config;

/* Open the two sockets (or take systemd's fds 3 and 4); -1 on error
 * (logged).  sock_uid: owner for the socket files ((uid_t)-1: leave). */
int  fwsrv_open(const struct fwh_config *cfg, uid_t sock_uid);
void fwsrv_start(struct ev_loop *loop);
void fwsrv_reload(const struct fwh_config *cfg);
void fwsrv_stop(void);

#endif
