/*
 * t/fuzz/addr.c - libFuzzer harness for common/addr.c and common/num.c:
 * addresses and numbers come from clients (client_address=), the helper's
 * command line and every configuration file.
 *
 * The input, cut at its first NUL, is tried as an address, a CIDR range, a
 * number and a duration.  Properties besides "no crash": what parses formats
 * to text that parses back to the same value; an IPv4-mapped IPv6 address is
 * held as IPv4; a range contains its own network address, has no host bits
 * set and a prefix within the family's bits; a number is within the range
 * asked for; a failure always names its reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/num.h"
#include "t/lib/fuzz-memfile.h"

static void
ad_addr(const char *s, size_t n)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	struct addr a, b;
	char text[ADDR_STRLEN];

	if (addr_parse_n(&a, s, n) < 0)
		return;
	fuzz_check(a.family == AF_INET || a.family == AF_INET6, "family");
	fuzz_check(addr_bits(&a) == (a.family == AF_INET ? 32 : 128), "bits");
	if (a.family == AF_INET6)
		fuzz_check(memcmp(a.a, mapped, 12) != 0, "mapped held as IPv4");
	addr_format(&a, text, sizeof(text));
	fuzz_check(addr_parse(&b, text) == 0 && addr_equal(&a, &b),
	    "address round trip");
	(void)addr_is_loopback(&a);
	(void)addr_is_linklocal(&a);
	(void)addr_is_unspecified(&a);
}

static void
ad_cidr(const char *s)
{
	struct cidr c, d;
	const char *err = NULL;
	char text[ADDR_STRLEN + 8];
	int i, bits;

	if (cidr_parse(&c, s, &err) < 0) {
		fuzz_check(err != NULL && *err != '\0', "cidr error has a reason");
		return;
	}
	bits = addr_bits(&c.net);
	fuzz_check(c.plen >= 0 && c.plen <= bits, "prefix within bits");
	for (i = c.plen; i < bits; i++)
		fuzz_check(!(c.net.a[i / 8] & (0x80 >> (i % 8))), "no host bits");
	fuzz_check(cidr_contains(&c, &c.net), "range contains its network");
	cidr_format(&c, text, sizeof(text));
	fuzz_check(cidr_parse(&d, text, &err) == 0 &&
	    addr_equal(&c.net, &d.net) && c.plen == d.plen, "cidr round trip");
}

static void
ad_num(const char *s)
{
	long long v, w;
	const char *err = NULL;
	char text[32];

	if (num_parse(s, -1000000, 1000000, &v, &err) == 0) {
		fuzz_check(v >= -1000000 && v <= 1000000, "number in range");
		snprintf(text, sizeof(text), "%lld", v);
		fuzz_check(num_parse(text, -1000000, 1000000, &w, &err) == 0 &&
		    v == w, "number round trip");
	} else
		fuzz_check(err != NULL, "number error has a reason");
	err = NULL;
	if (num_parse_duration(s, 1000, 0, INT64_MAX, &v, &err) == 0)
		fuzz_check(v >= 0, "duration not negative");
	else
		fuzz_check(err != NULL, "duration error has a reason");
	(void)num_parse(s, INT64_MIN, INT64_MAX, &v, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	ad_addr((const char *)data, size);     /* the raw bytes, NULs too */
	ad_addr(s, n);
	ad_cidr(s);
	ad_num(s);
	free(s);
	return 0;
}
