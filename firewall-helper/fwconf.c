/*
 * fwconf.c - load firewall-helper's YAML configuration.
 *
 * Every key is optional; fwconf.h holds the defaults.  Errors are recorded
 * in the ydoc at the offending node (FILE:LINE:COL: message) and loading
 * goes on, so one run reports all of them.  A socket is either a path
 * (`command_socket: /run/x.sock`) or a mapping with path, mode, group,
 * allow_users and allow_groups.
 */
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/addr.h"
#include "common/xmalloc.h"
#include "common/yconf.h"
#include "firewall-helper/fw_backend.h"
#include "firewall-helper/fwconf.h"

const char *const fwconf_builtin_never[] = {
	"127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10",
	"0.0.0.0/8", "::/128", "224.0.0.0/4", "ff00::/8",
	"255.255.255.255/32", NULL
};

static const char *const top_keys[] = {
	"command_socket", "status_socket", "backend", "chain", "ttl",
	"max_entries", "when_full", "journal", "batch_window",
	"reconcile_interval", "never_block", "ports", "interface",
	"reject_with", "log", "log_prefix", "user", "xtables_lock",
	"nft_table", "set_name", NULL
};
static const char *const sock_keys[] = {
	"path", "mode", "group", "allow_users", "allow_groups", "idle_timeout",
	NULL
};
static const char *const full_words[] = { "evict", "refuse", NULL };
static const char *const reject_words[] = {
	"icmp-port-unreachable", "tcp-reset", "drop", NULL
};

/* A non-empty string without control characters. */
static int get_str(struct ydoc *d, const struct ynode *n, char **out)
{
	const char *s;

	if (ynode_str(d, n, &s) == -1)
		return -1;
	if (*s == '\0') {
		ydoc_error(d, n, "empty value");
		return -1;
	}
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			ydoc_error(d, n, "control character in value");
			return -1;
		}
	free(*out);
	*out = xstrdup(s);
	return 0;
}

static int get_path(struct ydoc *d, const struct ynode *n, char **out)
{
	if (get_str(d, n, out) == -1)
		return -1;
	if ((*out)[0] != '/') {
		ydoc_error(d, n, "path must be absolute: %s", *out);
		return -1;
	}
	return 0;
}

static int resolve_group(struct ydoc *d, const struct ynode *n, gid_t *gid)
{
	const char *s;
	struct group *gr;

	if (ynode_str(d, n, &s) == -1)
		return -1;
	if ((gr = getgrnam(s)) == NULL) {
		ydoc_error(d, n, "unknown group: %s", s);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

static int resolve_user(struct ydoc *d, const struct ynode *n, uid_t *uid,
    gid_t *gid)
{
	const char *s;
	struct passwd *pw;

	if (ynode_str(d, n, &s) == -1)
		return -1;
	if ((pw = getpwnam(s)) == NULL) {
		ydoc_error(d, n, "unknown user: %s", s);
		return -1;
	}
	*uid = pw->pw_uid;
	if (gid)
		*gid = pw->pw_gid;
	return 0;
}

static void load_ids(struct ydoc *d, const struct ynode *n, bool users,
    struct fwh_sockcfg *sc)
{
	struct ynode *const *items;
	size_t cnt;

	if (ynode_seq(d, n, true, &items, &cnt) == -1)
		return;
	for (size_t i = 0; i < cnt; i++) {
		if (users) {
			uid_t u;
			if (resolve_user(d, items[i], &u, NULL) == 0) {
				sc->uids = xreallocarray(sc->uids, sc->nuids + 1, sizeof(*sc->uids));
				sc->uids[sc->nuids++] = u;
			}
		} else {
			gid_t g;
			if (resolve_group(d, items[i], &g) == 0) {
				sc->gids = xreallocarray(sc->gids, sc->ngids + 1, sizeof(*sc->gids));
				sc->gids[sc->ngids++] = g;
			}
		}
	}
}

static void load_sock(struct ydoc *d, const struct ynode *n, struct fwh_sockcfg *sc)
{
	struct ynode *v;

	if (n->type == YN_SCALAR) {
		get_path(d, n, &sc->path);
		return;
	}
	if (ymap_check(d, n, sock_keys) == -1 && n->type != YN_MAP)
		return;
	if ((v = ymap_get(n, "path")) != NULL)
		get_path(d, v, &sc->path);
	if ((v = ymap_get(n, "mode")) != NULL)
		ynode_mode(d, v, &sc->mode);
	if ((v = ymap_get(n, "group")) != NULL &&
	    resolve_group(d, v, &sc->gid) == 0)
		get_str(d, v, &sc->group);
	if ((v = ymap_get(n, "allow_users")) != NULL)
		load_ids(d, v, true, sc);
	if ((v = ymap_get(n, "allow_groups")) != NULL)
		load_ids(d, v, false, sc);
	if ((v = ymap_get(n, "idle_timeout")) != NULL)
		ynode_duration(d, v, 1000, 0, 86400LL * 1000, &sc->idle_ms);
}

static void load_never(struct ydoc *d, const struct ynode *n, struct fwh_config *c)
{
	struct ynode *const *items;
	size_t cnt;
	const char *s, *why;
	struct cidr cd;

	if (ynode_seq(d, n, true, &items, &cnt) == -1)
		return;
	for (size_t i = 0; i < cnt; i++) {
		if (ynode_str(d, items[i], &s) == -1)
			continue;
		if (cidr_parse(&cd, s, &why) == -1) {
			ydoc_error(d, items[i], "bad CIDR %s: %s", s, why ? why : "invalid");
			continue;
		}
		c->never = xreallocarray(c->never, c->nnever + 1, sizeof(*c->never));
		c->never[c->nnever++] = cd;
	}
}

/* "25", "465", "1000:2000" (also 1000-2000); an empty list: every port. */
static void load_ports(struct ydoc *d, const struct ynode *n, struct fwh_config *c)
{
	struct ynode *const *items;
	size_t cnt, nent = 0;

	if (ynode_seq(d, n, true, &items, &cnt) == -1)
		return;
	c->nports = 0;
	if (cnt > FWH_PORTS_MAX) {
		ydoc_error(d, n, "at most %d ports or ranges", FWH_PORTS_MAX);
		return;
	}
	for (size_t i = 0; i < cnt; i++) {
		const char *s, *sep;
		char *end;
		unsigned long lo, hi;

		if (ynode_str(d, items[i], &s) == -1)
			continue;
		lo = strtoul(s, &end, 10);
		sep = end;
		hi = lo;
		if (end != s && (*sep == ':' || *sep == '-'))
			hi = strtoul(sep + 1, &end, 10);
		if (end == s || *end != '\0' || s[0] == '-' || s[0] == '+' ||
		    lo < 1 || hi > 65535 || lo > hi) {
			ydoc_error(d, items[i], "bad port or range: %s", s);
			continue;
		}
		if (nent + 1 + (lo != hi) > FWH_PORTS_MAX) {
			ydoc_error(d, items[i], "too many ports: %d at most, a range counts two",
			    FWH_PORTS_MAX);
			return;
		}
		nent += 1 + (lo != hi);
		c->ports[c->nports].lo = (uint16_t)lo;
		c->ports[c->nports].hi = (uint16_t)hi;
		c->nports++;
	}
}

static void load_chain(struct ydoc *d, const struct ynode *n, struct fwh_config *c)
{
	static const char *const builtin[] = { "INPUT", "OUTPUT", "FORWARD",
	    "ACCEPT", "DROP", "REJECT", "RETURN", "QUEUE", "LOG", NULL };
	char *s = NULL;

	if (get_str(d, n, &s) == -1)
		return;
	if (strlen(s) > FWH_CHAIN_MAX || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(s) || s[0] == '-') {
		ydoc_error(d, n, "chain name must be 1..%d letters, digits, '_' or '-'",
		    FWH_CHAIN_MAX);
		free(s);
		return;
	}
	for (int i = 0; builtin[i]; i++)
		if (strcmp(s, builtin[i]) == 0) {
			ydoc_error(d, n, "chain name %s is reserved", s);
			free(s);
			return;
		}
	free(c->chain);
	c->chain = s;
}

/* nft_table, set_name: they go into nft commands and ipset names. */
static void load_setname(struct ydoc *d, const struct ynode *n, char **out)
{
	char *s = NULL;

	if (get_str(d, n, &s) == -1)
		return;
	if (strlen(s) < 1 || strlen(s) > FWH_SET_NAME_MAX ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") < 1 ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != strlen(s)) {
		ydoc_error(d, n, "name must be a letter, then up to %d letters, "
		    "digits, '_' or '-'", FWH_SET_NAME_MAX - 1);
		free(s);
		return;
	}
	free(*out);
	*out = s;
}

static void load_keys(struct ydoc *d, const struct ynode *r, struct fwh_config *c)
{
	struct ynode *v;
	long long ms;
	int idx;

	if ((v = ymap_get(r, "command_socket")) != NULL)
		load_sock(d, v, &c->cmd);
	if ((v = ymap_get(r, "status_socket")) != NULL)
		load_sock(d, v, &c->status);
	if ((v = ymap_get(r, "backend")) != NULL) {
		/* `backend: null` is YAML's null: take it as the backend's name */
		if (v->type == YN_SCALAR && !v->quoted && strcasecmp(v->str, "null") == 0) {
			free(c->backend);
			c->backend = xstrdup("null");
		} else if (get_str(d, v, &c->backend) == 0 &&
		    fw_backend_find(c->backend) == NULL)
			ydoc_error(d, v, "unknown backend: %s", c->backend);
	}
	if ((v = ymap_get(r, "chain")) != NULL)
		load_chain(d, v, c);
	if ((v = ymap_get(r, "ttl")) != NULL &&
	    ynode_duration(d, v, 1000, 0, 366LL * 86400 * 1000, &ms) == 0)
		c->ttl = ms / 1000;
	if ((v = ymap_get(r, "max_entries")) != NULL)
		ynode_int(d, v, 1, 10000000, &c->max_entries);
	if ((v = ymap_get(r, "when_full")) != NULL && ynode_enum(d, v, full_words, &idx) == 0)
		c->when_full = idx;
	if ((v = ymap_get(r, "journal")) != NULL && !ynode_is_null(v))
		get_path(d, v, &c->journal);
	if ((v = ymap_get(r, "batch_window")) != NULL)
		ynode_duration(d, v, 1, 0, 5000, &c->batch_ms);
	if ((v = ymap_get(r, "reconcile_interval")) != NULL)
		ynode_duration(d, v, 1000, 1000, 86400LL * 1000, &c->reconcile_ms);
	if ((v = ymap_get(r, "never_block")) != NULL)
		load_never(d, v, c);
	if ((v = ymap_get(r, "ports")) != NULL)
		load_ports(d, v, c);
	if ((v = ymap_get(r, "interface")) != NULL && !ynode_is_null(v) &&
	    get_str(d, v, &c->interface) == 0 && strlen(c->interface) >= 16) {
		ydoc_error(d, v, "interface name longer than 15 characters");
	}
	if ((v = ymap_get(r, "reject_with")) != NULL && ynode_enum(d, v, reject_words, &idx) == 0)
		c->reject_with = idx;
	if ((v = ymap_get(r, "log")) != NULL)
		ynode_bool(d, v, &c->log);
	if ((v = ymap_get(r, "log_prefix")) != NULL && get_str(d, v, &c->log_prefix) == 0 &&
	    strlen(c->log_prefix) > FWH_LOG_PREFIX_MAX)
		ydoc_error(d, v, "log_prefix longer than %d characters", FWH_LOG_PREFIX_MAX);
	if ((v = ymap_get(r, "user")) != NULL && !ynode_is_null(v) &&
	    resolve_user(d, v, &c->uid, &c->gid) == 0)
		get_str(d, v, &c->user);
	if ((v = ymap_get(r, "xtables_lock")) != NULL)
		get_path(d, v, &c->xtables_lock);
	if ((v = ymap_get(r, "nft_table")) != NULL)
		load_setname(d, v, &c->nft_table);
	if ((v = ymap_get(r, "set_name")) != NULL)
		load_setname(d, v, &c->set_name);
}

static void sock_defaults(struct fwh_sockcfg *sc, const char *path)
{
	sc->path = xstrdup(path);
	sc->mode = FWH_DEF_SOCKET_MODE;
	sc->gid = (gid_t)-1;
}

struct fwh_config *fwconf_load(const char *path, struct ydoc **doc_out)
{
	struct ydoc *d = ydoc_load_file(path);
	struct fwh_config *c = xcalloc(1, sizeof(*c));
	const char *env;

	c->file = xstrdup(path);
	sock_defaults(&c->cmd, FWH_DEF_COMMAND_SOCKET);
	sock_defaults(&c->status, FWH_DEF_STATUS_SOCKET);
	c->status.idle_ms = FWH_DEF_STATUS_IDLE_MS;
	c->backend = xstrdup(FWH_DEF_BACKEND);
	c->chain = xstrdup(FWH_DEF_CHAIN);
	c->ttl = FWH_DEF_TTL;
	c->max_entries = FWH_DEF_MAX_ENTRIES;
	c->when_full = FWH_FULL_EVICT;
	c->batch_ms = FWH_DEF_BATCH_MS;
	c->reconcile_ms = FWH_DEF_RECONCILE_MS;
	c->ports[0].lo = c->ports[0].hi = FWH_DEF_PORT;
	c->nports = 1;
	c->reject_with = FWH_REJECT_TCP_RESET;
	c->log_prefix = xstrdup(FWH_DEF_LOG_PREFIX);
	c->uid = (uid_t)-1;
	c->gid = (gid_t)-1;
	env = getenv("XTABLES_LOCKFILE");
	c->xtables_lock = xstrdup(env && *env ? env : FWH_DEF_XTABLES_LOCK);
	c->nft_table = xstrdup(FWH_DEF_NFT_TABLE);
	c->set_name = xstrdup(FWH_DEF_SET_NAME);

	if (d->nerrs == 0 && d->root != NULL) {
		if (ymap_check(d, d->root, top_keys) == 0 || d->root->type == YN_MAP)
			load_keys(d, d->root, c);
	}
	if (d->nerrs == 0 && strcmp(c->cmd.path, c->status.path) == 0) {
		struct ynode *v = d->root ? ymap_get(d->root, "status_socket") : NULL;
		if (v && v->type == YN_MAP && ymap_get(v, "path"))
			v = ymap_get(v, "path");
		ydoc_error(d, v, "command_socket and status_socket are the same path");
	}
	*doc_out = d;
	if (d->nerrs > 0) {
		fwconf_free(c);
		return NULL;
	}
	return c;
}

static void sock_free(struct fwh_sockcfg *sc)
{
	free(sc->path);
	free(sc->group);
	free(sc->uids);
	free(sc->gids);
}

void fwconf_free(struct fwh_config *c)
{
	if (c == NULL)
		return;
	free(c->file);
	sock_free(&c->cmd);
	sock_free(&c->status);
	free(c->backend);
	free(c->chain);
	free(c->journal);
	free(c->never);
	free(c->interface);
	free(c->log_prefix);
	free(c->user);
	free(c->xtables_lock);
	free(c->nft_table);
	free(c->set_name);
	free(c);
}
