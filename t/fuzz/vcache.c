/*
 * t/fuzz/vcache.c - libFuzzer harness for the verdict cache
 * (policyd/vcache.c), checked against a model.
 *
 * The input is a program: byte 0 sizes the cache (0..40 entries, TTL 1 s),
 * then each step puts a verdict (class and a reason of 0..255 bytes, so
 * both sides of the inline bound), gets one, lets time pass, clears, or
 * counts, for 16 addresses (IPv4 and IPv6, two of them the same 16 bytes
 * in different families).  The model remembers the last verdict put for
 * each address.  Properties: a hit returns exactly the last verdict put for
 * that address, within the TTL and not before a clear; an address never
 * put (since the last clear) or older than the TTL is a miss.  (A miss for a live entry is
 * allowed: the cache evicts.)  The count never exceeds the live entries
 * of the model (the size may be rounded up to whole sets).
 */
#include <stdint.h>
#include <string.h>

#include "common/addr.h"
#include "policyd/vcache.h"
#include "t/lib/fuzz-memfile.h"

#define VC_ADDRS 16
#define VC_TTL   1000

struct vc_model {
	bool live;
	long long at;
	struct vcache_val v;
};

static void
vc_addr(struct addr *a, unsigned i)
{
	memset(a, 0, sizeof(*a));
	if (i < 8) {
		a->family = AF_INET;
		a->a[0] = 192, a->a[1] = 0, a->a[2] = (unsigned char)(i & 1);
		a->a[3] = (unsigned char)(i * 37);
	} else {
		a->family = AF_INET6;
		a->a[0] = 0x20, a->a[1] = 0x01, a->a[15] = (unsigned char)i;
		if (i == 15) {          /* same first bytes as IPv4 address 0 */
			a->a[0] = 192, a->a[1] = 0, a->a[2] = 0, a->a[3] = 0;
			memset(a->a + 4, 0, 12);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_model m[VC_ADDRS];
	struct vcache *c;
	struct vcache_val v;
	struct addr a;
	long long now = 1000000;
	size_t i = 1, csize, live, k;
	unsigned ai;

	if (size < 1)
		return 0;
	csize = data[0] % 41;
	c = vcache_new(csize, VC_TTL);
	memset(m, 0, sizeof(m));
	while (i + 1 < size) {
		uint8_t op = data[i++], arg = data[i++];

		ai = arg % VC_ADDRS;
		vc_addr(&a, ai);
		switch (op % 6) {
		case 0:
		case 1: {               /* put */
			size_t len = i < size ? data[i++] : 0, j;

			memset(&v, 0, sizeof(v));
			v.cls = (enum vclass)(op / 6 % VCLASS_COUNT);
			v.name = (uint32_t)arg * 2654435761u;
			if (len > CLASSIFY_REASON_MAX - 1)
				len = CLASSIFY_REASON_MAX - 1;
			for (j = 0; j < len; j++)
				v.reason[j] = (char)(' ' + (j + arg + op) % 90);
			vcache_put(c, &a, now, &v);
			m[ai].live = true;
			m[ai].at = now;
			m[ai].v = v;
			break;
		}
		case 2:                 /* get */
			memset(&v, 'Z', sizeof(v));
			if (vcache_get(c, &a, now, &v)) {
				fuzz_check(m[ai].live, "hit for an address not put");
				fuzz_check(now - m[ai].at <= VC_TTL, "hit past the TTL");
				fuzz_check(v.cls == m[ai].v.cls, "class of the last put");
				fuzz_check(v.name == m[ai].v.name, "name key of the last put");
				fuzz_check(strcmp(v.reason, m[ai].v.reason) == 0,
				    "reason of the last put");
			}
			break;
		case 3:                 /* time passes */
			now += (long long)arg * 10;
			break;
		case 4:
			if (arg % 8 == 0) {
				vcache_clear(c);
				for (k = 0; k < VC_ADDRS; k++)
					m[k].live = false;
			}
			break;
		default:
			for (live = 0, k = 0; k < VC_ADDRS; k++)
				live += m[k].live && now - m[k].at <= VC_TTL;
			if (csize == 0)
				fuzz_check(vcache_count(c, now) == 0, "size 0 holds none");
			fuzz_check(vcache_count(c, now) <= live,
			    "count <= live entries");
			break;
		}
	}
	vcache_free(c);
	return 0;
}
