/*
 * fwconfig.c - parse the `firewall:` section (see fwconfig.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/fwclient.h"
#include "policyd/fwconfig.h"
#include "policyd/fwgate.h"
#include "policyd/fwqueue.h"

#define DAY_MS (86400LL * 1000)

static const char *const fw_keys[] = {
	"enabled", "socket", "after", "window", "classes", "ttl",
	"queue_size", "backoff", "reply_timeout", "track", "ipv6_prefix", NULL
};
static const char *const backoff_keys[] = { "min", "max", NULL };

void
fwconfig_init(struct fwconfig *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->after = FWCONFIG_AFTER_DEFAULT;
	fc->window_ms = FWCONFIG_WINDOW_DEFAULT_MS;
	fc->queue_size = FWCONFIG_QUEUE_DEFAULT;
	fc->backoff_min_ms = FWCONFIG_BACKOFF_MIN_MS;
	fc->backoff_max_ms = FWCONFIG_BACKOFF_MAX_MS;
	fc->reply_timeout_ms = FWCONFIG_REPLY_TIMEOUT_MS;
	fc->track = FWGATE_TRACK_DEFAULT;
	fc->ipv6_prefix = FWGATE_V6_PREFIX_DEFAULT;
}

void
fwconfig_release(struct fwconfig *fc)
{
	free(fc->socket);
	fc->socket = NULL;
}

static int
parse_classes(struct ydoc *doc, const struct ynode *n, unsigned *out)
{
	struct ynode *const *items;
	size_t count;
	int rc = 0;

	if (ynode_seq(doc, n, true, &items, &count) < 0)
		return -1;
	*out = 0;
	for (size_t i = 0; i < count; i++) {
		const char *s;
		unsigned bit;

		if (ynode_str(doc, items[i], &s) < 0) {
			rc = -1;
			continue;
		}
		if ((bit = fwgate_class_bit(s)) == 0) {
			char esc[64];
			ydoc_error(doc, items[i], "unknown class \"%s\" (one of "
			    "dynamic, static, generic, mail, none, unknown)",
			    log_escs(esc, sizeof(esc), s));
			rc = -1;
		}
		*out |= bit;
	}
	if (rc == 0 && count == 0) {
		ydoc_error(doc, n, "classes: empty list (leave it out to "
		    "block every refused class, or set enabled: false)");
		rc = -1;
	}
	return rc;
}

static int
parse_backoff(struct ydoc *doc, const struct ynode *n, struct fwconfig *fc)
{
	const struct ynode *v;
	int rc = 0;

	if (n->type == YN_SCALAR) {
		if (ynode_duration(doc, n, 1000, 1, DAY_MS,
		    &fc->backoff_max_ms) < 0)
			return -1;
		if (fc->backoff_min_ms > fc->backoff_max_ms)
			fc->backoff_min_ms = fc->backoff_max_ms;
		return 0;
	}
	if (ymap_check(doc, n, backoff_keys) < 0)
		rc = -1;
	if ((v = ymap_get(n, "min")) != NULL &&
	    ynode_duration(doc, v, 1000, 1, DAY_MS, &fc->backoff_min_ms) < 0)
		rc = -1;
	if ((v = ymap_get(n, "max")) != NULL &&
	    ynode_duration(doc, v, 1000, 1, DAY_MS, &fc->backoff_max_ms) < 0)
		rc = -1;
	return rc;
}

int
fwconfig_parse(struct ydoc *doc, const struct ynode *n, struct fwconfig *fc)
{
	const struct ynode *v, *en;
	long long ll;
	int rc = 0;

	if (ynode_is_null(n))
		return 0;                       /* "firewall:" alone: disabled */
	if (n->type != YN_MAP) {
		ydoc_error(doc, n, "firewall: expected a mapping");
		return -1;
	}
	if (ymap_check(doc, n, fw_keys) < 0)
		rc = -1;                        /* unknown or duplicate keys */

	if ((v = ymap_get(n, "socket")) != NULL) {
		const char *s;
		struct sockaddr_un sun;

		if (ynode_str(doc, v, &s) < 0)
			rc = -1;
		else if (*s == '\0' || strlen(s) >= sizeof(sun.sun_path)) {
			ydoc_error(doc, v, "socket: path empty or longer than "
			    "%zu bytes", sizeof(sun.sun_path) - 1);
			rc = -1;
		} else {
			free(fc->socket);
			fc->socket = xstrdup(s);
		}
	}
	fc->enabled = fc->socket != NULL;
	if ((en = ymap_get(n, "enabled")) != NULL &&
	    ynode_bool(doc, en, &fc->enabled) < 0)
		rc = -1;
	if (en != NULL && fc->enabled && fc->socket == NULL &&
	    ymap_get(n, "socket") == NULL) {
		ydoc_error(doc, n, "firewall: enabled needs a socket");
		rc = -1;
	}
	if ((v = ymap_get(n, "after")) != NULL) {
		if (ynode_int(doc, v, 1, FWGATE_AFTER_MAX, &ll) < 0)
			rc = -1;
		else
			fc->after = (int)ll;
	}
	if ((v = ymap_get(n, "window")) != NULL &&
	    ynode_duration(doc, v, 1000, 1000, 7 * DAY_MS, &fc->window_ms) < 0)
		rc = -1;
	if ((v = ymap_get(n, "classes")) != NULL &&
	    parse_classes(doc, v, &fc->classes) < 0)
		rc = -1;
	if ((v = ymap_get(n, "ttl")) != NULL) {
		if (ynode_duration(doc, v, 1000, 1000, 366 * DAY_MS, &ll) < 0)
			rc = -1;
		else
			fc->ttl = ll / 1000;
	}
	if ((v = ymap_get(n, "queue_size")) != NULL) {
		if (ynode_int(doc, v, 1, FWQUEUE_SIZE_MAX, &ll) < 0)
			rc = -1;
		else
			fc->queue_size = (size_t)ll;
	}
	if ((v = ymap_get(n, "backoff")) != NULL &&
	    parse_backoff(doc, v, fc) < 0)
		rc = -1;
	if (fc->backoff_min_ms > fc->backoff_max_ms) {
		ydoc_error(doc, v, "backoff: min is larger than max");
		rc = -1;
	}
	if ((v = ymap_get(n, "reply_timeout")) != NULL &&
	    ynode_duration(doc, v, 1000, 100, DAY_MS,
	    &fc->reply_timeout_ms) < 0)
		rc = -1;
	if ((v = ymap_get(n, "track")) != NULL) {
		if (ynode_int(doc, v, 16, FWGATE_TRACK_MAX, &ll) < 0)
			rc = -1;
		else
			fc->track = (size_t)ll;
	}
	if ((v = ymap_get(n, "ipv6_prefix")) != NULL) {
		if (ynode_int(doc, v, 32, 128, &ll) < 0)
			rc = -1;
		else
			fc->ipv6_prefix = (int)ll;
	}
	return rc;
}

void
fwconfig_gate_params(const struct fwconfig *fc, struct fwgate_params *p)
{
	memset(p, 0, sizeof(*p));
	p->enabled = fc->enabled;
	p->after = fc->after;
	p->window_ms = fc->window_ms;
	p->hold_ms = fc->ttl > 0 ? fc->ttl * 1000 : FWCONFIG_HOLD_DEFAULT_MS;
	p->classes = fc->classes;
	p->track_max = fc->track;
	p->v6_prefix = fc->ipv6_prefix;
}

void
fwconfig_client_opts(const struct fwconfig *fc, struct fwclient_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->socket = fc->socket;
	o->queue_size = fc->queue_size;
	o->ttl = fc->ttl;
	o->backoff_min_ms = fc->backoff_min_ms;
	o->backoff_max_ms = fc->backoff_max_ms;
	o->reply_timeout_ms = fc->reply_timeout_ms;
}
