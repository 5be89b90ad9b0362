/*
 * verdict.c - SASL, exceptions, cache, classification and action for one
 * request (see verdict.h).  No I/O besides the process-wide cache; the
 * clock is CLOCK_MONOTONIC for the cache, time() for until: dates.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/mix64.h"
#include "common/strcopy.h"
#include "policyd/actions.h"
#include "policyd/classify.h"
#include "policyd/classify_config.h"
#include "policyd/config.h"
#include "policyd/exceptions.h"
#include "policyd/policy.h"
#include "policyd/policy_proto.h"
#include "policyd/stats.h"
#include "policyd/vcache.h"
#include "policyd/verdict.h"

static struct vcache *cache;
static const struct config *cache_cfg;  /* whose verdicts it holds (a job
                                           holds its config: never reused) */

/* The cache's clock: its TTL is minutes, so the coarse monotonic clock
 * (a tick's resolution, a few ms) does, for much less than a full read. */
static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
cache_make(const struct config *cfg)
{
	const struct classify_config *cc = classify_config_of(cfg);

	vcache_free(cache);
	cache = vcache_new((size_t)cc->cache_size, cc->cache_ttl_ms);
	cache_cfg = cfg;
}

int
verdict_init(const struct config *cfg)
{
	const struct classify_config *cc = classify_config_of(cfg);
	size_t n, expired;

	if (classify_init() < 0) {
		log_warnx("cannot load the public suffix list");
		return -1;
	}
	cache_make(cfg);
	n = exceptions_count(cc->exceptions, time(NULL), &expired);
	log_info("classifier: exceptions=%zu expired=%zu cache=%lld ttl=%llds",
	    n, expired, cc->cache_size, cc->cache_ttl_ms / 1000);
	return 0;
}

void
verdict_reload(const struct config *cfg)
{
	const struct classify_config *cc = classify_config_of(cfg);
	size_t n, expired;

	cache_make(cfg);        /* a new configuration may decide otherwise */
	n = exceptions_count(cc->exceptions, time(NULL), &expired);
	log_info("classifier reloaded: exceptions=%zu expired=%zu, verdict "
	    "cache emptied", n, expired);
}

void
verdict_fini(void)
{
	vcache_free(cache);
	cache = NULL;
	cache_cfg = NULL;
}

static bool
usable(const char *s)
{
	return s && *s && !policy_is_unknown(s);
}

void
verdict_prefetch(const struct addr *client)
{
	vcache_prefetch(cache, client);
}

const char *
verdict_name(const struct policy_req *req)
{
	if (usable(req->client_name))
		return req->client_name;
	if (usable(req->reverse_client_name))
		return req->reverse_client_name;
	return NULL;
}

/* 0 for no name; else never 0. */
uint32_t
verdict_name_key(const char *s)
{
	return s == NULL ? 0 : (uint32_t)(mix64(s, strlen(s)) >> 32) | 1;
}

static void
result_set(struct policy_result *res, const char *action, const char *class,
    const char *reason)
{
	str_copy(res->action, sizeof(res->action), action);
	res->class = class;
	str_copy(res->reason, sizeof(res->reason), reason);
}

static void
excepted(const struct exc_entry *e, struct policy_result *res)
{
	char buf[384];

	stats_inc(STAT_EXCEPTIONS);
	snprintf(buf, sizeof(buf), "exception=");
	exc_describe(e, buf + 10, sizeof(buf) - 10);
	result_set(res, "DUNNO", NULL, buf);
}

bool
verdict_excepted_name(const struct config *cfg, const char *name,
    struct policy_result *res)
{
	const struct classify_config *cc = classify_config_of(cfg);
	const struct exc_entry *e;
	struct exc_query q = { .client_name = name };   /* the name alone */

	if ((e = exceptions_match(cc->exceptions, &q, time(NULL))) == NULL)
		return false;
	excepted(e, res);
	return true;
}

bool
verdict_pre(const struct config *cfg, const struct policy_req *req,
    const struct addr *client, uint32_t *name_key, struct policy_result *res)
{
	const struct classify_config *cc = classify_config_of(cfg);
	const struct exc_entry *e;
	struct exc_query q;
	struct vcache_val v;
	size_t n;

	*name_key = verdict_name_key(verdict_name(req));
	if (usable(req->sasl_username)) {
		result_set(res, "DUNNO", NULL, "sasl=authenticated");
		return true;
	}
	/* names only as Postfix verified them: reverse_client_name is
	 * whatever the address's owner put in its PTR */
	q.client = client;
	q.client_name = usable(req->client_name) ? req->client_name : NULL;
	q.sender = req->sender;
	q.recipient = req->recipient;
	if ((e = exceptions_match(cc->exceptions, &q, time(NULL))) != NULL) {
		excepted(e, res);
		return true;
	}
	/* a verdict holds for the name Postfix gave with it: one that came
	 * back "unknown" from a DNS hiccup, or a PTR changed, decides anew */
	if (client != NULL && vcache_get(cache, client, mono_ms(), &v) &&
	    v.name == *name_key) {
		stats_inc(STAT_VCACHE_HITS);
		str_copy(res->action, sizeof(res->action),
		    actions_for(&cc->actions, v.cls));
		res->class = vclass_name(v.cls);
		n = sizeof("cached ") - 1;      /* a constant copy, no strnlen */
		memcpy(res->reason, "cached ", n);
		str_append(res->reason, sizeof(res->reason), n, v.reason);
		return true;
	}
	stats_inc(STAT_VCACHE_MISSES);
	return false;
}

void
verdict_classify(const struct config *cfg, const struct addr *client,
    uint32_t name_key, const char *name, bool keep,
    struct policy_result *res)
{
	const struct classify_config *cc = classify_config_of(cfg);
	struct classify_result r;
	struct vcache_val v;

	classify(cc->tokens, name, client, &r);
	result_set(res, actions_for(&cc->actions, r.cls), vclass_name(r.cls),
	    r.reason);
	/* A lookup that was in flight across a reload is answered under the
	 * configuration it started with; the cache is the new one's. */
	if (keep && client != NULL && cfg == cache_cfg) {
		v.cls = r.cls;
		v.name = name_key;
		memcpy(v.reason, r.reason, sizeof(v.reason));
		vcache_put(cache, client, mono_ms(), &v);
	}
}

void
verdict_class(const struct config *cfg, const char *class,
    const char *reason, struct policy_result *res)
{
	const struct classify_config *cc = classify_config_of(cfg);
	int c = vclass_parse(class);

	if (c < 0) {
		result_set(res, "DUNNO", NULL, reason);
		return;
	}
	result_set(res, actions_for(&cc->actions, (enum vclass)c),
	    vclass_name((enum vclass)c), reason);
}
