/*
 * accept_pause.h - a listener whose accept() failed for want of
 * descriptors or memory stays readable, so libev would call it again at
 * once, for as long as the connection waits: accept_pause() stops
 * accepting for ACCEPT_PAUSE seconds instead, with a warning at most once
 * a minute.  What stops and resumes is one ev_io (accept_pause_init_io())
 * or the caller's (accept_pause_init(): policyd pauses all its listeners
 * together).
 */
#ifndef COMMON_ACCEPT_PAUSE_H
#define COMMON_ACCEPT_PAUSE_H

#include <ev.h>
#include <stdbool.h>

#define ACCEPT_PAUSE 0.25               /* seconds */

/* Stop (on false) or resume (on true) accepting. */
typedef void accept_pause_fn(struct ev_loop *loop, void *arg, bool on);

struct accept_pause {
	ev_timer timer;
	accept_pause_fn *set;
	void    *arg;
	double   logged;                /* ev_now() of the last warning */
};

/* Does errno, after accept() returned -1, only say "nothing more now"? */
bool accept_error_passes(int err);
void accept_pause_init(struct accept_pause *p, accept_pause_fn *set,
    void *arg);
void accept_pause_init_io(struct accept_pause *p, ev_io *listener);
/* After accept() returned -1: nothing when errno passes; else the warning
 * ("WHAT: accept (pausing ...)") and the pause. */
void accept_pause(struct ev_loop *loop, struct accept_pause *p,
    const char *what);
void accept_pause_stop(struct ev_loop *loop, struct accept_pause *p);

#endif
