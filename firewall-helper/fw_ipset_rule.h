/*
 * fw_ipset_rule.h - the iptables rules of the `ipset` backend, kept through
 * libiptc (IPv4 and IPv6 filter tables, chain INPUT).
 *
 * fw_ipset_rules() makes INPUT hold exactly our rules, identified by their
 * comment match ("policyd firewall-helper"): an optional LOG rule and the
 * REJECT (or DROP) rule, both matching TCP SYNs to the configured ports
 * from members of set4 (IPv4 table) or set6 (IPv6 table).  Rules that are
 * ours but differ (an old configuration, a set recreated under another
 * index) are replaced; missing ones are inserted at the top of INPUT.  A
 * table is committed only when something changed.  With remove set, our
 * rules are only deleted (set4/set6 unused).  Held under the xtables lock.
 * Returns 0 or -1 (logged).
 *
 * fw_ipset_rules_open() opens the xtables lock file ($XTABLES_LOCKFILE or
 * /run/xtables.lock unless configured): call it at init, while still root;
 * fw_ipset_rules() opens it on demand otherwise.
 */
#ifndef FWH_FW_IPSET_RULE_H
#define FWH_FW_IPSET_RULE_H

#include "firewall-helper/fw_sets.h"

#define FW_IPSET_COMMENT "policyd firewall-helper"

int  fw_ipset_probe(void);       /* 0, or errno: EPERM without CAP_NET_ADMIN */
int  fw_ipset_rules_open(const struct fw_sets_opts *o);
void fw_ipset_rules_close(void);
int  fw_ipset_rules(const struct fw_sets_opts *o, const char *set4,
    const char *set6, int remove);

#endif
