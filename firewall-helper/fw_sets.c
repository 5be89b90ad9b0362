/*
 * fw_sets.c - helpers shared by the set backends (see fw_sets.h): option
 * defaults and checks, element timeouts, a growing string for command text,
 * and the "take the other set backends' objects down" step.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fwproto.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "firewall-helper/addrmap.h"
#include "firewall-helper/fw_sets.h"

void
fw_sets_opts_default(struct fw_sets_opts *o)
{
	memset(o, 0, sizeof(*o));
	strcpy(o->table, FW_SETS_DEFAULT_TABLE);
	strcpy(o->set_name, FW_SETS_DEFAULT_SET);
	o->ports[0].lo = o->ports[0].hi = 25;
	o->nports = 1;
	o->action = FW_SETS_REJECT_RESET;
	o->max_entries = 100000;
	strcpy(o->iptc_chain, "POLICYD");
}

bool
fw_sets_name_ok(const char *s)
{
	size_t i;

	if (s == NULL || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (i >= FW_SETS_NAME_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool
fw_sets_prefix_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ( s[i] < 0x20 || s[i] > 0x7e ||
		    s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

long long
fw_sets_timeout(const struct fw_entry *e, time_t now)
{
	if (e->expires == 0)
		return 0;
	if (e->expires <= now)
		return 1;
	/* longer than any command asks (the clock set back since): no
	 * kernel timeout, which nftables would refuse from about 3 years
	 * on; the helper removes it at its expiry as it does every block */
	if (e->expires - now > FWPROTO_TTL_MAX)
		return 0;
	return (long long)(e->expires - now);
}

char *
fw_sets_ports(const struct fw_sets_opts *o, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < o->nports && len < size; i++) {
		const struct fw_sets_portrange *p = &o->ports[i];
		int n;

		if (p->lo == p->hi)
			n = snprintf(buf + len, size - len, "%s%u",
			    i ? ", " : "", (unsigned)p->lo);
		else
			n = snprintf(buf + len, size - len, "%s%u-%u",
			    i ? ", " : "", (unsigned)p->lo, (unsigned)p->hi);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return buf;
}

void
fw_sets_model_set(struct addrmap **m, const struct addr *a, int in)
{
	if (*m == NULL)
		*m = addrmap_new(1024);
	if (in)
		addrmap_put(*m, a, 1);
	else
		addrmap_del(*m, a);
}

bool
fw_sets_model_matches(const struct addrmap *m, const struct fw_entry *all,
    size_t n)
{
	uint32_t v;
	size_t i;

	if ((m ? addrmap_count(m) : 0) != n)
		return false;
	for (i = 0; i < n; i++)
		if (!addrmap_get(m, &all[i].addr, &v))
			return false;
	return true;
}

void
fw_sets_model_reset(struct addrmap **m, const struct fw_entry *all, size_t n)
{
	size_t i;

	if (*m == NULL)
		*m = addrmap_new(n);
	else
		addrmap_clear(*m);
	for (i = 0; i < n; i++)
		addrmap_put(*m, &all[i].addr, 1);
}

void
fw_sets_model_free(struct addrmap **m)
{
	addrmap_free(*m);
	*m = NULL;
}

double
fw_sets_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
fw_sets_stats_commit(struct fw_backend_stats *st, double ms, int ok)
{
	st->commits++;
	if (!ok)
		st->errors++;
	st->last_commit_ms = ms;
	if (ms > st->max_commit_ms)
		st->max_commit_ms = ms;
}

void
fw_str_printf(struct fw_str *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("fw_str_printf: bad format");
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap ? b->cap * 2 : 4096;
		while (b->cap - b->len <= (size_t)n)
			b->cap *= 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
}

void
fw_str_reset(struct fw_str *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
fw_str_free(struct fw_str *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void
fw_sets_purge_others(const struct fwh_config *cfg, const char *active)
{
	struct fw_sets_opts o;

	if (fw_sets_opts_get(cfg, &o) < 0)
		return;
	if (strcmp(active, "nftset") != 0)
		fw_nft_remove(&o);
	if (strcmp(active, "ipset") != 0)
		fw_ipset_remove(&o);
	if (strcmp(active, "iptables") != 0)
		fw_sets_purge_iptables(&o);
}
