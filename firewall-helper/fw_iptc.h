/*
 * fw_iptc.h - internals of the iptables backend shared by its files:
 *
 *   fw_iptc.c       the backend ops: desired set, lock, sync/reconcile
 *   fw_iptc_rule.c  building and recognising rules, family-neutral
 *   fw_iptc_fam.c   libip4tc / libip6tc behind one table of functions
 *   fw_iptc_sock.c  the socket() substitute that spares us CAP_NET_RAW
 *
 * A rule is a libiptc entry: a family header (struct ipt_entry or
 * struct ip6t_entry), then matches, then the target.  The family table
 * writes and reads headers; the rule code handles matches and targets,
 * which are the same xt_* structures in both families.
 */
#ifndef FWH_FW_IPTC_H
#define FWH_FW_IPTC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include "common/addr.h"
#include "firewall-helper/fwconf.h"

struct xtc_handle;

/* The family-neutral view of an entry header. */
struct iptc_view {
	struct addr src;
	int    src_plen;                /* -1: mask is not a prefix */
	bool   dst_any;                 /* dst and mask all zero */
	char   iniface[IFNAMSIZ];
	unsigned char iniface_mask[IFNAMSIZ];
	bool   outiface_any;
	uint16_t proto;                 /* 0: any (v6: F_PROTO unset) */
	bool   plain;                   /* no other flags, no inversions */
	const unsigned char *matches;   /* after the header */
	size_t matches_len;
	const unsigned char *target;
	size_t target_len;
};

struct iptc_fam {
	const char *name;               /* "IPv4", "IPv6" */
	int    af;
	size_t hdrlen;                  /* sizeof the entry header */
	uint32_t reject_port, reject_tcp;       /* REJECT `with` values */
	struct xtc_handle *(*init)(const char *table);
	void   (*free)(struct xtc_handle *h);
	int    (*commit)(struct xtc_handle *h);
	const char *(*strerror)(int err);
	int    (*is_chain)(const char *chain, struct xtc_handle *h);
	int    (*create_chain)(const char *chain, struct xtc_handle *h);
	int    (*delete_chain)(const char *chain, struct xtc_handle *h);
	int    (*flush)(const char *chain, struct xtc_handle *h);
	const void *(*first_rule)(const char *chain, struct xtc_handle *h);
	const void *(*next_rule)(const void *prev, struct xtc_handle *h);
	const char *(*get_target)(const void *e, struct xtc_handle *h);
	int    (*append)(const char *chain, const void *e, struct xtc_handle *h);
	int    (*insert)(const char *chain, const void *e, unsigned pos,
	           struct xtc_handle *h);
	int    (*delete_num)(const char *chain, unsigned num, struct xtc_handle *h);
	/* Write a header: src NULL for any; proto TCP; iniface NULL for any. */
	void   (*header)(void *e, const struct addr *src, const char *iniface,
	           size_t matches_len, size_t target_len);
	void   (*view)(const void *e, struct iptc_view *v);
};

extern const struct iptc_fam iptc_fam4, iptc_fam6;

/* What the backend writes, copied from the configuration at init. */
struct iptc_spec {
	char   chain[32];                   /* xt_chainlabel: libiptc reads 32 */
	struct fwh_portrange ports[FWH_PORTS_MAX];
	size_t nports;
	char   iface[IFNAMSIZ];         /* "" any */
	enum fwh_reject reject;
	bool   log;
	char   log_prefix[FWH_LOG_PREFIX_MAX + 1];
};

enum iptc_kind { IPTC_FOREIGN, IPTC_LOG, IPTC_ACTION };

#define IPTC_RULE_MAX 512               /* bytes: our rules are far smaller */

/* Build into buf (IPTC_RULE_MAX bytes, zeroed here); return the length. */
size_t iptc_rule_addr(const struct iptc_fam *f, const struct iptc_spec *s,
    const struct addr *a, enum iptc_kind kind, void *buf);
size_t iptc_rule_jump(const struct iptc_fam *f, const struct iptc_spec *s,
    void *buf);
/* The targets of our address rules, which do not depend on the address:
 * computed once per transaction so that classifying a rule is a compare. */
struct iptc_expect {
	unsigned char logm[IPTC_RULE_MAX];      /* the LOG rule's matches */
	unsigned char log[IPTC_RULE_MAX], action[IPTC_RULE_MAX];
	size_t logmlen, loglen, actionlen;
};
void iptc_rule_expect(const struct iptc_fam *f, const struct iptc_spec *s,
    struct iptc_expect *x);
/* Classify a rule of our chain: IPTC_LOG / IPTC_ACTION exactly as we
 * write them (address in *a), anything else IPTC_FOREIGN. */
enum iptc_kind iptc_rule_classify(const struct iptc_fam *f,
    const struct iptc_spec *s, const struct iptc_expect *x, const void *e,
    struct xtc_handle *h, struct addr *a);
/* The LOG rule's limit match (FW_LOG_PER_MIN, FW_LOG_BURST), as the
 * kernel hands it back: avg and burst, the rest zeroed, so that a rule
 * still compares byte by byte; for this backend and the ipset one. */
struct xt_rateinfo;
void iptc_log_rate(struct xt_rateinfo *r);
/* True when e (from INPUT) is exactly our jump rule. */
bool iptc_rule_is_jump(const struct iptc_fam *f, const struct iptc_spec *s,
    const void *e, struct xtc_handle *h);

/* fw_iptc_sock.c: while armed, socket(AF_INET[6], SOCK_RAW, IPPROTO_RAW)
 * returns a UDP socket instead (see there). */
void iptc_sock_arm(bool on);
unsigned long iptc_sock_substituted(void);

#endif
