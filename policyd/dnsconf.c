/*
 * dnsconf.c - parse the `dns:` section (see dnsconf.h).  Pure: no I/O.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/num.h"
#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/actions.h"
#include "policyd/config.h"
#include "policyd/dnsconf.h"

#define DAY_MS (86400LL * 1000)

static const char *const dns_keys[] = {
	"servers", "timeout_ms", "ptr", "forward_confirm", "tempfail_action",
	"cache_size", "negative_ttl", "min_ttl", "max_ttl", "dnsbl", NULL
};
static const char *const zone_keys[] = { "zone", "ipv6", "codes", NULL };
static const char *const classes[] = {
	"dynamic", "static", "generic", "mail", "none", "unknown", NULL
};

/* "IP", "IP:PORT", "[V6]", "[V6]:PORT", bare V6: canonical "IP:PORT" or
 * "[V6]:PORT" in out (port 53 when absent); -1 with *why on error. */
static int
server_canon(const char *s, char *out, size_t size, const char **why)
{
	struct addr a;
	char txt[ADDR_STRLEN];
	const char *port = NULL, *e;
	long long p = 53;
	size_t hl;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL) {
			*why = "missing ']'";
			return -1;
		}
		hl = (size_t)(rb - s - 1);
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1] != '\0') {
			*why = "expected ':PORT' after ']'";
			return -1;
		}
		s++;
	} else {
		const char *c = strchr(s, ':');
		hl = strlen(s);
		if (c != NULL && strchr(c + 1, ':') == NULL) {   /* v4:port */
			hl = (size_t)(c - s);
			port = c + 1;
		}
	}
	if (hl > ADDR_STRLEN || addr_parse_n(&a, s, hl) < 0) {
		*why = "not an IP address (names are not allowed here)";
		return -1;
	}
	if (port != NULL && num_parse(port, 1, 65535, &p, &e) < 0) {
		*why = "bad port";
		return -1;
	}
	addr_format(&a, txt, sizeof(txt));
	if (a.family == AF_INET6)
		snprintf(out, size, "[%s]:%lld", txt, p);
	else
		snprintf(out, size, "%s:%lld", txt, p);
	return 0;
}

static int
parse_servers(struct ydoc *doc, const struct ynode *n, struct dns_config *dc)
{
	struct ynode *const *items;
	size_t count;
	int rc = 0;

	if (ynode_seq(doc, n, true, &items, &count) < 0)
		return -1;
	if (count > DNSCONF_SERVERS_MAX) {
		ydoc_error(doc, n, "servers: at most %d", DNSCONF_SERVERS_MAX);
		return -1;
	}
	dc->servers = xcalloc(count ? count : 1, sizeof(char *));
	for (size_t i = 0; i < count; i++) {
		const char *s, *why;
		char canon[ADDR_STRLEN + 10], esc[80];

		if (ynode_str(doc, items[i], &s) < 0) {
			rc = -1;
			continue;
		}
		if (server_canon(s, canon, sizeof(canon), &why) < 0) {
			ydoc_error(doc, items[i], "dns server \"%s\": %s",
			    log_escs(esc, sizeof(esc), s), why);
			rc = -1;
			continue;
		}
		dc->servers[dc->nservers++] = xstrdup(canon);
	}
	return rc;
}

/* The same check as the classes' actions (actions.c). */
static int
check_action(struct ydoc *doc, const struct ynode *n, const char *s)
{
	const char *err;

	if (action_check(s, &err) < 0) {
		ydoc_error(doc, n, "tempfail_action: %s", err);
		return -1;
	}
	return 0;
}

/* "127.0.0.10" or "127.0.0.2-127.0.0.9". */
static int
parse_code(struct ydoc *doc, const struct ynode *k, struct dnsbl_code *c)
{
	char lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN];
	const char *dash = strchr(k->str, '-');
	struct in_addr a, b;
	size_t ll = dash ? (size_t)(dash - k->str) : k->len;

	if (ll >= sizeof(lo) || (dash && strlen(dash + 1) >= sizeof(hi)))
		goto bad;
	memcpy(lo, k->str, ll);
	lo[ll] = '\0';
	snprintf(hi, sizeof(hi), "%s", dash ? dash + 1 : lo);
	if (inet_pton(AF_INET, lo, &a) != 1 || inet_pton(AF_INET, hi, &b) != 1)
		goto bad;
	c->lo = ntohl(a.s_addr);
	c->hi = ntohl(b.s_addr);
	if (c->lo > c->hi) {
		ydoc_error(doc, k, "code range: first address above the last");
		return -1;
	}
	return 0;
bad:
	ydoc_error(doc, k, "code: expected an IPv4 answer such as 127.0.0.10 "
	    "or a range 127.0.0.2-127.0.0.9");
	return -1;
}

/* What makes the l bytes of zone no name a query can be made of, or
 * NULL: every label 1 to 63 bytes. */
static const char *
zone_labels_bad(const char *zone, size_t l)
{
	for (size_t i = 0, n; i < l; i += n + 1) {
		n = strcspn(zone + i, ".");
		if (n > l - i)
			n = l - i;
		if (n == 0)
			return "an empty label";
		if (n > 63)
			return "a label longer than 63 bytes";
	}
	return NULL;
}

static int
parse_zone(struct ydoc *doc, const struct ynode *n, struct dnsbl_zone *z)
{
	const struct ynode *v, *codes;
	const char *s, *why;
	int rc = 0;
	bool b;

	if (ymap_check(doc, n, zone_keys) < 0 && n->type != YN_MAP)
		return -1;
	if ((v = ymap_get(n, "zone")) == NULL) {
		ydoc_error(doc, n, "dnsbl: missing \"zone\"");
		rc = -1;
	} else if (ynode_str(doc, v, &s) == 0) {
		size_t l = strlen(s);
		if (l > 0 && s[l - 1] == '.')
			l--;
		if (l == 0 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") != strlen(s)) {
			ydoc_error(doc, v, "zone: not a domain name");
			rc = -1;
		} else if (l > DNSCONF_ZONE_MAX) {
			ydoc_error(doc, v, "zone: longer than %d bytes (an "
			    "IPv6 client's query must fit in a DNS name)",
			    DNSCONF_ZONE_MAX);
			rc = -1;
		} else if ((why = zone_labels_bad(s, l)) != NULL) {
			ydoc_error(doc, v, "zone: %s", why);
			rc = -1;
		} else
			z->zone = xstrndup(s, l);
	} else
		rc = -1;
	if ((v = ymap_get(n, "ipv6")) != NULL) {
		if (ynode_bool(doc, v, &b) < 0)
			rc = -1;
		else
			z->no_ipv6 = !b;
	}
	if ((codes = ymap_get(n, "codes")) == NULL) {
		ydoc_error(doc, n, "dnsbl: missing \"codes\" (answer -> class)");
		return -1;
	}
	if (codes->type != YN_MAP || YMAP_NPAIRS(codes) == 0) {
		ydoc_error(doc, codes, "codes: expected a mapping of answers "
		    "to classes");
		return -1;
	}
	z->codes = xcalloc(YMAP_NPAIRS(codes), sizeof(*z->codes));
	for (size_t i = 0; i < YMAP_NPAIRS(codes); i++) {
		struct dnsbl_code c = { 0, 0, NULL };
		int k;

		if (parse_code(doc, YMAP_KEY(codes, i), &c) < 0) {
			rc = -1;
			continue;
		}
		if (ynode_enum(doc, YMAP_VAL(codes, i), classes, &k) < 0) {
			rc = -1;
			continue;
		}
		c.class = xstrdup(classes[k]);
		z->codes[z->ncodes++] = c;
	}
	return rc;
}

static int
parse_dnsbl(struct ydoc *doc, const struct ynode *n, struct dns_config *dc)
{
	struct ynode *const *items;
	size_t count;
	int rc = 0;

	if (ynode_seq(doc, n, false, &items, &count) < 0)
		return -1;
	if (count > DNSCONF_ZONES_MAX) {
		ydoc_error(doc, n, "dnsbl: at most %d zones", DNSCONF_ZONES_MAX);
		return -1;
	}
	dc->zones = xcalloc(count ? count : 1, sizeof(*dc->zones));
	for (size_t i = 0; i < count; i++) {
		if (parse_zone(doc, items[i], &dc->zones[dc->nzones++]) < 0)
			rc = -1;
	}
	return rc;
}

static int
parse_ttl(struct ydoc *doc, const struct ynode *n, long long *out, bool *set)
{
	long long ms;

	if (n == NULL)
		return 0;
	if (ynode_duration(doc, n, 1000, 0, 7 * DAY_MS, &ms) < 0)
		return -1;
	*out = ms / 1000;
	*set = true;
	return 0;
}

int
dnsconf_parse(struct ydoc *doc, const struct ynode *n, struct dns_config *dc)
{
	const struct ynode *v;
	const char *s;
	int rc = 0;

	if (n == NULL)
		return 0;
	dc->parsed = true;
	if (ynode_is_null(n))
		return 0;
	if (ymap_check(doc, n, dns_keys) < 0) {
		rc = -1;
		if (n->type != YN_MAP)
			return -1;
	}
	if ((v = ymap_get(n, "servers")) != NULL && parse_servers(doc, v, dc) < 0)
		rc = -1;
	if ((v = ymap_get(n, "timeout_ms")) != NULL &&
	    ynode_duration(doc, v, 1, 10, 60 * 1000, &dc->timeout_ms) < 0)
		rc = -1;
	if ((v = ymap_get(n, "ptr")) != NULL) {
		bool b;
		if (ynode_bool(doc, v, &b) < 0)
			rc = -1;
		dc->no_ptr = !b;
	}
	if ((v = ymap_get(n, "forward_confirm")) != NULL &&
	    ynode_bool(doc, v, &dc->forward_confirm) < 0)
		rc = -1;
	if ((v = ymap_get(n, "tempfail_action")) != NULL) {
		if (ynode_str(doc, v, &s) < 0 || check_action(doc, v, s) < 0)
			rc = -1;
		else
			dc->tempfail_action = xstrdup(s);
	}
	if ((v = ymap_get(n, "cache_size")) != NULL &&
	    ynode_int(doc, v, 1, DNSCONF_CACHE_MAX, &dc->cache_size) < 0)
		rc = -1;
	if (parse_ttl(doc, ymap_get(n, "negative_ttl"), &dc->negative_ttl_s,
	    &dc->negative_ttl_set) < 0 ||
	    parse_ttl(doc, ymap_get(n, "min_ttl"), &dc->min_ttl_s,
	    &dc->min_ttl_set) < 0 ||
	    parse_ttl(doc, ymap_get(n, "max_ttl"), &dc->max_ttl_s,
	    &dc->max_ttl_set) < 0)
		rc = -1;
	if (rc == 0 && dnsconf_min_ttl(dc) > dnsconf_max_ttl(dc)) {
		ydoc_error(doc, ymap_get(n, "min_ttl") ? ymap_get(n, "min_ttl") :
		    ymap_get(n, "max_ttl"), "min_ttl is above max_ttl");
		rc = -1;
	}
	if ((v = ymap_get(n, "dnsbl")) != NULL && parse_dnsbl(doc, v, dc) < 0)
		rc = -1;
	return rc;
}

void
dnsconf_release(struct dns_config *dc)
{
	for (size_t i = 0; i < dc->nservers; i++)
		free(dc->servers[i]);
	free(dc->servers);
	for (size_t i = 0; i < dc->nzones; i++) {
		for (size_t j = 0; j < dc->zones[i].ncodes; j++)
			free(dc->zones[i].codes[j].class);
		free(dc->zones[i].codes);
		free(dc->zones[i].zone);
	}
	free(dc->zones);
	free(dc->tempfail_action);
	memset(dc, 0, sizeof(*dc));
}

int
dns_config_parse(struct ydoc *doc, const struct ynode *n, struct config *cfg)
{
	return dnsconf_parse(doc, n, &cfg->dns);
}

void
dns_config_free(struct config *cfg)
{
	dnsconf_release(&cfg->dns);
}

long long
dnsconf_timeout_ms(const struct dns_config *dc)
{
	return dc->timeout_ms > 0 ? dc->timeout_ms : DNSCONF_TIMEOUT_MS_DEFAULT;
}

const char *
dnsconf_tempfail_action(const struct dns_config *dc)
{
	return dc->tempfail_action ? dc->tempfail_action : DNSCONF_TEMPFAIL_DEFAULT;
}

size_t
dnsconf_cache_size(const struct dns_config *dc)
{
	return (size_t)(dc->cache_size > 0 ? dc->cache_size : DNSCONF_CACHE_DEFAULT);
}

unsigned
dnsconf_negative_ttl(const struct dns_config *dc)
{
	return dc->negative_ttl_set ? (unsigned)dc->negative_ttl_s :
	    DNSCONF_NEG_TTL_DEFAULT_S;
}

unsigned
dnsconf_min_ttl(const struct dns_config *dc)
{
	return dc->min_ttl_set ? (unsigned)dc->min_ttl_s : DNSCONF_MIN_TTL_DEFAULT_S;
}

unsigned
dnsconf_max_ttl(const struct dns_config *dc)
{
	return dc->max_ttl_set ? (unsigned)dc->max_ttl_s : DNSCONF_MAX_TTL_DEFAULT_S;
}

const char *
dnsconf_code_class(const struct dnsbl_zone *z, uint32_t answer)
{
	for (size_t i = 0; i < z->ncodes; i++) {
		if (answer >= z->codes[i].lo && answer <= z->codes[i].hi)
			return z->codes[i].class;
	}
	return NULL;
}

char *
dnsconf_servers_csv(const struct dns_config *dc)
{
	size_t len = 1;
	char *s;

	if (dc->nservers == 0)
		return NULL;
	for (size_t i = 0; i < dc->nservers; i++)
		len += strlen(dc->servers[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (size_t i = 0; i < dc->nservers; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, dc->servers[i]);
	}
	return s;
}
