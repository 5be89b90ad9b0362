/*
 * fw_nft.h - internals of the nftset backend shared by its files:
 *
 *   fw_nft.c        the backend ops: staging, sync, reconcile (libnftables
 *                   for the table itself), the model of the sets
 *   fw_nft_elem.c   element batches straight through libnftnl + libmnl
 *   fw_nft_check.c  cheap reads: our chain's rules, a set's element count
 */
#ifndef FWH_FW_NFT_H
#define FWH_FW_NFT_H

#include <stddef.h>
#include <stdint.h>
#include "common/addr.h"

struct mnl_socket;

struct nft_op {
	struct addr addr;
	long long tmo;          /* seconds; 0 none; -1 for a removal */
	size_t seq;             /* arrival order, for a stable unique */
};

/*
 * A netlink batch of element changes: BEGIN, NEWSETELEM / DELSETELEM
 * messages (at most NFT_EB_PER_MSG elements each, so that a message's
 * nest stays under 64 KiB), END.  The buffer grows as needed.
 * nft_eb_elems() adds the ops of one family to one set; with_tmo puts the
 * element timeouts in.  nft_eb_send() sends the whole batch as one
 * transaction and collects the kernel's verdict: 0, or -1 with errno (and
 * the batch is emptied either way).
 */
#define NFT_EB_PER_MSG 1000

struct nft_eb {
	char   *buf;
	size_t  len, cap;
	uint32_t seq;
	unsigned nmsg;
};

void nft_eb_elems(struct nft_eb *b, int del, const char *table,
    const char *set, int family, const struct nft_op *ops, size_t n,
    int with_tmo);
int  nft_eb_send(struct nft_eb *b, struct mnl_socket *nl);
void nft_eb_free(struct nft_eb *b);

/* fw_nft_check.c (see there). */
int  fw_nft_rules_print(struct mnl_socket *nl, const char *table, char **out);
long long fw_nft_set_count(struct mnl_socket *nl, const char *table,
    const char *set);

#endif
