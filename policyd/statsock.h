/*
 * statsock.h - policyd's status socket and its periodic summary line.
 *
 * The status socket is a unix stream socket (status_socket: in
 * policyd.yaml).  A client sends one line and gets the answer, then the
 * connection is closed:
 *
 *     stats                every counter as "name value" lines
 *     stats prometheus     the same in the Prometheus text format
 *     anything else        "ERR unknown command ..."
 *
 * A client has STATSOCK_TIMEOUT seconds for the whole exchange; at most
 * STATSOCK_CLIENTS are served at once (more are closed at once); a line
 * longer than STATSOCK_LINE_MAX is refused.  Nothing here can hold up a
 * Postfix answer: everything is non-blocking on the same loop, and a
 * report is built in one go from counters in memory.
 *
 * Every interval_ms (0: never) one summary line is logged (stats.h).
 *
 * statsock_new() never fails hard: a socket that cannot be opened is
 * logged and the daemon runs without it (mail must keep flowing).
 * statsock_update() applies a reloaded configuration: a changed path
 * reopens the socket, a changed interval restarts the timer.
 * statsock_free() closes everything and removes the socket file it made
 * (NULL ok).  The path is copied.
 */
#ifndef POLICYD_STATSOCK_H
#define POLICYD_STATSOCK_H

struct ev_loop;
struct statsock;

#define STATSOCK_TIMEOUT   5.0
#define STATSOCK_CLIENTS   16
#define STATSOCK_LINE_MAX  128
#define STATSOCK_OUT_MAX   (256 * 1024)

struct statsock *statsock_new(struct ev_loop *loop, const char *path,
    long long interval_ms);
void statsock_update(struct statsock *s, const char *path,
    long long interval_ms);
void statsock_free(struct statsock *s);

#endif
