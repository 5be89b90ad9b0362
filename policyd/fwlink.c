/*
 * fwlink.c - glue between policy.c and the firewall modules (see fwlink.h).
 *
 * Process-wide state: one gate and one client, plus copies of the settings
 * they were built from, to tell on reload what changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/seed.h"
#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "policyd/actions.h"
#include "policyd/config.h"
#include "policyd/fwclient.h"
#include "policyd/fwconfig.h"
#include "policyd/fwgate.h"
#include "policyd/fwlink.h"
#include "policyd/policy.h"
#include "policyd/policy_proto.h"
#include "policyd/stats.h"

static struct {
	struct ev_loop *loop;
	struct fwgate *gate;
	struct fwgate_params gp;
	struct fwclient *client;
	struct fwclient_opts co;
	char *socket;                   /* owns co.socket */
	uint64_t seed;
	struct fwclient_stats base;     /* counts of clients freed on reload */
	bool offline;                   /* policyd -q: never connect */
} fl;

/* Fold a client's counters into base before it goes, so they only grow. */
static void
client_free(void)
{
	struct fwclient_stats st;

	if (fl.client == NULL)
		return;
	fwclient_stats(fl.client, &st);
	fl.base.queued += st.queued;
	fl.base.sent += st.sent;
	fl.base.acked += st.acked;
	fl.base.errors += st.errors;
	fl.base.dropped += st.dropped + st.pending;
	fl.base.reconnects += st.reconnects;
	fwclient_free(fl.client);
	fl.client = NULL;
}

static void
stats_pull_cb(void *arg)
{
	struct fwclient_stats st;

	fwlink_stats(&st);
	stats_set(STAT_FW_QUEUED, st.queued);
	stats_set(STAT_FW_ACKED, st.acked);
	stats_set(STAT_FW_ERRORS, st.errors);
	stats_set(STAT_FW_DROPPED, st.dropped);
	stats_set(STAT_FW_RECONNECTS, st.reconnects);
	stats_set(STAT_G_FW_QUEUE, st.pending);
	stats_set(STAT_G_FW_CONNECTED, st.connected);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
dropped_cb(void *arg, const struct addr *a)
{
	if (fl.gate != NULL)
		fwgate_forget(fl.gate, a);
}

static bool
same_client(const struct fwclient_opts *x, const struct fwclient_opts *y)
{
	return x->socket != NULL && y->socket != NULL &&
	    strcmp(x->socket, y->socket) == 0 &&
	    x->queue_size == y->queue_size && x->ttl == y->ttl &&
	    x->backoff_min_ms == y->backoff_min_ms &&
	    x->backoff_max_ms == y->backoff_max_ms &&
	    x->reply_timeout_ms == y->reply_timeout_ms;
}

static void
apply(struct ev_loop *loop, const struct fwconfig *fc)
{
	struct fwgate_params gp;
	struct fwclient_opts co;

	fl.loop = loop;
	fwconfig_gate_params(fc, &gp);
	gp.seed = fl.seed;
	if (fl.gate == NULL || memcmp(&gp, &fl.gp, sizeof(gp)) != 0) {
		fwgate_free(fl.gate);
		fl.gate = fwgate_new(&gp);
		fl.gp = gp;
	}
	fwconfig_client_opts(fc, &co);
	co.dropped_cb = dropped_cb;
	if (!fc->enabled || fc->socket == NULL || fl.offline) {
		if (fl.client != NULL)
			log_info("firewall hand-over disabled");
		client_free();
		return;
	}
	if (fl.client != NULL && same_client(&co, &fl.co))
		return;
	if (fl.client != NULL) {
		struct fwclient_stats st;

		fwclient_stats(fl.client, &st);
		if (st.pending > 0)
			log_warnx("firewall settings changed: %zu queued commands "
			    "dropped", st.pending);
		client_free();
	}
	free(fl.socket);
	fl.socket = xstrdup(fc->socket);
	co.socket = fl.socket;
	fl.co = co;
	fl.client = fwclient_new(loop, &co);
}

int
fwlink_init(struct ev_loop *loop, const struct config *cfg)
{
	seed_fill(&fl.seed, sizeof(fl.seed));
	apply(loop, &cfg->firewall);
	stats_pull_add(stats_pull_cb, NULL);
	return 0;
}

void
fwlink_offline(void)
{
	fl.offline = true;
}

void
fwlink_reload(struct ev_loop *loop, const struct config *cfg)
{
	apply(loop, &cfg->firewall);
}

void
fwlink_fini(void)
{
	stats_pull_remove(stats_pull_cb, NULL);
	fwclient_free(fl.client);
	fwgate_free(fl.gate);
	free(fl.socket);
	memset(&fl, 0, sizeof(fl));
}

void
fwlink_req_init(struct fwlink_req *fr, const struct policy_req *req)
{
	memset(fr, 0, sizeof(*fr));
	fr->have_addr = req->client_address != NULL &&
	    addr_parse(&fr->addr, req->client_address) == 0;
	fr->authenticated = req->sasl_username != NULL &&
	    req->sasl_username[0] != '\0';
}

static enum fwgate_mode
gate_mode(enum config_mode m)
{
	switch (m) {
	case CONFIG_MODE_ENFORCE:
		return FWGATE_MODE_ENFORCE;
	case CONFIG_MODE_WARN:
		return FWGATE_MODE_WARN;
	default:
		return FWGATE_MODE_OFF;
	}
}

void
fwlink_decide(const struct config *cfg, const struct fwlink_req *fr,
    struct policy_result *res, bool excepted, struct fwlink_ticket *t)
{
	struct fwgate_input in;
	struct fwgate_result r;

	t->send = false;        /* addr and reason are set only to send */
	res->fw[0] = '\0';
	if (fl.gate == NULL || !fr->have_addr)
		return;
	memset(&in, 0, sizeof(in));
	in.addr = &fr->addr;
	in.class = res->class;
	in.mode = gate_mode(cfg->mode);
	in.refused = action_refuses(res->action);
	/* verdict.h: an exception answers with no class and this reason. */
	in.excepted = excepted || (res->class == NULL &&
	    strncmp(res->reason, "exception=", 10) == 0);
	in.authenticated = fr->authenticated;
	/* the gate reads the time only for a refusal: no clock otherwise */
	fwgate_decide(fl.gate, &in, in.refused ? now_ms() : 0, &r);
	if (r.verdict == FWGATE_QUEUE && fl.client == NULL)
		snprintf(r.text, sizeof(r.text), "skipped:%s",
		    fl.offline ? "offline" : "disabled");
	if (r.text[0] != '\0')          /* res->fw is "" already */
		str_copy(res->fw, sizeof(res->fw), r.text);
	if (r.verdict != FWGATE_QUEUE || fl.client == NULL)
		return;
	t->send = true;
	t->addr = fr->addr;
	/* "class=C SIGNALS": the class cut at 32 bytes, the signals at
	 * FWPROTO_REASON_MAX - 40, so the whole fits what the helper keeps. */
	size_t n = str_copy(t->reason, sizeof(t->reason), "class=");
	n += str_copy(t->reason + n, 32 + 1, res->class ? res->class : "-");
	if (res->reason[0] != '\0') {
		t->reason[n++] = ' ';
		str_copy(t->reason + n, FWPROTO_REASON_MAX - 40 + 1, res->reason);
	}
}

void
fwlink_send(const struct fwlink_ticket *t)
{
	if (t->send && fl.client != NULL)
		fwclient_add(fl.client, &t->addr, t->reason);
}

void
fwlink_stats(struct fwclient_stats *st)
{
	if (fl.client != NULL)
		fwclient_stats(fl.client, st);
	else
		memset(st, 0, sizeof(*st));
	st->queued += fl.base.queued;
	st->sent += fl.base.sent;
	st->acked += fl.base.acked;
	st->errors += fl.base.errors;
	st->dropped += fl.base.dropped;
	st->reconnects += fl.base.reconnects;
}
