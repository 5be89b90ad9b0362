/*
 * config.c - load and check policyd.yaml (see config.h for the contract).
 *
 * One function per top-level key, listed in sections[]; the keys of the
 * file are checked against that table, so a section added there is known.
 * Every parser records its errors in the ydoc and carries on, so that one
 * run reports every problem.  Sections of other modules go in the same
 * table (their parser lives in their module); what they allocate is freed
 * through frees[].
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/num.h"
#include "common/sock.h"
#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/actions.h"
#include "policyd/classify_config.h"
#include "policyd/config.h"
#include "policyd/policy.h"
#include "policyd/policy_proto.h"
#include "policyd/statsconf.h"

typedef int section_fn(struct ydoc *doc, const struct ynode *v,
    struct config *cfg);

static section_fn parse_listen, parse_mode, parse_default_action,
    parse_idle_timeout, parse_deadline, parse_max_connections,
    parse_firewall, parse_log, parse_debug;

static const struct section {
	const char *key;
	section_fn *parse;
} sections[] = {
	{ "listen", parse_listen },
	{ "mode", parse_mode },
	{ "default_action", parse_default_action },
	{ "idle_timeout", parse_idle_timeout },
	{ "deadline", parse_deadline },
	{ "max_connections", parse_max_connections },
	{ "exceptions", classify_config_parse_exceptions },   /* path + file */
	{ "dns", dns_config_parse },            /* policyd/dnsconf.c */
	{ "firewall", parse_firewall },         /* policyd/fwconfig.c */
	{ "log", parse_log },
	{ "debug", parse_debug },
	{ "status_socket", status_socket_config_parse },        /* statsconf.c */
	{ "stats_interval", stats_interval_config_parse },      /* statsconf.c */
	{ "tokens", classify_config_parse_tokens },           /* classify_config.c */
	{ "classes", classify_config_parse_classes },         /* classify_config.c */
	{ "cache", classify_config_parse_cache },             /* classify_config.c */
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

static void free_own(struct config *cfg);
static void (*const frees[])(struct config *) = {
	free_own,
	stats_config_free,
	classify_config_free,
	dns_config_free,
};

static void config_defaults(struct config *cfg)
{
	cfg->refs = 1;
	cfg->mode = CONFIG_MODE_ENFORCE;
	cfg->default_action = xstrdup(CONFIG_DEFAULT_ACTION);
	cfg->idle_timeout_ms = CONFIG_DEFAULT_IDLE_MS;
	cfg->deadline_ms = CONFIG_DEFAULT_DEADLINE_MS;
	cfg->max_connections = CONFIG_DEFAULT_MAX_CONNS;
	cfg->log.ident = xstrdup(CONFIG_DEFAULT_LOG_IDENT);
	cfg->log.requests = CONFIG_LOGREQ_ALL;
	cfg->stats_interval_ms = STATS_INTERVAL_DEFAULT_MS;
	fwconfig_init(&cfg->firewall);
}

/* ---------------------------------------------------------------- listen */

static int parse_id(struct ydoc *doc, const struct ynode *n, bool group,
    unsigned *out)
{
	const char *s;
	long long v;
	const char *e;

	if (ynode_str(doc, n, &s) < 0)
		return -1;
	if (num_parse(s, 0, 0x7fffffff, &v, &e) == 0) {
		*out = (unsigned)v;
		return 0;
	}
	if (group) {
		struct group *g = getgrnam(s);
		if (g != NULL)
			return *out = g->gr_gid, 0;
	} else {
		struct passwd *p = getpwnam(s);
		if (p != NULL)
			return *out = p->pw_uid, 0;
	}
	ydoc_error(doc, n, "unknown %s \"%s\"", group ? "group" : "user", s);
	return -1;
}

static int parse_listen_item(struct ydoc *doc, const struct ynode *n,
    struct listen_config *l)
{
	static const char *const keys[] = { "address", "mode", "owner",
	    "group", NULL };
	const struct ynode *addr = n, *v;
	const char *spec, *err;
	int rc = 0;
	unsigned id;

	l->mode = 0660;
	l->uid = (uid_t)-1;
	l->gid = (gid_t)-1;
	if (n->type == YN_MAP) {
		if (ymap_check(doc, n, keys) < 0)
			rc = -1;
		if ((addr = ymap_get(n, "address")) == NULL) {
			ydoc_error(doc, n, "listen: missing \"address\"");
			return -1;
		}
	}
	if (ynode_str(doc, addr, &spec) < 0)
		return -1;
	if (sock_spec_check(spec, &err) < 0) {
		ydoc_error(doc, addr, "%s", err);
		return -1;
	}
	l->spec = xstrdup(spec);
	if (n->type != YN_MAP)
		return rc;
	for (size_t i = 0; i < YMAP_NPAIRS(n); i++) {
		const char *k = YMAP_KEY(n, i)->str;

		v = YMAP_VAL(n, i);
		if (strcmp(k, "address") == 0 || !strchr("mog", k[0]))
			continue;
		if (strncmp(spec, "unix:", 5) != 0) {
			ydoc_error(doc, YMAP_KEY(n, i),
			    "\"%s\" applies only to unix: sockets", k);
			rc = -1;
		} else if (strcmp(k, "mode") == 0) {
			if (ynode_mode(doc, v, &l->mode) < 0)
				rc = -1;
		} else if (parse_id(doc, v, k[0] == 'g', &id) < 0) {
			rc = -1;
		} else if (k[0] == 'g') {
			l->gid = (gid_t)id;
		} else {
			l->uid = (uid_t)id;
		}
	}
	return rc;
}

static int parse_listen(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	struct ynode *const *items;
	size_t n;
	int rc = 0;

	if (ynode_seq(doc, v, true, &items, &n) < 0)
		return -1;
	if (n == 0) {
		ydoc_error(doc, v, "listen: needs at least one address");
		return -1;
	}
	cfg->listen = xcalloc(n, sizeof(*cfg->listen));
	for (size_t i = 0; i < n; i++) {
		struct listen_config *l = &cfg->listen[cfg->nlisten];

		if (parse_listen_item(doc, items[i], l) < 0)
			rc = -1;
		if (l->spec != NULL)
			cfg->nlisten++;
	}
	return rc;
}

/* ---------------------------------------------------------------- scalars */

static int parse_mode(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	static const char *const words[] = { "enforce", "warn", "off", NULL };
	int m;

	if (ynode_enum(doc, v, words, &m) < 0)
		return -1;
	cfg->mode = (enum config_mode)m;
	return 0;
}

static int parse_default_action(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	const char *s, *err;

	if (ynode_str(doc, v, &s) < 0)
		return -1;
	/* the same check as the classes' actions: Postfix is handed it at
	 * the deadline and in mode: off */
	if (action_check(s, &err) < 0) {
		ydoc_error(doc, v, "default_action: %s", err);
		return -1;
	}
	free(cfg->default_action);
	cfg->default_action = xstrdup(s);
	return 0;
}

/* A duration with its range in the message, e.g. "deadline: must be from
 * 10ms to 100s". */
static int get_duration(struct ydoc *doc, const struct ynode *v,
    const char *key, long long min_ms, const char *min_text, long long max_ms,
    const char *max_text, long long *out)
{
	long long ms;

	if (ynode_duration(doc, v, 1000, 0, 366 * 86400 * 1000LL, &ms) < 0)
		return -1;
	if (ms < min_ms || ms > max_ms) {
		ydoc_error(doc, v, "%s: must be from %s to %s", key, min_text,
		    max_text);
		return -1;
	}
	*out = ms;
	return 0;
}

static int parse_idle_timeout(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	return get_duration(doc, v, "idle_timeout", 1000, "1s",
	    7 * 86400 * 1000LL, "7d", &cfg->idle_timeout_ms);
}

static int parse_deadline(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	return get_duration(doc, v, "deadline", 10, "10ms", 100 * 1000,
	    "100s", &cfg->deadline_ms);
}

static int parse_max_connections(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	return ynode_int(doc, v, 1, 1000000, &cfg->max_connections);
}

/* ---------------------------------------------------------------- sections */

static int parse_firewall(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	return fwconfig_parse(doc, v, &cfg->firewall);
}

static int parse_log(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	static const char *const keys[] = { "ident", "verbose", "requests",
	    NULL };
	static const char *const reqwords[] = { "all", "acted", "none", NULL };
	const struct ynode *n;
	const char *s;
	int rc = ymap_check(doc, v, keys), w;

	if (rc < 0 && (v == NULL || v->type != YN_MAP))
		return -1;
	if ((n = ymap_get(v, "ident")) != NULL) {
		if (ynode_str(doc, n, &s) < 0) {
			rc = -1;
		} else {
			free(cfg->log.ident);
			cfg->log.ident = xstrdup(s);
		}
	}
	if ((n = ymap_get(v, "verbose")) != NULL &&
	    ynode_bool(doc, n, &cfg->log.verbose) < 0)
		rc = -1;
	if ((n = ymap_get(v, "requests")) != NULL) {
		if (ynode_enum(doc, n, reqwords, &w) < 0)
			rc = -1;
		else
			cfg->log.requests = (enum config_log_requests)w;
	}
	return rc;
}

static int parse_debug(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	static const char *const keys[] = { "delay_ms", NULL };
	const struct ynode *n;
	int rc = ymap_check(doc, v, keys);

	if (rc < 0 && (v == NULL || v->type != YN_MAP))
		return -1;
	if ((n = ymap_get(v, "delay_ms")) != NULL &&
	    ynode_int(doc, n, 0, 600000, &cfg->debug_delay_ms) < 0)
		rc = -1;
	return rc;
}

/* ---------------------------------------------------------------- load */

static void errs_take(struct config_errs *errs, struct ydoc *doc)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0, cap;
	FILE *fp;

	if (doc->nerrs == 0)
		return;
	/* ydoc_print_errors sorts by position: reuse it. */
	if ((fp = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	ydoc_print_errors(doc, fp);
	fclose(fp);
	cap = errs->n;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (errs->n == cap) {
			cap = cap ? cap * 2 : 16;
			errs->v = xreallocarray(errs->v, cap, sizeof(char *));
		}
		errs->v[errs->n++] = xstrdup(line);
	}
	free(text);
}

struct config *config_load(const char *path, struct config_errs *errs)
{
	struct ydoc *doc = ydoc_load_file(path);
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	const char *known[NSECTIONS + 1];

	config_defaults(cfg);
	cfg->file = xstrdup(path);
	for (size_t i = 0; i < NSECTIONS; i++)
		known[i] = sections[i].key;
	known[NSECTIONS] = NULL;
	if (doc->root != NULL) {
		/* unknown keys are reported; the known ones are checked anyway */
		(void)ymap_check(doc, doc->root, known);
		for (size_t i = 0; i < NSECTIONS; i++) {
			const struct ynode *v = ymap_get(doc->root,
			    sections[i].key);

			if (v != NULL)
				(void)sections[i].parse(doc, v, cfg);
		}
	}
	if (cfg->nlisten == 0 && ymap_get(doc->root, "listen") == NULL) {
		cfg->listen = xcalloc(1, sizeof(*cfg->listen));
		cfg->listen[0].spec = xstrdup(CONFIG_DEFAULT_LISTEN);
		cfg->listen[0].mode = 0660;
		cfg->listen[0].uid = (uid_t)-1;
		cfg->listen[0].gid = (gid_t)-1;
		cfg->nlisten = 1;
	}
	errs_take(errs, doc);
	if (doc->nerrs > 0) {
		ydoc_free(doc);
		config_unref(cfg);
		return NULL;
	}
	ydoc_free(doc);
	return cfg;
}

/* ---------------------------------------------------------------- lifetime */

static void free_own(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nlisten; i++)
		free(cfg->listen[i].spec);
	free(cfg->listen);
	fwconfig_release(&cfg->firewall);
	free(cfg->log.ident);
	free(cfg->default_action);
	free(cfg->exceptions);
	free(cfg->file);
}

struct config *config_ref(const struct config *cfg)
{
	struct config *c = (struct config *)(uintptr_t)cfg;

	c->refs++;
	return c;
}

void config_unref(struct config *cfg)
{
	if (cfg == NULL || --cfg->refs > 0)
		return;
	for (size_t i = 0; i < sizeof(frees) / sizeof(frees[0]); i++)
		frees[i](cfg);
	free(cfg);
}

void config_errs_print(const struct config_errs *errs, FILE *fp)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(fp, "%s%s\n", log_line_start(fp, LOG_ERR), errs->v[i]);
}

void config_errs_log(const struct config_errs *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		log_warnx("%s", errs->v[i]);
}

void config_errs_free(struct config_errs *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		free(errs->v[i]);
	free(errs->v);
	errs->v = NULL;
	errs->n = 0;
}

const char *config_mode_name(enum config_mode m)
{
	return m == CONFIG_MODE_WARN ? "warn" : m == CONFIG_MODE_OFF ? "off" :
	    "enforce";
}
