/*
 * accept_pause.h - a listener whose accept() failed for want of
 * descriptors or memory stays readable, so libev would call it again at
 * once, for as long as the connection waits: accept_pause() stops it for
 * ACCEPT_PAUSE seconds instead, with a warning at most once a minute.
 * (policyd's own listeners pause together, in server.c.)
 */
#ifndef COMMON_ACCEPT_PAUSE_H
#define COMMON_ACCEPT_PAUSE_H

#include <ev.h>
#include <stdbool.h>

#define ACCEPT_PAUSE 0.25               /* seconds */

struct accept_pause {
	ev_timer timer;
	ev_io   *listener;
	double   logged;                /* ev_now() of the last warning */
};

/* Does errno, after accept() returned -1, only say "nothing more now"? */
bool accept_error_passes(int err);
void accept_pause_init(struct accept_pause *p, ev_io *listener);
/* After accept() returned -1: nothing when errno passes; else the warning
 * ("WHAT: accept (pausing ...)") and the pause. */
void accept_pause(struct ev_loop *loop, struct accept_pause *p,
    const char *what);
void accept_pause_stop(struct ev_loop *loop, struct accept_pause *p);

#endif
