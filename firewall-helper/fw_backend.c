/*
 * fw_backend.c - the table of firewall backends, chosen by `backend:`.
 * Each backend has one line here and its own fw_<name>.c.
 */
#include <string.h>

#include "firewall-helper/fw_backend.h"

extern const struct fw_backend fw_null_backend;
extern const struct fw_backend fw_iptc_backend;
extern const struct fw_backend fw_nftset_backend;       /* fw_nft.c */
extern const struct fw_backend fw_ipset_backend;        /* fw_ipset.c */

static const struct fw_backend *const backends[] = {
	&fw_iptc_backend,
	&fw_nftset_backend,
	&fw_ipset_backend,
	&fw_null_backend,
	NULL
};

const struct fw_backend *fw_backend_find(const char *name)
{
	for (size_t i = 0; backends[i] != NULL; i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}
