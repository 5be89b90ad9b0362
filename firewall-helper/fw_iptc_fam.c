/*
 * fw_iptc_fam.c - libip4tc and libip6tc behind one table (fw_iptc.h).
 *
 * The two libraries have the same functions under iptc_ and ip6tc_
 * prefixes, with struct ipt_entry and struct ip6t_entry; these wrappers
 * give them one signature.  header() and view() are the only places that
 * know the two header layouts.  IPv6 needs IP6T_F_PROTO set for the
 * protocol to count (the kernel's REJECT --reject-with tcp-reset checks it).
 */
#include <string.h>
#include <netinet/in.h>
#include <libiptc/libiptc.h>
#include <libiptc/libip6tc.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "firewall-helper/fw_iptc.h"

/* Prefix length of a mask, -1 when it is not a prefix. */
static int mask_plen(const unsigned char *m, int bytes)
{
	int plen = 0, i = 0;

	for (; i < bytes && m[i] == 0xff; i++)
		plen += 8;
	if (i < bytes) {
		unsigned char b = m[i];
		while (b & 0x80) {
			plen++;
			b = (unsigned char)(b << 1);
		}
		if (b != 0)
			return -1;
		for (i++; i < bytes; i++)
			if (m[i] != 0)
				return -1;
	}
	return plen;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

/* iptables' own rule for -i: "eth0" matches exactly (mask covers the NUL),
 * "eth+" matches the prefix (mask covers "eth"; the '+' stays in the name). */
static void set_iface(char *name, unsigned char *mask, const char *iface)
{
	size_t n;

	if (iface == NULL || *iface == '\0')
		return;
	n = strlen(iface);
	memcpy(name, iface, n);
	if (iface[n - 1] == '+')
		memset(mask, 0xff, n - 1);
	else
		memset(mask, 0xff, n + 1);
}

/* ---------------------------------------------------------------- IPv4 */

static struct xtc_handle *v4_init(const char *t) { return iptc_init(t); }
static void v4_free(struct xtc_handle *h) { iptc_free(h); }
static int v4_commit(struct xtc_handle *h) { return iptc_commit(h); }
static const char *v4_strerror(int e) { return iptc_strerror(e); }
static int v4_is_chain(const char *c, struct xtc_handle *h) { return iptc_is_chain(c, h); }
static int v4_create(const char *c, struct xtc_handle *h) { return iptc_create_chain(c, h); }
static int v4_delchain(const char *c, struct xtc_handle *h) { return iptc_delete_chain(c, h); }
static int v4_flush(const char *c, struct xtc_handle *h) { return iptc_flush_entries(c, h); }
static const void *v4_first(const char *c, struct xtc_handle *h) { return iptc_first_rule(c, h); }
static const void *v4_next(const void *p, struct xtc_handle *h) { return iptc_next_rule(p, h); }
static const char *v4_target(const void *e, struct xtc_handle *h) { return iptc_get_target(e, h); }
static int v4_append(const char *c, const void *e, struct xtc_handle *h) { return iptc_append_entry(c, e, h); }
static int v4_insert(const char *c, const void *e, unsigned n, struct xtc_handle *h) { return iptc_insert_entry(c, e, n, h); }
static int v4_delete(const char *c, unsigned n, struct xtc_handle *h) { return iptc_delete_num_entry(c, n, h); }

static void v4_header(void *p, const struct addr *src, const char *iniface,
    size_t mlen, size_t tlen)
{
	struct ipt_entry *e = p;

	if (src) {
		memcpy(&e->ip.src, src->a, 4);
		memset(&e->ip.smsk, 0xff, 4);
	}
	set_iface(e->ip.iniface, e->ip.iniface_mask, iniface);
	e->ip.proto = IPPROTO_TCP;
	e->target_offset = (uint16_t)(sizeof(*e) + mlen);
	e->next_offset = (uint16_t)(sizeof(*e) + mlen + tlen);
}

static void v4_view(const void *p, struct iptc_view *v)
{
	const struct ipt_entry *e = p;

	memset(v, 0, sizeof(*v));
	v->src.family = AF_INET;
	memcpy(v->src.a, &e->ip.src, 4);
	v->src_plen = mask_plen((const unsigned char *)&e->ip.smsk, 4);
	v->dst_any = all_zero(&e->ip.dst, 4) && all_zero(&e->ip.dmsk, 4);
	memcpy(v->iniface, e->ip.iniface, IFNAMSIZ);
	memcpy(v->iniface_mask, e->ip.iniface_mask, IFNAMSIZ);
	v->outiface_any = all_zero(e->ip.outiface_mask, IFNAMSIZ);
	v->proto = e->ip.proto;
	v->plain = e->ip.flags == 0 && e->ip.invflags == 0;
	v->matches = e->elems;
	v->matches_len = e->target_offset - sizeof(*e);
	v->target = (const unsigned char *)e + e->target_offset;
	v->target_len = (size_t)e->next_offset - e->target_offset;
}

const struct iptc_fam iptc_fam4 = {
	.name = "IPv4", .af = AF_INET, .hdrlen = sizeof(struct ipt_entry),
	.reject_port = IPT_ICMP_PORT_UNREACHABLE, .reject_tcp = IPT_TCP_RESET,
	.init = v4_init, .free = v4_free, .commit = v4_commit,
	.strerror = v4_strerror, .is_chain = v4_is_chain,
	.create_chain = v4_create, .delete_chain = v4_delchain, .flush = v4_flush, .first_rule = v4_first,
	.next_rule = v4_next, .get_target = v4_target, .append = v4_append,
	.insert = v4_insert, .delete_num = v4_delete,
	.header = v4_header, .view = v4_view,
};

/* ---------------------------------------------------------------- IPv6 */

static struct xtc_handle *v6_init(const char *t) { return ip6tc_init(t); }
static void v6_free(struct xtc_handle *h) { ip6tc_free(h); }
static int v6_commit(struct xtc_handle *h) { return ip6tc_commit(h); }
static const char *v6_strerror(int e) { return ip6tc_strerror(e); }
static int v6_is_chain(const char *c, struct xtc_handle *h) { return ip6tc_is_chain(c, h); }
static int v6_create(const char *c, struct xtc_handle *h) { return ip6tc_create_chain(c, h); }
static int v6_delchain(const char *c, struct xtc_handle *h) { return ip6tc_delete_chain(c, h); }
static int v6_flush(const char *c, struct xtc_handle *h) { return ip6tc_flush_entries(c, h); }
static const void *v6_first(const char *c, struct xtc_handle *h) { return ip6tc_first_rule(c, h); }
static const void *v6_next(const void *p, struct xtc_handle *h) { return ip6tc_next_rule(p, h); }
static const char *v6_target(const void *e, struct xtc_handle *h) { return ip6tc_get_target(e, h); }
static int v6_append(const char *c, const void *e, struct xtc_handle *h) { return ip6tc_append_entry(c, e, h); }
static int v6_insert(const char *c, const void *e, unsigned n, struct xtc_handle *h) { return ip6tc_insert_entry(c, e, n, h); }
static int v6_delete(const char *c, unsigned n, struct xtc_handle *h) { return ip6tc_delete_num_entry(c, n, h); }

static void v6_header(void *p, const struct addr *src, const char *iniface,
    size_t mlen, size_t tlen)
{
	struct ip6t_entry *e = p;

	if (src) {
		memcpy(&e->ipv6.src, src->a, 16);
		memset(&e->ipv6.smsk, 0xff, 16);
	}
	set_iface(e->ipv6.iniface, e->ipv6.iniface_mask, iniface);
	e->ipv6.proto = IPPROTO_TCP;
	e->ipv6.flags = IP6T_F_PROTO;
	e->target_offset = (uint16_t)(sizeof(*e) + mlen);
	e->next_offset = (uint16_t)(sizeof(*e) + mlen + tlen);
}

static void v6_view(const void *p, struct iptc_view *v)
{
	const struct ip6t_entry *e = p;

	memset(v, 0, sizeof(*v));
	v->src.family = AF_INET6;
	memcpy(v->src.a, &e->ipv6.src, 16);
	v->src_plen = mask_plen((const unsigned char *)&e->ipv6.smsk, 16);
	v->dst_any = all_zero(&e->ipv6.dst, 16) && all_zero(&e->ipv6.dmsk, 16);
	memcpy(v->iniface, e->ipv6.iniface, IFNAMSIZ);
	memcpy(v->iniface_mask, e->ipv6.iniface_mask, IFNAMSIZ);
	v->outiface_any = all_zero(e->ipv6.outiface_mask, IFNAMSIZ);
	v->proto = (e->ipv6.flags & IP6T_F_PROTO) ? e->ipv6.proto : 0;
	v->plain = (e->ipv6.flags & ~IP6T_F_PROTO) == 0 && e->ipv6.invflags == 0;
	v->matches = e->elems;
	v->matches_len = e->target_offset - sizeof(*e);
	v->target = (const unsigned char *)e + e->target_offset;
	v->target_len = (size_t)e->next_offset - e->target_offset;
}

const struct iptc_fam iptc_fam6 = {
	.name = "IPv6", .af = AF_INET6, .hdrlen = sizeof(struct ip6t_entry),
	.reject_port = IP6T_ICMP6_PORT_UNREACH, .reject_tcp = IP6T_TCP_RESET,
	.init = v6_init, .free = v6_free, .commit = v6_commit,
	.strerror = v6_strerror, .is_chain = v6_is_chain,
	.create_chain = v6_create, .delete_chain = v6_delchain, .flush = v6_flush, .first_rule = v6_first,
	.next_rule = v6_next, .get_target = v6_target, .append = v6_append,
	.insert = v6_insert, .delete_num = v6_delete,
	.header = v6_header, .view = v6_view,
};
