/*
 * fw_iptc_rule.c - the rules the iptables backend writes, and recognising
 * them again when reading the kernel's table back (fw_iptc.h).
 *
 *   jump:    -A INPUT [-i IF] -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN
 *            [--dport P | -m multiport --dports P1,P2,LO:HI] -j CHAIN
 *   address: -A CHAIN -s ADDR/32|/128 -p tcp -m limit --limit 6/min
 *              --limit-burst 3 -j LOG --log-prefix "..."            (log)
 *            -A CHAIN -s ADDR/32|/128 -p tcp -j REJECT --reject-with ...|DROP
 *
 * Recognition is by meaning, not by bytes: the kernel hands match and
 * target names back NUL-terminated but not NUL-padded, so names are
 * compared as strings and data as bytes.
 */
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter_ipv4/ipt_LOG.h>
#include <libiptc/libiptc.h>

#include "firewall-helper/fw_backend.h"
#include "firewall-helper/fw_iptc.h"

#define TCP_SYN_MASK  0x17      /* FIN|SYN|RST|ACK */
#define TCP_SYN       0x02
#define LOG_LEVEL     4         /* warning, as iptables' default */

/* Copy a NUL-terminated name into a fixed field of size n, cut to fit. */
static void put_name(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = '\0';
}

/* Append one match or target object (header + data) at p; returns size. */
static size_t put_obj(unsigned char *p, const char *name, unsigned rev,
    const void *data, size_t dlen)
{
	struct xt_entry_match *m = (struct xt_entry_match *)p;
	size_t size = XT_ALIGN(sizeof(*m) + dlen);

	m->u.user.match_size = (uint16_t)size;
	put_name(m->u.user.name, sizeof(m->u.user.name), name);
	m->u.user.revision = (uint8_t)rev;
	if (dlen)
		memcpy(m->data, data, dlen);
	return size;
}

static size_t put_standard(unsigned char *p, const char *name)
{
	struct xt_standard_target *t = (struct xt_standard_target *)p;
	size_t size = XT_ALIGN(sizeof(*t));

	t->target.u.user.target_size = (uint16_t)size;
	put_name(t->target.u.user.name, sizeof(t->target.u.user.name), name);
	return size;
}

static size_t addr_target(const struct iptc_fam *f, const struct iptc_spec *s,
    enum iptc_kind kind, unsigned char *p)
{
	if (kind == IPTC_LOG) {
		struct ipt_log_info li;

		memset(&li, 0, sizeof(li));
		li.level = LOG_LEVEL;
		put_name(li.prefix, sizeof(li.prefix), s->log_prefix);
		return put_obj(p, "LOG", 0, &li, sizeof(li));
	}
	if (s->reject == FWH_DROP)
		return put_standard(p, "DROP");
	uint32_t with = s->reject == FWH_REJECT_TCP_RESET ? f->reject_tcp
	    : f->reject_port;
	return put_obj(p, "REJECT", 0, &with, sizeof(with));
}

void iptc_log_rate(struct xt_rateinfo *r)
{
	memset(r, 0, sizeof(*r));
	r->avg = XT_LIMIT_SCALE * 60 / FW_LOG_PER_MIN;
	r->burst = FW_LOG_BURST;
}

/* The LOG rule's rate limit, so that a blocked host retrying every second
 * cannot flood the kernel log (the kernel keeps the state per rule, that is
 * per address). */
static size_t log_limit(unsigned char *p)
{
	struct xt_rateinfo r;

	iptc_log_rate(&r);
	return put_obj(p, "limit", 0, &r, sizeof(r));
}

size_t iptc_rule_addr(const struct iptc_fam *f, const struct iptc_spec *s,
    const struct addr *a, enum iptc_kind kind, void *buf)
{
	unsigned char *p = buf;
	size_t mlen = 0, tlen;

	memset(buf, 0, IPTC_RULE_MAX);
	if (kind == IPTC_LOG)
		mlen = log_limit(p + f->hdrlen);
	tlen = addr_target(f, s, kind, p + f->hdrlen + mlen);
	f->header(buf, a, NULL, mlen, tlen);
	return f->hdrlen + mlen + tlen;
}

static size_t jump_matches(const struct iptc_spec *s, unsigned char *p)
{
	struct xt_tcp tcp;
	size_t off;

	memset(&tcp, 0, sizeof(tcp));
	tcp.spts[1] = 0xffff;
	tcp.dpts[1] = 0xffff;
	if (s->nports == 1) {
		tcp.dpts[0] = s->ports[0].lo;
		tcp.dpts[1] = s->ports[0].hi;
	}
	tcp.flg_mask = TCP_SYN_MASK;
	tcp.flg_cmp = TCP_SYN;
	off = put_obj(p, "tcp", 0, &tcp, sizeof(tcp));
	if (s->nports > 1) {
		struct xt_multiport_v1 mp;
		unsigned n = 0;

		memset(&mp, 0, sizeof(mp));
		mp.flags = XT_MULTIPORT_DESTINATION;
		for (size_t i = 0; i < s->nports && n < XT_MULTI_PORTS; i++) {
			mp.ports[n] = s->ports[i].lo;
			if (s->ports[i].hi != s->ports[i].lo && n + 1 < XT_MULTI_PORTS) {
				mp.pflags[n++] = 1;
				mp.ports[n] = s->ports[i].hi;
			}
			n++;
		}
		mp.count = (uint8_t)n;
		off += put_obj(p + off, "multiport", 1, &mp, sizeof(mp));
	}
	return off;
}

size_t iptc_rule_jump(const struct iptc_fam *f, const struct iptc_spec *s,
    void *buf)
{
	unsigned char *p = buf;
	size_t mlen, tlen;

	memset(buf, 0, IPTC_RULE_MAX);
	mlen = jump_matches(s, p + f->hdrlen);
	tlen = put_standard(p + f->hdrlen + mlen, s->chain);
	f->header(buf, NULL, s->iface[0] ? s->iface : NULL, mlen, tlen);
	return f->hdrlen + mlen + tlen;
}

/* Same objects in the same order: sizes, names, revisions and data. */
static bool objs_equal(const unsigned char *a, size_t alen,
    const unsigned char *b, size_t blen)
{
	size_t hl = sizeof(struct xt_entry_match);

	if (alen != blen)
		return false;
	for (size_t off = 0; off < alen;) {
		const struct xt_entry_match *x = (const void *)(a + off);
		const struct xt_entry_match *y = (const void *)(b + off);
		size_t sz = x->u.user.match_size;

		if (sz < hl || sz != y->u.user.match_size || off + sz > alen ||
		    strncmp(x->u.user.name, y->u.user.name, sizeof(x->u.user.name)) != 0 ||
		    x->u.user.revision != y->u.user.revision ||
		    memcmp(x->data, y->data, sz - hl) != 0)
			return false;
		off += sz;
	}
	return true;
}

void iptc_rule_expect(const struct iptc_fam *f, const struct iptc_spec *s,
    struct iptc_expect *x)
{
	struct addr any;
	unsigned char buf[IPTC_RULE_MAX];
	struct iptc_view v;

	memset(&any, 0, sizeof(any));
	any.family = f->af;
	iptc_rule_addr(f, s, &any, IPTC_LOG, buf);
	f->view(buf, &v);
	memcpy(x->logm, v.matches, v.matches_len);
	x->logmlen = v.matches_len;
	memcpy(x->log, v.target, v.target_len);
	x->loglen = v.target_len;
	iptc_rule_addr(f, s, &any, IPTC_ACTION, buf);
	f->view(buf, &v);
	memcpy(x->action, v.target, v.target_len);
	x->actionlen = v.target_len;
}

enum iptc_kind iptc_rule_classify(const struct iptc_fam *f,
    const struct iptc_spec *s, const struct iptc_expect *x, const void *e,
    struct xtc_handle *h, struct addr *a)
{
	struct iptc_view v;
	const char *tname = f->get_target(e, h);
	enum iptc_kind kind;
	static const unsigned char zero[IFNAMSIZ];

	if (tname == NULL)
		return IPTC_FOREIGN;
	if (s->log && strcmp(tname, "LOG") == 0)
		kind = IPTC_LOG;
	else if (strcmp(tname, s->reject == FWH_DROP ? "DROP" : "REJECT") == 0)
		kind = IPTC_ACTION;
	else
		return IPTC_FOREIGN;
	f->view(e, &v);
	if (v.src_plen != (f->af == AF_INET ? 32 : 128) || !v.dst_any ||
	    memcmp(v.iniface_mask, zero, IFNAMSIZ) != 0 || !v.outiface_any ||
	    v.proto != IPPROTO_TCP || !v.plain)
		return IPTC_FOREIGN;
	/* Matches and the target's data must be what we write (DROP is a
	 * standard target: libiptc's name for its verdict says it all). */
	if (kind == IPTC_LOG) {
		if (!objs_equal(x->logm, x->logmlen, v.matches, v.matches_len) ||
		    !objs_equal(x->log, x->loglen, v.target, v.target_len))
			return IPTC_FOREIGN;
	} else if (v.matches_len != 0 || (s->reject != FWH_DROP &&
	    !objs_equal(x->action, x->actionlen, v.target, v.target_len)))
		return IPTC_FOREIGN;
	*a = v.src;
	return kind;
}

bool iptc_rule_is_jump(const struct iptc_fam *f, const struct iptc_spec *s,
    const void *e, struct xtc_handle *h)
{
	struct iptc_view v, w;
	unsigned char want[IPTC_RULE_MAX];
	const char *tname = f->get_target(e, h);

	if (tname == NULL || strcmp(tname, s->chain) != 0)
		return false;
	iptc_rule_jump(f, s, want);
	f->view(e, &v);
	f->view(want, &w);
	return v.src_plen == 0 && v.dst_any && v.outiface_any && v.plain &&
	    v.proto == IPPROTO_TCP &&
	    memcmp(v.iniface, w.iniface, IFNAMSIZ) == 0 &&
	    memcmp(v.iniface_mask, w.iniface_mask, IFNAMSIZ) == 0 &&
	    objs_equal(v.matches, v.matches_len, w.matches, w.matches_len);
}
