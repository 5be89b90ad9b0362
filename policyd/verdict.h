/*
 * verdict.h - the classifier's stages of a policy job, for policy.c.
 *
 * In request order (DESIGN.md):
 *   1. verdict_pre(): SASL-authenticated clients pass; then the exceptions
 *      list (client address, the verified client name, sender, recipient:
 *      never reverse_client_name, which the address's owner chose);
 *      then the verdict cache for the client address and the name Postfix
 *      gave (verdict_name_key()).  Returns true when
 *      that decided (res filled), before any DNS work.
 *   2. (DNS, when needed - policy_dns.c - finds the name to classify;
 *      verdict_excepted_name() checks a PTR it forward-confirmed against
 *      the name exceptions.)
 *   3. verdict_classify(): classify(name, client address), store the class
 *      in the cache (unless some DNS answer is missing), take the class's
 *      action.
 * Results carry the enforce-mode action; policy.c applies `mode:` after.
 * Exceptions and SASL answer DUNNO with no class; the reason names what
 * matched ("exception=client 192.0.2.0/24 (line 4: partner)", "sasl").
 *
 * The cache is process-wide: verdict_init() sizes it from the
 * configuration, verdict_reload() empties (and resizes) it with a new one,
 * verdict_fini() frees it.  Without verdict_init() nothing is cached.
 */
#ifndef POLICYD_VERDICT_H
#define POLICYD_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

struct addr;
struct config;
struct policy_req;
struct policy_result;

int  verdict_init(const struct config *cfg);
void verdict_reload(const struct config *cfg);
void verdict_fini(void);

/* Start loading the cache entry of client into the CPU cache, so that
 * verdict_pre() waits less for memory (a hint: no effect otherwise). */
void verdict_prefetch(const struct addr *client);
/* client: req's client_address parsed, NULL when missing or not an
 * address (the caller has parsed it already).  *name_key is set to
 * verdict_name_key(verdict_name(req)), for verdict_classify(). */
bool verdict_pre(const struct config *cfg, const struct policy_req *req,
    const struct addr *client, uint32_t *name_key, struct policy_result *res);
/* The name exceptions (hostnames:, domains:) for a name verified by other
 * means than Postfix (policyd's own forward confirmation): true and res
 * filled as verdict_pre() does when one matches. */
bool verdict_excepted_name(const struct config *cfg, const char *name,
    struct policy_result *res);
/* client as for verdict_pre(): parsed once per request by the caller.
 * name_key: verdict_name_key(verdict_name(req)), what the cached verdict
 * is kept under besides the address (name is what is classified, the
 * same or the PTR DNS found).  keep: false when the verdict stands on
 * answers that did not all come (a DNSBL that timed out or failed): it
 * is not cached, so the next request asks DNS again, whose cache has
 * the late answer by then. */
void verdict_classify(const struct config *cfg, const struct addr *client,
    uint32_t name_key, const char *name, bool keep,
    struct policy_result *res);
/* The name Postfix gave: client_name, else reverse_client_name; NULL when
 * neither is usable ("unknown" or empty). */
const char *verdict_name(const struct policy_req *req);
/* A digest of that name (0: NULL), kept with a cached verdict: a verdict
 * is reused only for the address with the same name. */
uint32_t verdict_name_key(const char *name);
/* Fill res with a class decided elsewhere (DNS: "unknown" for no PTR, a
 * DNSBL's class): its action, and reason as given. */
void verdict_class(const struct config *cfg, const char *class,
    const char *reason, struct policy_result *res);

#endif
