/*
 * fw_sets.h - what the set backends (nftset, ipset) share.
 *
 * struct fw_sets_opts is the part of the helper's configuration the set
 * backends read, copied out of struct fwh_config by fw_sets_opts_get() so
 * that the backends (and their tests) do not depend on the whole config.
 * Everything is copied: a SIGHUP may replace the configuration.
 *
 * Names (nft table, set base name) are checked with fw_sets_name_ok(): they
 * end up in nft command text and in ipset names, so only [A-Za-z0-9_-],
 * starting with a letter, at most FW_SETS_NAME_MAX bytes.  The log prefix
 * and interface must be printable ASCII without '"' or '\\'.
 *
 * fw_sets_timeout() turns an entry's expiry into the seconds left for the
 * kernel's element timeout: 0 means "no timeout" (also for an entry that
 * holds longer than FWPROTO_TTL_MAX: the clock set back), and an entry
 * already expired gets 1 second (the helper removes it itself anyway).
 *
 * fw_sets_purge_others() takes down the objects of every backend other than
 * the active one - the nft table, the ipsets and their rules, the iptables
 * backend's chain and its jumps from INPUT - quietly, when present: the
 * "switching backends" step, run once at start before the active backend's
 * init, so that blocks never stay in a firewall nobody maintains.
 */
#ifndef FWH_FW_SETS_H
#define FWH_FW_SETS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "firewall-helper/fw_backend.h"

#define FW_SETS_NAME_MAX    24          /* ipset allows 31 with our suffixes */
#define FW_SETS_PREFIX_MAX  60
#define FW_SETS_MAX_PORTS   15          /* xt_multiport's limit */
#define FW_SETS_EX_NOPERM   77          /* as the iptables backend: no
					   CAP_NET_ADMIN at init */

enum fw_sets_action {
	FW_SETS_REJECT_RESET,   /* reject with tcp reset */
	FW_SETS_REJECT_ICMP,    /* plain reject: icmp(v6) port-unreachable */
	FW_SETS_DROP,
};

struct fw_sets_portrange { unsigned short lo, hi; };

/* A copy: the configuration may be replaced (SIGHUP) under the backend. */
struct fw_sets_opts {
	char table[FW_SETS_NAME_MAX + 1];       /* nft table (family inet) */
	char set_name[FW_SETS_NAME_MAX + 1];    /* sets <set_name>4, <set_name>6 */
	struct fw_sets_portrange ports[FW_SETS_MAX_PORTS];
	size_t nports;                          /* TCP; 0: every TCP port */
	char iface[16];                         /* "": any; "eth+": prefix */
	char log_prefix[FW_SETS_PREFIX_MAX + 1]; /* "": no logging */
	enum fw_sets_action action;
	size_t max_entries;                     /* sizes the ipset (maxelem) */
	char xtables_lock[256];                 /* "": $XTABLES_LOCKFILE or
						   /run/xtables.lock */
	char iptc_chain[32];                    /* the iptables backend's */
};

#define FW_SETS_DEFAULT_TABLE   "policyd"
#define FW_SETS_DEFAULT_SET     "policyd"

/* Fill o from cfg (cfg NULL: the defaults, port 25); 0 or -1 (logged). */
int  fw_sets_opts_get(const struct fwh_config *cfg, struct fw_sets_opts *o);
void fw_sets_opts_default(struct fw_sets_opts *o);
bool fw_sets_name_ok(const char *s);
bool fw_sets_prefix_ok(const char *s);
long long fw_sets_timeout(const struct fw_entry *e, time_t now);
/* "25, 587, 1000-1010" into buf; "" when nports is 0. */
char *fw_sets_ports(const struct fw_sets_opts *o, char *buf, size_t size);
#define FW_SETS_PORTS_STRLEN (FW_SETS_MAX_PORTS * 13)

/* A growing string for command text; fw_str_free() releases it. */
struct fw_str {
	char  *s;
	size_t len, cap;
};
void fw_str_printf(struct fw_str *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fw_str_reset(struct fw_str *b);
void fw_str_free(struct fw_str *b);

/*
 * What a backend believes the kernel holds (the addresses it staged since
 * its last full rebuild), so that reconcile() can tell "nothing to do"
 * from "the block table moved" without reading the kernel's sets.
 */
struct addrmap;
void fw_sets_model_set(struct addrmap **m, const struct addr *a, int in);
bool fw_sets_model_matches(const struct addrmap *m, const struct fw_entry *all,
    size_t n);
void fw_sets_model_reset(struct addrmap **m, const struct fw_entry *all,
    size_t n);
void fw_sets_model_free(struct addrmap **m);

/* Milliseconds on the monotonic clock; account one transaction. */
double fw_sets_now_ms(void);
void fw_sets_stats_commit(struct fw_backend_stats *st, double ms, int ok);

/* The set backends' own entry points, used by the ops and by t/fw_sets.c. */
int  fw_nft_start(const struct fw_sets_opts *o);
int  fw_nft_remove(const struct fw_sets_opts *o);    /* table gone, quietly */
/* Tests: force the delete-and-add refresh (1) or the plain re-add (0). */
void fw_nft_force_replace(int on);
int  fw_ipset_start(const struct fw_sets_opts *o);
int  fw_ipset_remove(const struct fw_sets_opts *o);  /* rules, sets gone */
void fw_sets_purge_others(const struct fwh_config *cfg, const char *active);
/* The iptables backend's objects: INPUT rules jumping to o->iptc_chain,
 * then the chain itself, in both families (fw_ipset_rule.c). */
int  fw_sets_purge_iptables(const struct fw_sets_opts *o);

extern const struct fw_backend fw_nftset_backend;
extern const struct fw_backend fw_ipset_backend;

#endif
