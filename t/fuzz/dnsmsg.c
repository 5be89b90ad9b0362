/*
 * t/fuzz/dnsmsg.c - libFuzzer harness for policyd's DNS reply parser
 * (policyd/dnsmsg.c): the packets come from the network, and whoever runs
 * the zone of a client's address chooses the PTR answer.
 *
 * Input: first byte picks the question type (PTR, A, AAAA), the rest is the
 * reply packet.  Properties besides "no crash": 0 or -1; a parsed answer
 * has a status in range, a reason unless OK, at least one record when OK,
 * at most DNS_ADDRS_MAX addresses or one PTR name, lowercase,
 * without a trailing dot, at most DNS_NAME_MAX bytes and accepted by
 * dnsmsg_name_ok(); dns_answer_copy() gives an equal answer and
 * dns_answer_release() leaves it empty.  dnsmsg_name() is tried at every
 * offset of the first 64 bytes: it stays within the packet and its output.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "policyd/dnsmsg.h"
#include "t/lib/fuzz-memfile.h"

static void
dm_answer(const struct dns_answer *a, int qtype)
{
	size_t i, n;

	fuzz_check(a->qtype == qtype, "qtype kept");
	fuzz_check(a->status == DNS_OK || a->status == DNS_NOTFOUND ||
	    a->status == DNS_TEMPFAIL, "status in range");
	fuzz_check(a->status == DNS_OK ? a->n >= 1 : a->why != NULL,
	    "OK has records, others a reason");
	fuzz_check(a->n <= (a->names != NULL ? 1 : DNS_ADDRS_MAX),
	    "records bounded");
	fuzz_check(dns_status_name(a->status) != NULL, "status name");
	for (i = 0; i < a->n; i++) {
		if (qtype != DNS_T_PTR) {
			fuzz_check(a->addrs[i].family == (qtype == DNS_T_A ?
			    AF_INET : AF_INET6) || qtype == DNS_T_AAAA,
			    "address family");
			continue;
		}
		n = strlen(a->names[i]);
		fuzz_check(n <= DNS_NAME_MAX, "name length");
		fuzz_check(n == 0 || a->names[i][n - 1] != '.', "no trailing dot");
		fuzz_check(dnsmsg_name_ok(a->names[i]), "name is safe");
		for (size_t k = 0; k < n; k++)
			fuzz_check(!isupper((unsigned char)a->names[i][k]),
			    "lowercase");
	}
}

static void
dm_same(const struct dns_answer *a, const struct dns_answer *b)
{
	size_t i;

	fuzz_check(a->qtype == b->qtype && a->status == b->status &&
	    a->ttl == b->ttl && a->n == b->n, "copy equal");
	for (i = 0; i < a->n; i++) {
		if (a->qtype == DNS_T_PTR)
			fuzz_check(strcmp(a->names[i], b->names[i]) == 0,
			    "copied name");
		else
			fuzz_check(addr_equal(&a->addrs[i], &b->addrs[i]),
			    "copied address");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { DNS_T_PTR, DNS_T_A, DNS_T_AAAA };
	struct dns_answer a, b;
	char name[DNS_NAME_MAX + 2 + 8];
	size_t off, start;
	int qtype;

	if (size < 1)
		return 0;
	qtype = types[data[0] % 3];
	data++;
	size--;
	memset(&a, 0, sizeof(a));
	if (dnsmsg_parse(data, size, qtype, &a) == 0) {
		dm_answer(&a, qtype);
		memset(&b, 0, sizeof(b));
		dns_answer_copy(&b, &a);
		dm_same(&a, &b);
		dns_answer_release(&b);
		fuzz_check(b.n == 0 && b.names == NULL && b.addrs == NULL,
		    "released is empty");
	}
	dns_answer_release(&a);
	for (start = 0; start < size && start < 64; start++) {
		off = start;
		memset(name, 'Z', sizeof(name));
		if (dnsmsg_name(data, size, &off, name, DNS_NAME_MAX + 2) == 0) {
			fuzz_check(off > start && off <= size, "offset moves");
			fuzz_check(memchr(name, '\0', DNS_NAME_MAX + 2) != NULL,
			    "name terminated");
		}
		fuzz_check(name[DNS_NAME_MAX + 2] == 'Z', "no write past size");
	}
	return 0;
}
