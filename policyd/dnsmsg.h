/*
 * dnsmsg.h - DNS answers as policyd uses them, and a pure parser of reply
 * packets (no I/O, no c-ares): bytes in, struct dns_answer out.
 *
 * Only what the checks need is kept: the rcode turned into a status, the
 * answer records of the asked type (the first usable PTR name, which is
 * the one classified and confirmed; or the A/AAAA addresses, at most
 * DNS_ADDRS_MAX, so that forward confirmation finds a client among the
 * many addresses of a mail cluster's one name), and how long the answer
 * may be cached: the smallest TTL
 * of the records kept, or for a negative answer the SOA's
 * min(TTL, MINIMUM) from the authority section (RFC 2308), or
 * DNSMSG_TTL_NONE when the packet says nothing (the caller then uses its
 * configured negative TTL).  Records of other types (a CNAME on the way to
 * a classless-delegated PTR, say) are skipped, not followed.
 *
 * PTR names are lowercased and lose the trailing dot; a name with a byte
 * that cannot be in a host name (space, control, '\\', non-ASCII, '.' inside
 * a label) is skipped, so the classifier and the logs only ever see
 * printable host names.  Compression pointers are followed with a hop limit
 * and must point backwards; a truncated or malformed packet is -1.
 *
 * Ownership: a dns_answer owns names/addrs; dns_answer_release() frees
 * them (and leaves the struct empty); dns_answer_copy() makes a deep copy.
 */
#ifndef POLICYD_DNSMSG_H
#define POLICYD_DNSMSG_H

#include <stddef.h>
#include <stdbool.h>
#include "common/addr.h"

#define DNS_NAME_MAX      253           /* text form, no trailing dot */
#define DNS_ADDRS_MAX     128
#define DNSMSG_TTL_NONE   0xffffffffu

#define DNS_T_A     1
#define DNS_T_PTR   12
#define DNS_T_AAAA  28

enum dns_status {
	DNS_OK,                 /* n >= 1 records */
	DNS_NOTFOUND,           /* NXDOMAIN or NODATA: an answer, cacheable */
	DNS_TEMPFAIL,           /* SERVFAIL, REFUSED, timeout, ...: no answer */
};

struct dns_answer {
	int      qtype;
	enum dns_status status;
	const char *why;        /* static: "nxdomain", "nodata", "servfail",
	                           "refused", "timeout", ...; NULL when OK */
	unsigned ttl;           /* seconds, or DNSMSG_TTL_NONE */
	size_t   n;
	char   **names;         /* PTR */
	struct addr *addrs;     /* A, AAAA */
};

/* Parse a reply to a question of type qtype.  0 or -1 (malformed). */
int  dnsmsg_parse(const unsigned char *buf, size_t len, int qtype,
    struct dns_answer *out);
/* Read a (possibly compressed) name at *off into out (lowercased, no
 * trailing dot; "" for the root); *off moves past it.  0 or -1. */
int  dnsmsg_name(const unsigned char *buf, size_t len, size_t *off,
    char *out, size_t size);
/* The reverse name for an address: "7.2.0.192.in-addr.arpa" or nibbles
 * ".ip6.arpa"; with zone set, the DNSBL name "7.2.0.192.ZONE".  0 or -1
 * when size is too small. */
int  dnsmsg_revname(const struct addr *a, const char *zone, char *out,
    size_t size);
/* True when a host name is safe to keep (see above). */
bool dnsmsg_name_ok(const char *name);

void dns_answer_release(struct dns_answer *a);
void dns_answer_copy(struct dns_answer *dst, const struct dns_answer *src);
const char *dns_status_name(enum dns_status s);
const char *dns_type_name(int qtype);

#endif
