/*
 * idle.c - the lazily re-armed idle timer (see idle.h).
 *
 * Activity only updates t->last.  When the timer fires it computes when the
 * connection would really expire; if that is still ahead it re-arms for the
 * remainder, else it calls expired().  So a busy connection costs one timer
 * event per timeout period, not one timer update per read.
 */
#include "policyd/idle.h"

static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct idle *t = (struct idle *)w;      /* timer is the first member */
	ev_tstamp left = t->last + t->timeout - ev_now(loop);

	if (left > 0.) {
		w->repeat = left;
		ev_timer_again(loop, w);
		return;
	}
	ev_timer_stop(loop, w);
	t->expired(loop, t);
}

void idle_start(struct ev_loop *loop, struct idle *t, ev_tstamp timeout,
    idle_fn *expired, void *data)
{
	t->last = ev_now(loop);
	t->timeout = timeout;
	t->expired = expired;
	t->data = data;
	ev_init(&t->timer, idle_cb);
	t->timer.repeat = timeout;
	ev_timer_again(loop, &t->timer);
}

void idle_stop(struct ev_loop *loop, struct idle *t)
{
	ev_timer_stop(loop, &t->timer);
}

void idle_set(struct idle *t, ev_tstamp timeout)
{
	t->timeout = timeout;
}
