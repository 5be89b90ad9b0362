/*
 * sock.h - listening sockets, peer credentials, systemd hand-over.
 *
 * sock_listen_spec() opens one listener from a spec:
 *     inet:HOST:PORT      IPv4 address or [IPv6] address, or a name that
 *                         resolves to one (numeric preferred)
 *     unix:PATH           a unix stream socket; a stale socket file (nobody
 *                         accepting on it) is replaced, a live one or a
 *                         non-socket file is an error; mode/uid/gid applied
 *                         (uid/gid -1: unchanged)
 * All sockets are non-blocking and close-on-exec.  Errors are logged with
 * the spec and -1 returned.
 *
 * sock_systemd_fds() implements LISTEN_PID/LISTEN_FDS (fds from 3) without
 * libsystemd, and unsets the variables; sd_notify() sends a datagram to
 * NOTIFY_SOCKET when set (abstract names with '@' supported).
 */
#ifndef COMMON_SOCK_H
#define COMMON_SOCK_H

#include <stdbool.h>
#include <sys/types.h>

struct sock_opts {
	unsigned mode;          /* unix: file mode, e.g. 0660 */
	uid_t    uid;           /* (uid_t)-1: leave */
	gid_t    gid;           /* (gid_t)-1: leave */
	int      backlog;       /* 0: SOMAXCONN */
};

int  sock_listen_spec(const char *spec, const struct sock_opts *o);
/* Check a spec's syntax without opening it; errstr gets the reason. */
int  sock_spec_check(const char *spec, const char **errstr);
int  sock_connect_unix(const char *path, bool nonblock);
int  sock_set_nonblock(int fd);
int  sock_peercred(int fd, pid_t *pid, uid_t *uid, gid_t *gid);
/* A readable description of the peer: "127.0.0.1:4711", "unix:pid=12,uid=0". */
void sock_peer_name(int fd, char *buf, size_t size);

int  sock_systemd_fds(void);    /* number of fds passed, starting at 3 */
void sd_notify(const char *state);

#endif
