/*
 * fw_sets_conf.c - copy what the set backends need out of struct
 * fwh_config (see fw_sets.h); the only file of theirs that knows it.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "firewall-helper/fw_sets.h"
#include "firewall-helper/fwconf.h"

static int
copy_str(char *dst, size_t size, const char *src, const char *what)
{
	if (src == NULL)
		return 0;
	if (strlen(src) >= size) {
		log_warnx("%s too long: %zu bytes, at most %zu", what,
		    strlen(src), size - 1);
		return -1;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

int
fw_sets_opts_get(const struct fwh_config *cfg, struct fw_sets_opts *o)
{
	size_t i;
	int rc = 0;

	fw_sets_opts_default(o);
	if (cfg == NULL)
		return 0;
	rc |= copy_str(o->table, sizeof(o->table), cfg->nft_table, "nft_table");
	rc |= copy_str(o->set_name, sizeof(o->set_name), cfg->set_name,
	    "set_name");
	o->nports = cfg->nports;
	for (i = 0; i < cfg->nports && i < FW_SETS_MAX_PORTS; i++) {
		o->ports[i].lo = cfg->ports[i].lo;
		o->ports[i].hi = cfg->ports[i].hi;
	}
	rc |= copy_str(o->iface, sizeof(o->iface), cfg->interface, "interface");
	if (cfg->log)
		rc |= copy_str(o->log_prefix, sizeof(o->log_prefix),
		    cfg->log_prefix ? cfg->log_prefix : "", "log_prefix");
	switch (cfg->reject_with) {
	case FWH_REJECT_TCP_RESET:
		o->action = FW_SETS_REJECT_RESET;
		break;
	case FWH_REJECT_PORT_UNREACH:
		o->action = FW_SETS_REJECT_ICMP;
		break;
	default:
		o->action = FW_SETS_DROP;
		break;
	}
	o->max_entries = cfg->max_entries > 0 ? (size_t)cfg->max_entries : 0;
	rc |= copy_str(o->xtables_lock, sizeof(o->xtables_lock),
	    cfg->xtables_lock, "xtables_lock");
	rc |= copy_str(o->iptc_chain, sizeof(o->iptc_chain), cfg->chain,
	    "chain");
	if (!fw_sets_name_ok(o->table) || !fw_sets_name_ok(o->set_name)) {
		log_warnx("nft_table and set_name: a letter, then letters, "
		    "digits, '_' or '-', at most %d", FW_SETS_NAME_MAX);
		rc = -1;
	}
	return rc ? -1 : 0;
}
