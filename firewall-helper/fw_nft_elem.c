/*
 * fw_nft_elem.c - element batches of the nftset backend, straight through
 * libnftnl and libmnl (see fw_nft.h).
 *
 * libnftables would parse and evaluate command text for every element;
 * for the staged changes of a sync the messages are simple enough to build
 * directly: per set, NEWSETELEM (NLM_F_CREATE, no NLM_F_EXCL: an existing
 * element is updated, which refreshes its timeout from Linux 6.12) or
 * DELSETELEM, keys in network order, timeouts in milliseconds.  The whole
 * batch goes out in one sendmsg, which nfnetlink processes synchronously as
 * one transaction; without NLM_F_ACK the kernel answers only errors, so
 * after the send the socket is drained without waiting and any error means
 * the transaction was aborted as a whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "firewall-helper/fw_nft.h"

#define MSG_MAX (NFT_EB_PER_MSG * 64 + 1024)    /* bytes, generous */

static char *
eb_room(struct nft_eb *b, size_t want)
{
	if (b->cap - b->len < want) {
		while (b->cap - b->len < want)
			b->cap = b->cap ? b->cap * 2 : (1u << 20);
		b->buf = xreallocarray(b->buf, b->cap, 1);
	}
	return b->buf + b->len;
}

static void
eb_put(struct nft_eb *b, const struct nlmsghdr *nlh)
{
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->nmsg++;
}

void
nft_eb_elems(struct nft_eb *b, int del, const char *table, const char *set,
    int family, const struct nft_op *ops, size_t n, int with_tmo)
{
	size_t i = 0;

	if (b->nmsg == 0) {
		if (b->seq == 0)
			b->seq = (uint32_t)time(NULL);
		eb_put(b, nftnl_batch_begin(eb_room(b, 64), b->seq++));
	}
	while (i < n) {
		struct nftnl_set *s = nftnl_set_alloc();
		struct nlmsghdr *nlh;
		size_t k = 0;

		if (s == NULL)
			fatalx("out of memory");
		nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, set);
		for (; i < n && k < NFT_EB_PER_MSG; i++) {
			struct nftnl_set_elem *e;

			if (ops[i].addr.family != family)
				continue;
			if ((e = nftnl_set_elem_alloc()) == NULL)
				fatalx("out of memory");
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, ops[i].addr.a,
			    family == AF_INET ? 4 : 16);
			if (with_tmo && ops[i].tmo > 0)
				nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT,
				    (uint64_t)ops[i].tmo * 1000);
			nftnl_set_elem_add(s, e);
			k++;
		}
		if (k > 0) {
			nlh = nftnl_nlmsg_build_hdr(eb_room(b, MSG_MAX),
			    del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
			    NFPROTO_INET, del ? 0 : NLM_F_CREATE, b->seq++);
			nftnl_set_elems_nlmsg_build_payload(nlh, s);
			eb_put(b, nlh);
		}
		nftnl_set_free(s);
	}
}

static void
eb_reset(struct nft_eb *b)
{
	b->len = 0;
	b->nmsg = 0;
}

int
nft_eb_send(struct nft_eb *b, struct mnl_socket *nl)
{
	char rbuf[8192];
	unsigned portid = mnl_socket_get_portid(nl);
	int fd = mnl_socket_get_fd(nl), size, err = 0;
	ssize_t r;

	if (b->nmsg <= 1) {             /* only BEGIN: nothing to send */
		eb_reset(b);
		return 0;
	}
	eb_put(b, nftnl_batch_end(eb_room(b, 64), b->seq++));
	/* one datagram: the socket must take it whole */
	size = b->len > (size_t)1 << 30 ? 1 << 30 : (int)b->len;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	if (mnl_socket_sendto(nl, b->buf, b->len) < 0)
		err = errno;
	/* processed by now; only errors come back */
	while ((r = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT)) > 0)
		if (mnl_cb_run(rbuf, (size_t)r, 0, portid, NULL, NULL) < 0 &&
		    err == 0)
			err = errno ? errno : EIO;
	eb_reset(b);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void
nft_eb_free(struct nft_eb *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}
