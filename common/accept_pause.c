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

	p->set(loop, p->arg, true);
}

void accept_pause_init(struct accept_pause *p, accept_pause_fn *set,
    void *arg)
{
	ev_init(&p->timer, resume_cb);
	p->timer.data = p;
	p->set = set;
	p->arg = arg;
	p->logged = -1e9;
}

static void io_set(struct ev_loop *loop, void *arg, bool on)
{
	if (on)
		ev_io_start(loop, arg);
	else
		ev_io_stop(loop, arg);
}

void accept_pause_init_io(struct accept_pause *p, ev_io *listener)
{
	accept_pause_init(p, io_set, listener);
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
	p->set(loop, p->arg, false);
	/* set each time: a one-shot timer that fired keeps what was left */
	ev_timer_set(&p->timer, ACCEPT_PAUSE, 0.);
	ev_timer_start(loop, &p->timer);
}

void accept_pause_stop(struct ev_loop *loop, struct accept_pause *p)
{
	ev_timer_stop(loop, &p->timer);
}
