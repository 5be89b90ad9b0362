/*
 * accept_pause.c - see accept_pause.h.
 */
#include <errno.h>

#include "common/accept_pause.h"
#include "common/log.h"

bool accept_error_passes(int err)
{
	return err == EAGAIN || err == EINTR || err == ECONNABORTED ||
	    err == EPROTO;
}

static void resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct accept_pause *p = w->data;

	ev_io_start(loop, p->listener);
}

void accept_pause_init(struct accept_pause *p, ev_io *listener)
{
	ev_init(&p->timer, resume_cb);
	p->timer.data = p;
	p->listener = listener;
	p->logged = 0.;
}

void accept_pause(struct ev_loop *loop, struct accept_pause *p,
    const char *what)
{
	if (accept_error_passes(errno))
		return;
	if (ev_now(loop) - p->logged >= 60.) {
		log_warn("%s: accept (pausing %.2f s)", what, ACCEPT_PAUSE);
		p->logged = ev_now(loop);
	}
	ev_io_stop(loop, p->listener);
	/* set each time: a one-shot timer that fired keeps what was left */
	ev_timer_set(&p->timer, ACCEPT_PAUSE, 0.);
	ev_timer_start(loop, &p->timer);
}

void accept_pause_stop(struct ev_loop *loop, struct accept_pause *p)
{
	ev_timer_stop(loop, &p->timer);
}
