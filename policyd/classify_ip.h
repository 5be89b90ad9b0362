/*
 * classify_ip.h - finding the client address inside a host part (internal
 * to the classifier; pure, no allocation).
 *
 * The caller passes the lowercase host part (labels left of the registered
 * domain, dots included) and its digit runs.  classify_ip_find() reports the
 * strongest embedding of ip: 4 = the whole address (in order, or all four
 * octets split across labels), 3 = three octets in order or an IPv6 /64,
 * 2 = two octets in order, 1 = one octet as a number of its own, 0 = none;
 * desc names the encoding and which octets, e.g. "full-padded-dashed(4/4)",
 * "partial-dashed(3,4)", "hex", "full-split(1,2,3+4)", "v6-nibbles(/64)".
 * classify_ip_shape() is the stand-in when no address is known: four (or
 * three) small numbers in a row, or a hex blob of eight digits or more.
 * pool is set for the whole address in hex, zero-padded or concatenated
 * (and for a hex blob or a 12-digit run of octets when no address is known).
 */
#ifndef POLICYD_CLASSIFY_IP_H
#define POLICYD_CLASSIFY_IP_H

#include <stddef.h>
#include <stdint.h>

struct addr;

#define CL_NUM_MAX 32

struct cl_num {
	uint16_t start, end;    /* digit run h[start..end) */
	int16_t  val;           /* its value when 1-3 digits and <= 255, or -1 */
	uint8_t  lz;            /* leading zero (zero-padded) */
};

struct cl_ipm {
	int  strength;
	int  pool;              /* an access-pool encoding: hex, zero-padded or
	                           concatenated (hosting names use plain dashes
	                           and dots) */
	char desc[48];
};

/* hexrun: the longest run of [0-9a-f] in h (hex is searched only when
 * it is 8 or more). */
void classify_ip_find(const char *h, size_t hlen, const struct cl_num *num,
    int nnum, int hexrun, const struct addr *ip, struct cl_ipm *out);
void classify_ip_shape(const char *h, size_t hlen, const struct cl_num *num,
    int nnum, struct cl_ipm *out);

#endif
