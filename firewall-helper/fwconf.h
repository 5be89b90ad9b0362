/*
 * fwconf.h - firewall-helper configuration: keys, defaults, loader.
 *
 * The YAML file (see etc/firewall-helper.yaml) is read with common/yconf.h;
 * every error is collected as FILE:LINE:COL: message and fwconf_load()
 * returns NULL when there was any (the caller prints them: -n exits 78).
 * Users and groups are resolved at load time, so an unknown name is a
 * configuration error at its position.
 *
 * Ownership: fwconf_load() returns one allocation tree; fwconf_free() frees
 * it (NULL is a no-op).  Nothing else keeps pointers into a config that is
 * replaced on SIGHUP except the backend, which copies what it needs.
 */
#ifndef FWH_FWCONF_H
#define FWH_FWCONF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/addr.h"

struct ydoc;

/* Defaults, beside their option names. */
#define FWH_DEF_COMMAND_SOCKET  "/run/firewall-helper/command.sock"
#define FWH_DEF_STATUS_SOCKET   "/run/firewall-helper/status.sock"
#define FWH_DEF_SOCKET_MODE     0660
#define FWH_DEF_STATUS_IDLE_MS  60000           /* status_socket.idle_timeout */
#define FWH_DEF_BACKEND         "iptables"
#define FWH_DEF_CHAIN           "POLICYD"
#define FWH_DEF_TTL             (24LL * 3600)   /* ttl: seconds; 0 = never */
#define FWH_DEF_MAX_ENTRIES     100000          /* max_entries: */
#define FWH_DEF_BATCH_MS        20              /* batch_window: */
#define FWH_DEF_RECONCILE_MS    (60LL * 1000)   /* reconcile_interval: */
#define FWH_DEF_PORT            25              /* ports: [25] */
#define FWH_DEF_LOG_PREFIX      "policyd-block: "
#define FWH_DEF_XTABLES_LOCK    "/run/xtables.lock" /* or $XTABLES_LOCKFILE */
#define FWH_CHAIN_MAX           28              /* XT_EXTENSION_MAXNAMELEN - 1 */
#define FWH_LOG_PREFIX_MAX      29              /* LOG target: 30 with NUL */
#define FWH_PORTS_MAX           15              /* multiport limit */
#define FWH_DEF_NFT_TABLE       "policyd"       /* nft_table: (nftset) */
#define FWH_DEF_SET_NAME        "policyd"       /* set_name: <name>4, <name>6 */
#define FWH_SET_NAME_MAX        24              /* ipset names: 31 with "4-t" */

enum fwh_full { FWH_FULL_EVICT, FWH_FULL_REFUSE };       /* when_full: */
enum fwh_reject { FWH_REJECT_PORT_UNREACH, FWH_REJECT_TCP_RESET, FWH_DROP };

struct fwh_sockcfg {
	char   *path;
	unsigned mode;
	char   *group;          /* socket file group, NULL: leave */
	gid_t   gid;            /* resolved group, (gid_t)-1 if none */
	uid_t  *uids;           /* allow_users: resolved */
	size_t  nuids;
	gid_t  *gids;           /* allow_groups: resolved */
	size_t  ngids;
	long long idle_ms;      /* idle_timeout: close a peer silent this
	                           long; 0 never */
};

struct fwh_portrange { uint16_t lo, hi; };

struct fwh_config {
	char   *file;
	struct fwh_sockcfg cmd, status;
	char   *backend;
	char   *chain;
	long long ttl;                  /* seconds, 0 = never expires */
	long long max_entries;
	enum fwh_full when_full;
	char   *journal;                /* NULL: no journal */
	long long batch_ms;
	long long reconcile_ms;
	struct cidr *never;             /* configured never_block (built-ins apart) */
	size_t  nnever;
	struct fwh_portrange ports[FWH_PORTS_MAX];
	size_t  nports;                 /* 0: every TCP port */
	char   *interface;              /* NULL: any; "eth+" prefix match */
	enum fwh_reject reject_with;
	bool    log;
	char   *log_prefix;
	char   *user;                   /* NULL: stay as started */
	uid_t   uid;
	gid_t   gid;
	char   *xtables_lock;
	char   *nft_table;              /* nftset: table inet <nft_table> */
	char   *set_name;               /* nftset, ipset: sets <name>4, <name>6 */
};

/* Load and check; NULL on any error, with every error in *doc_out (the
 * caller prints and frees it with ydoc_free). */
struct fwh_config *fwconf_load(const char *path, struct ydoc **doc_out);
void fwconf_free(struct fwh_config *c);

/* The built-in never_block ranges (loopback, link-local, unspecified,
 * multicast, broadcast) that hold whatever the file says. */
extern const char *const fwconf_builtin_never[];

#endif
