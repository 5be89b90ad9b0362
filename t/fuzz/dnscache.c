/*
 * t/fuzz/dnscache.c - libFuzzer harness for the DNS answer cache
 * (policyd/dnscache.c), checked against a model.
 *
 * The input is a program over 24 keys (A, PTR, AAAA x 8 keys: names up to
 * 253 bytes long, and two keys with a NUL that differ only after it, as
 * dns.c keys an address's PTR): put an answer (status, 0..16 records, TTL 0..7 s), get one,
 * let time pass, change the size (0..20).  The model keeps the last answer
 * put per key and until when.  Properties: a hit returns a deep copy equal
 * to the last answer put for that key (type, status, reason, TTL, every
 * record), before its expiry; a key never put, or put last with TTL 0, or
 * expired, is a miss; the entries never exceed the maximum (0 means 1).  (A miss for a
 * live key is allowed: the cache evicts.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "policyd/dnscache.h"
#include "policyd/dnsmsg.h"
#include "t/lib/fuzz-memfile.h"

#define DC_NAMES 8
#define DC_KEYS  (3 * DC_NAMES)

enum { DC_NEVER, DC_STORED, DC_UNKNOWN };   /* UNKNOWN: put with TTL 0 */

static const int dc_types[3] = { DNS_T_A, DNS_T_PTR, DNS_T_AAAA };

struct dc_model {
	int state;              /* DC_NEVER, DC_STORED, DC_UNKNOWN */
	double until;
	struct dns_answer a;    /* deep copy */
};

/* Key i into buf; its length. */
static size_t
dc_name(char *buf, size_t size, unsigned i)
{
	size_t n = i == 7 ? 253 : 10 + i * 7, k;

	if (i == 5 || i == 6) {         /* a NUL, a length, an address */
		static const char addr[2][6] = { { 0, 4, 10, 0, 0, 1 },
			{ 0, 4, 10, 0, 0, 2 } };
		memcpy(buf, addr[i - 5], 6);
		buf[6] = '\0';
		return 6;
	}
	if (n >= size)
		n = size - 1;
	for (k = 0; k < n; k++)
		buf[k] = (k % 9 == 8) ? '.' : (char)('a' + (k + i) % 26);
	buf[n] = '\0';
	return n;
}

static void
dc_same(const struct dns_answer *x, const struct dns_answer *y)
{
	size_t i;

	fuzz_check(x->qtype == y->qtype && x->status == y->status &&
	    x->n == y->n && x->ttl == y->ttl, "answer header");
	fuzz_check((x->why == NULL) == (y->why == NULL) &&
	    (x->why == NULL || strcmp(x->why, y->why) == 0), "answer reason");
	for (i = 0; i < x->n; i++) {
		if (x->qtype == DNS_T_PTR)
			fuzz_check(strcmp(x->names[i], y->names[i]) == 0, "name");
		else
			fuzz_check(addr_equal(&x->addrs[i], &y->addrs[i]), "addr");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const whys[] = { NULL, "nxdomain", "servfail",
	    "timeout" };
	struct dc_model m[DC_KEYS];
	struct dnscache_stats st;
	struct dnscache *c;
	struct dns_answer a;
	const struct dns_answer *got;
	char name[DNS_NAME_MAX + 1], rec[64];
	double now = 1000.0;
	size_t i = 1, max, k, j, len;
	uint32_t h;

	if (size < 1)
		return 0;
	max = data[0] % 21;
	c = dnscache_new(max);
	memset(m, 0, sizeof(m));
	while (i + 2 < size) {
		uint8_t op = data[i++], key = data[i++] % DC_KEYS, arg = data[i++];
		int qtype = dc_types[key / DC_NAMES];

		len = dc_name(name, sizeof(name), key % DC_NAMES);
		h = dnscache_hash(qtype, name, len);
		switch (op % 5) {
		case 0:
		case 1: {               /* put */
			unsigned ttl = arg % 8;

			memset(&a, 0, sizeof(a));
			a.qtype = qtype;
			a.status = (enum dns_status)(op / 5 % 3);
			a.why = a.status == DNS_OK ? NULL : whys[1 + op / 15 % 3];
			a.ttl = arg;
			a.n = a.status == DNS_OK ? 1 + arg % 16 : 0;
			if (qtype == DNS_T_PTR)
				a.names = calloc(16, sizeof(char *));
			else
				a.addrs = calloc(16, sizeof(struct addr));
			for (j = 0; j < a.n; j++) {
				if (qtype == DNS_T_PTR) {
					snprintf(rec, sizeof(rec), "h%zu-%u.example", j, op);
					a.names[j] = strdup(rec);
				} else {
					a.addrs[j].family = qtype == DNS_T_A ? AF_INET :
					    AF_INET6;
					a.addrs[j].a[0] = (unsigned char)j;
					a.addrs[j].a[3] = op;
				}
			}
			dnscache_put_hashed(c, qtype, name, len, h, &a, ttl, now);
			dns_answer_release(&m[key].a);
			if (ttl == 0) {         /* not stored: old entry or none */
				m[key].state = m[key].state == DC_NEVER ? DC_NEVER :
				    DC_UNKNOWN;
				dns_answer_release(&a);
				break;
			}
			m[key].state = DC_STORED;
			m[key].until = now + ttl;
			m[key].a = a;           /* the model owns it now */
			break;
		}
		case 2:                 /* get */
			got = dnscache_get_hashed(c, qtype, name, len, h, now);
			if (got == NULL)
				break;
			fuzz_check(m[key].state != DC_NEVER,
			    "hit for a key never stored");
			if (m[key].state == DC_STORED) {
				fuzz_check(now <= m[key].until, "hit past the TTL");
				dc_same(got, &m[key].a);
			}
			break;
		case 3:
			now += arg / 16.0;
			break;
		default:
			if (arg % 4 == 0) {
				max = arg % 21;
				dnscache_set_max(c, max);
			}
			dnscache_stats(c, &st);
			fuzz_check(st.max == (max ? max : 1), "max as set (0 is 1)");
			fuzz_check(st.entries <= st.max, "entries <= max");
			break;
		}
	}
	/* A key never stored stays a miss. */
	for (k = 0; k < DC_KEYS; k++)
		if (m[k].state == DC_NEVER) {
			int qt = dc_types[k / DC_NAMES];

			len = dc_name(name, sizeof(name), (unsigned)(k % DC_NAMES));
			fuzz_check(dnscache_get_hashed(c, qt, name, len,
			    dnscache_hash(qt, name, len), now) == NULL,
			    "miss for a key never put");
		}
	for (k = 0; k < DC_KEYS; k++)
		dns_answer_release(&m[k].a);
	dnscache_free(c);
	return 0;
}
