/*
 * policy.c - from one request to one answer (see policy.h).
 *
 * policy_start() runs the stages in this order; the first that decides
 * ends the chain:
 *   1. SASL: an authenticated client is answered DUNNO (verdict_pre());
 *   2. exceptions: a matching entry answers DUNNO (verdict_pre());
 *   3. verdict cache: a cached class for the client address answers with
 *      that class's action (verdict_pre());
 *   4. DNS, when policy_dns_needed(): answers at hand (DNS cache) decide
 *      at once; otherwise a job is kept and its lookups finish it from the
 *      event loop (job_dns_done());
 *   5. classification of the client's name (verdict_classify()), which
 *      also fills the verdict cache;
 *   6. the action of the class, then `mode:` (policy_apply_mode(): warn
 *      and off answer DUNNO, warn notes would=ACTION); mode off skips
 *      stages 1-5 and answers DUNNO;
 *   7. firewall hand-over: decided on the action before mode, sent to the
 *      helper after done() has answered, so it never delays the answer.
 * A request decided without waiting takes no job: done() is called
 * before policy_start() returns.
 *
 * A job that waits has its deadline (deadline_ms) armed when it is made:
 * when it passes first, the lookups are cancelled and the job is answered
 * with default_action (reason "deadline").  done() is called exactly once
 * per job unless policy_cancel() comes first.
 *
 * debug.delay_ms (tests only) holds every answer that long, with
 * default_action, which exercises the asynchronous path: pipelining behind
 * a pending job, cancellation when the client goes away, draining at
 * SIGTERM.
 */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strcopy.h"
#include "common/xmalloc.h"
#include "policyd/actions.h"
#include "policyd/config.h"
#include "policyd/dnsconf.h"
#include "policyd/fwlink.h"
#include "policyd/policy.h"
#include "policyd/policy_dns.h"
#include "policyd/policy_proto.h"
#include "policyd/stats.h"
#include "policyd/verdict.h"

struct policy_job {
	struct ev_loop *loop;
	struct config  *cfg;            /* referenced while the job lives */
	policy_done_fn *done;
	void           *arg;
	ev_timer        deadline;       /* answer the default by then */
	ev_timer        delay;          /* debug.delay_ms */
	struct fwlink_req fw;           /* the firewall hand-over's input and
					 * the parsed client address */
	struct policy_dns *dns;         /* DNS stage in flight, or NULL */
	uint32_t name_key;              /* verdict_name_key() of the request */
};

static void result_default(const struct config *cfg, struct policy_result *r,
    const char *reason)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->action, sizeof(r->action), "%s", cfg->default_action);
	r->class = NULL;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

void policy_apply_mode(const struct config *cfg, struct policy_result *res)
{
	char would[POLICY_ACTION_MAX + 16];

	res->would = false;
	if (cfg->mode == CONFIG_MODE_ENFORCE ||
	    action_verb(res->action) == AV_DUNNO)       /* any case */
		return;
	if (cfg->mode == CONFIG_MODE_WARN) {
		res->would = true;
		size_t n = strlen(res->reason);

		snprintf(would, sizeof(would), "%swould=%s", n ? " " : "",
		    res->action);
		snprintf(res->reason + n, sizeof(res->reason) - n, "%s", would);
	}
	snprintf(res->action, sizeof(res->action), "DUNNO");
}

/* Finish a job with res and free it. */
static void job_finish(struct policy_job *job, struct policy_result *res)
{
	policy_done_fn *done = job->done;
	void *arg = job->arg;
	struct fwlink_ticket fwt;

	/* Firewall: decided on the real action (before mode), sent after
	 * done(). */
	fwlink_decide(job->cfg, &job->fw, res, false, &fwt);
	policy_apply_mode(job->cfg, res);
	ev_timer_stop(job->loop, &job->deadline);
	ev_timer_stop(job->loop, &job->delay);
	config_unref(job->cfg);
	free(job);
	done(arg, res);
	fwlink_send(&fwt);
}

static void job_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct policy_job *job = w->data;
	struct policy_result res;

	stats_inc(STAT_DEADLINE);
	policy_dns_cancel(job->dns);
	result_default(job->cfg, &res, "deadline");
	job_finish(job, &res);
}

static void job_delay_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct policy_job *job = w->data;
	struct policy_result res;

	result_default(job->cfg, &res, "default");
	job_finish(job, &res);
}

/* A job for an answer that has to wait; its deadline is armed. */
static struct policy_job *job_new(struct ev_loop *loop,
    const struct config *cfg, policy_done_fn *done, void *arg)
{
	struct policy_job *job = xcalloc(1, sizeof(*job));

	job->loop = loop;
	job->cfg = config_ref(cfg);
	job->done = done;
	job->arg = arg;
	ev_timer_init(&job->deadline, job_deadline_cb,
	    (double)cfg->deadline_ms / 1000.0, 0.);
	job->deadline.data = job;
	ev_timer_start(loop, &job->deadline);
	ev_init(&job->delay, job_delay_cb);
	job->delay.data = job;
	return job;
}

/*
 * The DNS stage decided (see policy_dns.h): a temporary failure gets
 * dns.tempfail_action, a class found by DNS its action, a name is
 * classified; the DNS facts (ptr=, fcrdns=forged, dnsbl=, dns_tempfail=)
 * follow the reason.
 */
static void result_dns(const struct config *cfg, const struct addr *client,
    uint32_t name_key, const struct policy_dns_outcome *o,
    struct policy_result *res)
{
	size_t n;

	res->action[0] = res->reason[0] = res->fw[0] = '\0';
	res->class = NULL;
	/* a PTR policyd forward-confirmed is as good as client_name for the
	 * name exceptions, whatever else DNS said */
	if (o->r.fc == DC_FC_CONFIRMED && o->r.name[0] != '\0' &&
	    verdict_excepted_name(cfg, o->r.name, res))
		goto reason;
	switch (o->what) {
	case PDNS_TEMPFAIL:
		str_copy(res->action, sizeof(res->action),
		    dnsconf_tempfail_action(&cfg->dns));
		str_copy(res->reason, sizeof(res->reason), "dns=tempfail");
		break;
	case PDNS_CLASS:
		verdict_class(cfg, o->class, "by=dns", res);
		break;
	case PDNS_NAME:         /* a zone that did not answer may list it */
		verdict_classify(cfg, client, name_key, o->name,
		    !o->r.bl_tempfail && !o->r.late, res);
		break;
	}
reason:
	if (o->reason[0] == '\0')
		return;
	n = strlen(res->reason);
	if (n > 0 && n + 1 < sizeof(res->reason))
		res->reason[n++] = ' ';
	if (n < sizeof(res->reason))
		str_append(res->reason, sizeof(res->reason), n, o->reason);
}

static void job_dns_done(void *arg, const struct policy_dns_outcome *o)
{
	struct policy_job *job = arg;
	struct policy_result res;

	job->dns = NULL;
	result_dns(job->cfg, job->fw.have_addr ? &job->fw.addr : NULL,
	    job->name_key, o, &res);
	job_finish(job, &res);
}

/* A job for the DNS stage; NULL when it was answered at once. */
static struct policy_job *job_dns_start(struct ev_loop *loop,
    const struct config *cfg, const struct policy_dns_req *q,
    const struct fwlink_req *fwr, uint32_t name_key, policy_done_fn *done,
    void *arg)
{
	struct policy_job *job = job_new(loop, cfg, done, arg);
	struct policy_dns *pd;

	job->fw = *fwr;
	job->name_key = name_key;
	if ((pd = policy_dns_start(loop, cfg, q, job_dns_done, job)) == NULL)
		return NULL;            /* job_dns_done() finished the job */
	job->dns = pd;
	return job;
}

/*
 * The stages in the order of the header above: decided at once, the answer
 * is given here without a job; DNS lookups that must wait return the job
 * (job_dns_start()), finished by job_dns_done() or job_deadline_cb().
 */
struct policy_job *policy_start(struct ev_loop *loop, const struct config *cfg,
    const struct policy_req *req, policy_done_fn *done, void *arg)
{
	struct policy_job *job;
	struct policy_result res;
	struct fwlink_req fwr;
	struct fwlink_ticket fwt;
	const struct addr *client;
	uint32_t nk;                    /* verdict_pre()'s name key */

	fwlink_req_init(&fwr, req);
	/* the one parse of client_address, for every stage */
	client = fwr.have_addr ? &fwr.addr : NULL;
	if (client != NULL) {           /* loads while exceptions run */
		verdict_prefetch(client);
		policy_dns_prefetch(cfg, req, client);
	}
	if (cfg->debug_delay_ms > 0) {
		job = job_new(loop, cfg, done, arg);
		job->fw = fwr;
		ev_timer_set(&job->delay, (double)cfg->debug_delay_ms / 1000.0,
		    0.);
		ev_timer_start(loop, &job->delay);
		return job;
	}
	/* SASL, exceptions, cache, then DNS or the class of Postfix's
	 * client name and its action.  Every stage sets the strings it
	 * decides; empty ones here (no 1 KiB memset). */
	res.action[0] = res.reason[0] = res.fw[0] = '\0';
	res.class = NULL;
	if (cfg->mode == CONFIG_MODE_OFF) {       /* no classifying at all */
		snprintf(res.action, sizeof(res.action), "DUNNO");
		snprintf(res.reason, sizeof(res.reason), "mode=off");
	} else if (!verdict_pre(cfg, req, client, &nk, &res)) {
		struct policy_dns_outcome o;
		struct policy_dns_req q;

		if (!policy_dns_needed(cfg, req, client, &q))
			verdict_classify(cfg, client, nk, verdict_name(req),
			    true, &res);
		else if (policy_dns_try(loop, cfg, &q, &o))     /* cached */
			result_dns(cfg, client, nk, &o, &res);
		else
			return job_dns_start(loop, cfg, &q, &fwr, nk, done,
			    arg);
	}
	fwlink_decide(cfg, &fwr, &res, false, &fwt);
	policy_apply_mode(cfg, &res);
	done(arg, &res);
	fwlink_send(&fwt);      /* after the answer: never delays it */
	return NULL;
}

void policy_cancel(struct policy_job *job)
{
	if (job == NULL)
		return;
	ev_timer_stop(job->loop, &job->deadline);
	ev_timer_stop(job->loop, &job->delay);
	policy_dns_cancel(job->dns);
	config_unref(job->cfg);
	free(job);
}

int policy_init(struct ev_loop *loop, const struct config *cfg)
{
	if (fwlink_init(loop, cfg) < 0)
		return -1;
	if (verdict_init(cfg) < 0)
		return -1;
	if (policy_dns_init(loop, cfg) < 0)
		return -1;
	return 0;
}

void policy_reload(struct ev_loop *loop, const struct config *cfg)
{
	fwlink_reload(loop, cfg);
	verdict_reload(cfg);
	policy_dns_init(loop, cfg);     /* new servers, cache size */
}

void policy_fini(void)
{
	fwlink_fini();
	verdict_fini();
	policy_dns_fini();
}
