/*
 * addr.h - IPv4/IPv6 addresses and CIDR ranges, parsed with inet_pton
 * (addr_parse() reads a plain dotted quad itself first, to the same bytes).
 *
 * struct addr holds one address in network byte order; IPv4 uses a[0..3].
 * addr_parse() accepts the forms inet_pton accepts, plus "[v6]" when
 * brackets is set; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is stored as
 * the IPv4 address, so one client has one canonical form.  addr_format()
 * writes the canonical text (inet_ntop).
 *
 * cidr_parse() accepts "ADDR" (a host route) and "ADDR/LEN"; host bits set
 * below the prefix are an error (it says which), so a typo is not silently
 * widened or narrowed.
 */
#ifndef COMMON_ADDR_H
#define COMMON_ADDR_H

#include <stddef.h>
#include <stdbool.h>
#include <sys/socket.h>

#define ADDR_STRLEN 46          /* INET6_ADDRSTRLEN */

struct addr {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char a[16];
};

struct cidr {
	struct addr net;
	int plen;               /* 0..32 or 0..128 */
};

int  addr_parse(struct addr *out, const char *s);            /* 0 or -1 */
int  addr_parse_n(struct addr *out, const char *s, size_t n); /* not NUL-terminated */
char *addr_format(const struct addr *a, char *buf, size_t size); /* returns buf */
bool addr_equal(const struct addr *x, const struct addr *y);
int  addr_bits(const struct addr *a);                        /* 32 or 128 */
bool addr_is_loopback(const struct addr *a);
bool addr_is_linklocal(const struct addr *a);
bool addr_is_unspecified(const struct addr *a);
/* From/to a struct sockaddr; returns 0 or -1 for other families. */
int  addr_from_sockaddr(struct addr *out, const struct sockaddr *sa);

/* errstr (may be NULL) is set to a static message on failure. */
int  cidr_parse(struct cidr *out, const char *s, const char **errstr);
bool cidr_contains(const struct cidr *c, const struct addr *a);
char *cidr_format(const struct cidr *c, char *buf, size_t size);

#endif
