/*
 * policy.h - from one parsed request to one answer.
 *
 * The server hands every complete request to policy_start() and writes the
 * answer when done() is called - possibly before policy_start() returns
 * (cached verdict, exception, name already known), possibly later from the
 * event loop (DNS).  done() is called exactly once per job unless the job is
 * cancelled first (policy_cancel(), when the client goes away).  The request
 * strings are only valid during policy_start(): copy what you keep.
 *
 * Whatever happens inside (timeouts, DNS failures), done() is called by the
 * deadline with the configured default action: Postfix is never left waiting.
 *
 * struct policy_result is filled by the deciding code; the server logs it as
 * one key=value line and writes "action=<action>\n\n".
 */
#ifndef POLICYD_POLICY_H
#define POLICYD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;
struct policy_req;
struct config;

#define POLICY_ACTION_MAX 512

struct policy_result {
	char action[POLICY_ACTION_MAX];   /* e.g. "REJECT ...", "DUNNO" */
	const char *class;                /* "dynamic", ..., or NULL */
	char reason[512];                 /* signals that decided, for the log */
	char fw[64];                      /* "queued", "skipped:why", "" */
	bool would;                       /* mode warn made the action DUNNO
	                                     (reason: would=ACTION) */
};

typedef void policy_done_fn(void *arg, const struct policy_result *res);

struct policy_job;

/*
 * Returns the job, or NULL when done() has already been called (answered
 * before returning).  cfg stays valid during the call; a job that outlives
 * it takes config_ref().
 */
struct policy_job *policy_start(struct ev_loop *loop, const struct config *cfg,
    const struct policy_req *req, policy_done_fn *done, void *arg);
/* The client went away: done() will not be called; the job is freed. */
void policy_cancel(struct policy_job *job);

/*
 * Process-wide state of the deciding modules (caches, DNS channel, helper
 * client): policy_init() once before the first request (0, or -1 after
 * logging: start-up fails), policy_reload() after a new configuration was
 * swapped in (cfg is the new one), policy_fini() at exit, after the last
 * job ended.
 */
int  policy_init(struct ev_loop *loop, const struct config *cfg);
void policy_reload(struct ev_loop *loop, const struct config *cfg);
void policy_fini(void);

/*
 * Apply `mode:` to a decided result: enforce leaves it; warn and off answer
 * DUNNO instead, and warn notes the action it would have taken in reason
 * ("would=ACTION").  Every answer goes through it.
 */
void policy_apply_mode(const struct config *cfg, struct policy_result *res);

#endif
