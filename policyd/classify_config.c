/*
 * classify_config.c - the tokens:, exceptions:, classes: and cache: keys
 * of policyd.yaml (see classify_config.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/classify_config.h"
#include "policyd/config.h"
#include "policyd/exceptions.h"
#include "policyd/tokens.h"
#include "policyd/vcache.h"

static void
cc_defaults(struct classify_config *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->tokens = tokens_new();
	cc->exceptions = exceptions_new();
	actions_defaults(&cc->actions);
	cc->cache_size = VCACHE_DEFAULT_SIZE;
	cc->cache_ttl_ms = VCACHE_DEFAULT_TTL_MS;
}

static struct classify_config *
cc_get(struct config *cfg)
{
	if (cfg->classify == NULL) {
		cfg->classify = xmalloc(sizeof(*cfg->classify));
		cc_defaults(cfg->classify);
	}
	return cfg->classify;
}

const struct classify_config *
classify_config_of(const struct config *cfg)
{
	static struct classify_config builtin;
	static int ready;

	if (cfg && cfg->classify)
		return cfg->classify;
	if (!ready) {
		cc_defaults(&builtin);
		ready = 1;
	}
	return &builtin;
}

void
classify_config_free(struct config *cfg)
{
	struct classify_config *cc = cfg->classify;

	if (cc == NULL)
		return;
	tokens_free(cc->tokens);
	exceptions_free(cc->exceptions);
	actions_release(&cc->actions);
	free(cc->tokens_path);
	free(cc->exceptions_path);
	free(cc);
	cfg->classify = NULL;
}

/* A file name relative to the directory of the configuration file. */
static char *
resolve(const struct config *cfg, const char *name)
{
	const char *slash = cfg->file ? strrchr(cfg->file, '/') : NULL;

	if (name[0] == '/' || slash == NULL)
		return xstrdup(name);
	return xasprintf("%.*s/%s", (int)(slash - cfg->file), cfg->file, name);
}

/* The other file's errors join the configuration's, as they are. */
static void
take_errors(struct ydoc *doc, struct ydoc *sub)
{
	size_t i;

	for (i = 0; i < sub->nerrs; i++) {
		doc->errs = xreallocarray(doc->errs, doc->nerrs + 1,
		    sizeof(*doc->errs));
		doc->errs[doc->nerrs++] = sub->errs[i];
	}
	sub->nerrs = 0;
}

/* After loading the file named at v: its errors become the config's (or
 * "cannot load" when it gave none), and sub is freed.  0 when it loaded. */
static int
sub_loaded(struct ydoc *doc, const struct ynode *v, const char *path,
    struct ydoc *sub, bool loaded)
{
	if (!loaded) {
		if (sub->nerrs == 0)
			ydoc_error(doc, v, "%s: cannot load", path);
		take_errors(doc, sub);
	}
	ydoc_free(sub);
	return loaded ? 0 : -1;
}

int
classify_config_parse_tokens(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	struct classify_config *cc = cc_get(cfg);
	struct tokens *t;
	struct ydoc *sub;
	const char *s;

	if (ynode_is_null(v))
		return 0;
	if (ynode_str(doc, v, &s) < 0)
		return -1;
	free(cc->tokens_path);
	cc->tokens_path = resolve(cfg, s);
	t = tokens_load_file(cc->tokens_path, &sub);
	if (sub_loaded(doc, v, cc->tokens_path, sub, t != NULL) < 0)
		return -1;
	tokens_free(cc->tokens);
	cc->tokens = t;
	return 0;
}

int
classify_config_parse_exceptions(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	struct classify_config *cc = cc_get(cfg);
	struct exceptions *x;
	struct ydoc *sub;
	const char *s;

	if (ynode_is_null(v))
		return 0;
	if (ynode_str(doc, v, &s) < 0)
		return -1;
	free(cfg->exceptions);
	cfg->exceptions = xstrdup(s);
	free(cc->exceptions_path);
	cc->exceptions_path = resolve(cfg, s);
	x = exceptions_load_file(cc->exceptions_path, &sub);
	if (sub_loaded(doc, v, cc->exceptions_path, sub, x != NULL) < 0)
		return -1;
	exceptions_free(cc->exceptions);
	cc->exceptions = x;
	return 0;
}

int
classify_config_parse_classes(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	return actions_parse(doc, v, &cc_get(cfg)->actions);
}

int
classify_config_parse_cache(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	static const char *const keys[] = { "size", "ttl", NULL };
	struct classify_config *cc = cc_get(cfg);
	const struct ynode *n;
	int rc = 0;

	if (ymap_check(doc, v, keys) != 0)
		rc = -1;
	if (v->type != YN_MAP)
		return -1;
	if ((n = ymap_get(v, "size")) != NULL &&
	    ynode_int(doc, n, 0, 10000000, &cc->cache_size) < 0)
		rc = -1;
	if ((n = ymap_get(v, "ttl")) != NULL &&
	    ynode_duration(doc, n, 1000, 0, 7 * 86400 * 1000LL,
	    &cc->cache_ttl_ms) < 0)
		rc = -1;
	return rc;
}
