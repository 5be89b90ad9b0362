/*
 * fw_ipset_rule.c - the `ipset` backend's iptables rules (see
 * fw_ipset_rule.h), built as raw entries for libip4tc and libip6tc.
 *
 * An entry is the family's header (struct ipt_entry / ip6t_entry) followed
 * by the same matches for both families - tcp (SYN, one port range),
 * multiport v1 (more ports), set v4 (src of the set, by index; the revision
 * iptables 1.8 writes, Linux >= 3.19), comment, and for the LOG rule a
 * limit (FW_LOG_PER_MIN, for all the set's members together) -
 * and a target: LOG, REJECT (tcp-reset or port-unreachable) or DROP.  The
 * set's index comes from the ip_set getsockopt interface on a datagram
 * socket, which needs CAP_NET_ADMIN only.  Ours are recognised by the
 * comment and compared byte by byte (header, matches, target name and
 * data) with what we would write now.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include <libiptc/libxtc.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "firewall-helper/fw_iptc.h"
#include "firewall-helper/fw_ipset_rule.h"

#define CHAIN "INPUT"

struct blob {
	unsigned char *p;
	size_t len, toff;                       /* target offset */
	const char *target;
};

static void
blob_put(struct blob *b, int match, const char *name, unsigned rev,
    const void *data, size_t size)
{
	size_t total = XT_ALIGN((match ? sizeof(struct xt_entry_match) :
	    sizeof(struct xt_entry_target)) + size);
	struct xt_entry_match *m;

	b->p = xreallocarray(b->p, b->len + total, 1);
	memset(b->p + b->len, 0, total);
	/* xt_entry_match and xt_entry_target share the user layout */
	m = (struct xt_entry_match *)(void *)(b->p + b->len);
	m->u.user.match_size = (uint16_t)total;
	snprintf(m->u.user.name, sizeof(m->u.user.name), "%s", name);
	m->u.user.revision = (uint8_t)rev;
	memcpy(m->data, data, size);
	if (!match) {
		b->toff = b->len;
		b->target = name;
	}
	b->len += total;
}

/* 0 when ip_set answers, else the errno (EPERM: no CAP_NET_ADMIN). */
int
fw_ipset_probe(void)
{
	struct ip_set_req_version v = { .op = IP_SET_OP_VERSION };
	socklen_t len = sizeof(v);
	int fd, rc = 0;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	if (getsockopt(fd, SOL_IP, SO_IP_SET, &v, &len) < 0)
		rc = errno;
	close(fd);
	return rc;
}

static int
set_index(const char *set, ip_set_id_t *out)
{
	struct ip_set_req_version v = { .op = IP_SET_OP_VERSION };
	struct ip_set_req_get_set g = { .op = IP_SET_OP_GET_BYNAME };
	socklen_t len;
	int fd, rc = -1;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	len = sizeof(v);
	if (getsockopt(fd, SOL_IP, SO_IP_SET, &v, &len) == 0) {
		g.version = v.version;
		snprintf(g.set.name, sizeof(g.set.name), "%s", set);
		len = sizeof(g);
		if (getsockopt(fd, SOL_IP, SO_IP_SET, &g, &len) == 0 &&
		    g.set.index != IPSET_INVALID_ID) {
			*out = g.set.index;
			rc = 0;
		}
	}
	close(fd);
	return rc;
}

/* Matches and one target; 0 or -1 (too many ports). */
static int
build_elems(const struct fw_sets_opts *o, int v6, ip_set_id_t idx, int log,
    struct blob *b)
{
	struct xt_tcp tcp = { .spts = { 0, 0xffff }, .dpts = { 0, 0xffff },
	    .flg_mask = 0x17, .flg_cmp = 0x02 };      /* FIN|SYN|RST|ACK: SYN */
	struct xt_multiport_v1 mp = { .flags = XT_MULTIPORT_DESTINATION };
	struct xt_set_info_match_v4 sm = { .match_set = { .index = idx,
	    .dim = IPSET_DIM_ONE, .flags = IPSET_DIM_ONE_SRC } };
	struct xt_comment_info cm = { .comment = FW_IPSET_COMMENT };
	size_t i;

	if (o->nports == 1) {
		tcp.dpts[0] = o->ports[0].lo;
		tcp.dpts[1] = o->ports[0].hi;
	}
	blob_put(b, 1, "tcp", 0, &tcp, sizeof(tcp));
	if (o->nports > 1) {
		for (i = 0; i < o->nports; i++) {
			if (mp.count + (o->ports[i].lo != o->ports[i].hi) >=
			    XT_MULTI_PORTS)
				return -1;
			mp.ports[mp.count++] = o->ports[i].lo;
			if (o->ports[i].lo != o->ports[i].hi) {
				mp.pflags[mp.count - 1] = 1;
				mp.ports[mp.count++] = o->ports[i].hi;
			}
		}
		blob_put(b, 1, "multiport", 1, &mp, sizeof(mp));
	}
	blob_put(b, 1, "set", 4, &sm, sizeof(sm));     /* what iptables writes */
	blob_put(b, 1, "comment", 0, &cm, sizeof(cm));
	if (log) {
		struct xt_log_info li = { .level = 4 };
		struct xt_rateinfo lim;
		size_t n = strlen(o->log_prefix);

		iptc_log_rate(&lim);
		blob_put(b, 1, "limit", 0, &lim, sizeof(lim));

		/* the LOG target takes 29 bytes; longer prefixes are cut */
		memcpy(li.prefix, o->log_prefix,
		    n < sizeof(li.prefix) ? n : sizeof(li.prefix) - 1);
		blob_put(b, 0, "LOG", 0, &li, sizeof(li));
	} else if (o->action == FW_SETS_DROP) {
		int verdict = -NF_DROP - 1;

		blob_put(b, 0, "DROP", 0, &verdict, sizeof(verdict));
	} else if (!v6) {
		struct ipt_reject_info r = { o->action == FW_SETS_REJECT_RESET ?
		    IPT_TCP_RESET : IPT_ICMP_PORT_UNREACHABLE };

		blob_put(b, 0, "REJECT", 0, &r, sizeof(r));
	} else {
		struct ip6t_reject_info r = { o->action == FW_SETS_REJECT_RESET ?
		    IP6T_TCP_RESET : IP6T_ICMP6_PORT_UNREACH };

		blob_put(b, 0, "REJECT", 0, &r, sizeof(r));
	}
	return 0;
}

/* One of our entries, or NULL (too many ports). */
static unsigned char *
build_entry(const struct iptc_fam *f, const struct fw_sets_opts *o,
    ip_set_id_t idx, int log, const char **target)
{
	struct blob b = { 0 };
	unsigned char *e;

	if (build_elems(o, f->af == AF_INET6, idx, log, &b) < 0) {
		free(b.p);
		return NULL;
	}
	e = xcalloc(1, f->hdrlen + b.len);
	f->header(e, NULL, o->iface, b.toff, b.len - b.toff);
	memcpy(e + f->hdrlen, b.p, b.len);
	*target = b.target;
	free(b.p);
	return e;
}

static int
is_ours(const struct iptc_fam *f, const void *e)
{
	struct iptc_view v;
	size_t off = 0;

	f->view(e, &v);
	while (off + sizeof(struct xt_entry_match) <= v.matches_len) {
		const struct xt_entry_match *m =
		    (const struct xt_entry_match *)(const void *)(v.matches + off);

		if (m->u.match_size < sizeof(*m))
			break;
		if (strcmp(m->u.user.name, "comment") == 0 &&
		    strncmp((const char *)m->data, FW_IPSET_COMMENT,
		    XT_MAX_COMMENT_LEN) == 0)
			return 1;
		off += m->u.match_size;
	}
	return 0;
}

/* Matches (or a target) compared by name, revision and data: the kernel
 * does not give back the bytes after a name's NUL as we wrote them. */
static int
same_elem(const unsigned char *x, const unsigned char *y)
{
	const struct xt_entry_match *m = (const struct xt_entry_match *)
	    (const void *)x, *w = (const struct xt_entry_match *)(const void *)y;

	return m->u.match_size == w->u.match_size &&
	    strncmp(m->u.user.name, w->u.user.name, sizeof(w->u.user.name)) == 0 &&
	    m->u.user.revision == w->u.user.revision &&
	    memcmp(m->data, w->data, w->u.match_size - sizeof(*w)) == 0;
}

static int
is_same(const struct iptc_fam *f, struct xtc_handle *h, const void *e,
    const unsigned char *want, const char *target)
{
	struct iptc_view v, w;
	size_t off;

	f->view(e, &v);
	f->view(want, &w);
	if (v.src_plen != w.src_plen || v.dst_any != w.dst_any ||
	    memcmp(v.iniface, w.iniface, IFNAMSIZ) != 0 ||
	    memcmp(v.iniface_mask, w.iniface_mask, IFNAMSIZ) != 0 ||
	    v.outiface_any != w.outiface_any || v.proto != w.proto ||
	    v.plain != w.plain || v.matches_len != w.matches_len ||
	    (w.src_plen > 0 && !addr_equal(&v.src, &w.src)))
		return 0;
	for (off = 0; off < w.matches_len; ) {
		const struct xt_entry_match *m = (const struct xt_entry_match *)
		    (const void *)(w.matches + off);

		if (!same_elem(v.matches + off, w.matches + off))
			return 0;
		off += m->u.match_size;
	}
	if (strcmp(f->get_target(e, h), target) != 0)
		return 0;
	/* a standard target's verdict is libiptc's business */
	return strcmp(target, "DROP") == 0 || same_elem(v.target, w.target);
}

static int lockfd = -1;

int
fw_ipset_rules_open(const struct fw_sets_opts *o)
{
	const char *path = *o->xtables_lock ? o->xtables_lock :
	    getenv("XTABLES_LOCKFILE") ? getenv("XTABLES_LOCKFILE") :
	    "/run/xtables.lock";

	if (lockfd >= 0)
		return 0;
	lockfd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (lockfd < 0)
		lockfd = open(path, O_RDONLY | O_CLOEXEC);
	if (lockfd < 0) {
		log_warn("ipset: xtables lock %s", path);
		return -1;
	}
	return 0;
}

void
fw_ipset_rules_close(void)
{
	if (lockfd >= 0)
		close(lockfd);
	lockfd = -1;
}

static int
xt_lock(const struct fw_sets_opts *o)
{
	int i;

	if (fw_ipset_rules_open(o) < 0)
		return -1;
	for (i = 0; i < 300; i++) {             /* 3 s, then try later */
		if (flock(lockfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		usleep(10000);
	}
	log_warn("ipset: cannot take the xtables lock");
	return -1;
}

#define MAX_OURS 8

static int
fam_sync(const struct iptc_fam *f, const struct fw_sets_opts *o, const char *set,
    int remove)
{
	unsigned char *want[2] = { NULL, NULL };
	const char *wtarget[2] = { NULL, NULL };
	unsigned ours[MAX_OURS], nours = 0, nwant = 0, n, i;
	struct xtc_handle *h;
	ip_set_id_t idx;
	const void *e;
	int same, rc = -1;

	if (!remove) {
		if (set_index(set, &idx) < 0) {
			log_warn("ipset: set %s not found", set);
			return -1;
		}
		if (*o->log_prefix)
			want[nwant++] = build_entry(f, o, idx, 1, &wtarget[0]);
		want[nwant] = build_entry(f, o, idx, 0, &wtarget[nwant]);
		if (want[nwant++] == NULL) {
			log_warnx("ipset: too many ports for multiport");
			goto out;
		}
	}
	iptc_sock_arm(true);            /* no CAP_NET_RAW: see fw_iptc_sock.c */
	h = f->init("filter");
	iptc_sock_arm(false);
	if (h == NULL) {
		if (remove)
			rc = 0;         /* no legacy tables: nothing of ours */
		else
			log_warnx("ipset: %s filter table: %s", f->name,
			    f->strerror(errno));
		goto out;
	}
	same = 1;
	for (e = f->first_rule(CHAIN, h), n = 0; e != NULL;
	    e = f->next_rule(e, h), n++) {
		if (!is_ours(f, e))
			continue;
		if (nours == MAX_OURS || nours >= nwant ||
		    !is_same(f, h, e, want[nours], wtarget[nours]))
			same = 0;
		if (nours < MAX_OURS)
			ours[nours++] = n;
	}
	if (same && nours == nwant) {
		rc = 0;
		goto done;
	}
	for (i = nours; i-- > 0; )
		if (!f->delete_num(CHAIN, ours[i], h))
			goto fail;
	for (i = 0; i < nwant; i++)
		if (!f->insert(CHAIN, want[i], i, h))
			goto fail;
	if (!f->commit(h))
		goto fail;
	log_info("ipset: %s INPUT rules %s (%u of ours were there)", f->name,
	    remove ? "removed" : "written", nours);
	rc = 0;
	goto done;
fail:
	log_warnx("ipset: %s INPUT rules: %s", f->name, f->strerror(errno));
done:
	f->free(h);
out:
	free(want[0]);
	free(want[1]);
	return rc;
}

/* Jumps from INPUT to the chain, then the chain; quietly when absent. */
static int
purge_fam(const struct iptc_fam *f, const char *chain)
{
	struct xtc_handle *h;
	const void *e;
	unsigned n, found = 0;
	int rc = -1;

	iptc_sock_arm(true);
	h = f->init("filter");
	iptc_sock_arm(false);
	if (h == NULL)
		return 0;               /* no legacy tables: nothing to purge */
	if (!f->is_chain(chain, h)) {
		f->free(h);
		return 0;
	}
again:
	for (e = f->first_rule(CHAIN, h), n = 0; e; e = f->next_rule(e, h), n++)
		if (strcmp(f->get_target(e, h), chain) == 0) {
			if (!f->delete_num(CHAIN, n, h))
				goto fail;
			found++;
			goto again;
		}
	if (!f->flush(chain, h) || !f->delete_chain(chain, h) || !f->commit(h))
		goto fail;
	log_info("%s chain %s of the iptables backend removed (%u jumps)",
	    f->name, chain, found);
	rc = 0;
	goto done;
fail:
	log_warnx("%s chain %s: %s", f->name, chain, f->strerror(errno));
done:
	f->free(h);
	return rc;
}

int
fw_sets_purge_iptables(const struct fw_sets_opts *o)
{
	int rc = 0;

	if (*o->iptc_chain == '\0' || xt_lock(o) < 0)
		return -1;
	if (purge_fam(&iptc_fam4, o->iptc_chain) < 0)
		rc = -1;
	if (purge_fam(&iptc_fam6, o->iptc_chain) < 0)
		rc = -1;
	flock(lockfd, LOCK_UN);
	return rc;
}

int
fw_ipset_rules(const struct fw_sets_opts *o, const char *set4,
    const char *set6, int remove)
{
	int rc = 0;

	if (xt_lock(o) < 0)
		return -1;
	if (fam_sync(&iptc_fam4, o, set4, remove) < 0)
		rc = -1;
	if (fam_sync(&iptc_fam6, o, set6, remove) < 0)
		rc = -1;
	flock(lockfd, LOCK_UN);
	return rc;
}
