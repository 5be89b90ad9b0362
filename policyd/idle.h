/*
 * idle.h - one idle timeout per connection: the connection's ev_io watchers
 * call idle_touch() on activity (a store, no syscall), and one ev_timer,
 * re-armed lazily when it fires, checks how long it has really been idle.
 * Written once, used by every connection that needs a timeout.
 *
 * The struct is embedded in its owner; the callback gets the struct and
 * finds the owner (e.g. with a container-of, or through data).  idle_stop()
 * before freeing the owner.
 */
#ifndef POLICYD_IDLE_H
#define POLICYD_IDLE_H

#include <ev.h>

struct idle;
typedef void idle_fn(struct ev_loop *loop, struct idle *t);

struct idle {
	ev_timer   timer;
	ev_tstamp  last;        /* last activity (loop time) */
	ev_tstamp  timeout;     /* seconds */
	idle_fn   *expired;
	void      *data;        /* for the owner */
};

void idle_start(struct ev_loop *loop, struct idle *t, ev_tstamp timeout,
    idle_fn *expired, void *data);
void idle_stop(struct ev_loop *loop, struct idle *t);
/* Change the timeout (e.g. after a reload); takes effect lazily. */
void idle_set(struct idle *t, ev_tstamp timeout);

static inline void idle_touch(struct ev_loop *loop, struct idle *t)
{
	t->last = ev_now(loop);
}

#endif
