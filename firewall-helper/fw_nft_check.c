/*
 * fw_nft_check.c - is the nftset backend's table still as we left it?
 * Cheap reads over netlink (libmnl, libnftnl), no libnftables: listing
 * through libnftables would fetch every element into its cache, which costs
 * as much as rebuilding the table.
 *
 * fw_nft_rules_print() prints the rules of chain `input` of table inet
 * TABLE, one block per rule, without their handles, into *out (malloc'd;
 * "" when the table or chain is gone).  Compared with the print taken right
 * after our own rebuild, it says whether anyone changed our rules.
 *
 * fw_nft_set_count() counts the elements of one set (the kernel's dump
 * skips expired ones; nothing is parsed but the nest of each element).
 * -1 when the set is gone or the dump fails.
 *
 * Both need CAP_NET_ADMIN (every nfnetlink request does) and use the
 * caller's netlink socket, one request at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "common/xmalloc.h"
#include "firewall-helper/fw_nft.h"
#include "firewall-helper/fw_sets.h"

#define NL_BUF  (64u << 10)

/* Send one dump request and run cb over every answer. */
static int
dump(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	char *buf = xmalloc(NL_BUF);
	unsigned portid = mnl_socket_get_portid(nl);
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int rc = -1;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while ((n = mnl_socket_recvfrom(nl, buf, NL_BUF)) > 0) {
		int r = mnl_cb_run(buf, (size_t)n, seq, portid, cb, arg);

		if (r < 0)
			goto out;
		if (r == MNL_CB_STOP)
			break;
	}
	rc = n < 0 ? -1 : 0;
out:
	free(buf);
	return rc;
}

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fw_str *out = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	char buf[4096], *body;

	if (r == NULL)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
		nftnl_rule_snprintf(buf, sizeof(buf), r, NFTNL_OUTPUT_DEFAULT, 0);
		/* the first line names family, table, chain and handle */
		body = strchr(buf, '\n');
		fw_str_printf(out, "%s\n", body ? body : buf);
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

int
fw_nft_rules_print(struct mnl_socket *nl, const char *table, char **out)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct nftnl_rule *r;
	struct fw_str s = { 0 };
	int rc;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET,
	    NLM_F_DUMP, (uint32_t)time(NULL));
	if ((r = nftnl_rule_alloc()) == NULL)
		return -1;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "input");
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	fw_str_printf(&s, "%s", "");
	rc = dump(nl, nlh, rule_cb, &s);
	*out = s.s;
	return rc;
}

static int
elem_cb(const struct nlmsghdr *nlh, void *data)
{
	size_t *count = data;
	const struct nlattr *a, *e;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(e, a)
			(*count)++;
	}
	return MNL_CB_OK;
}

long long
fw_nft_set_count(struct mnl_socket *nl, const char *table, const char *set)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	size_t count = 0;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET,
	    NLM_F_DUMP, (uint32_t)time(NULL));
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	if (dump(nl, nlh, elem_cb, &count) < 0)
		return -1;
	return (long long)count;
}
