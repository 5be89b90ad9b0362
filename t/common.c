/*
 * t/common.c - unit tests of common/: addr, cidr, num, buf, log_esc, fwproto,
 * seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "common/addr.h"
#include "common/buf.h"
#include "common/fwproto.h"
#include "common/log.h"
#include "common/num.h"
#include "common/seed.h"
#include "common/sock.h"
#include "t/tap.h"

static void
test_addr(void)
{
	static const struct { const char *in; const char *out; } good[] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "2001:db8::1", "2001:db8::1" },
		{ "2001:0db8:0000::0001", "2001:db8::1" },
		{ "::ffff:192.0.2.7", "192.0.2.7" },
		{ "[2001:db8::2]", "2001:db8::2" },
		{ "::1", "::1" },
	};
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ",
		"[1.2.3.4]", "::g", "2001:db8::1%eth0", "localhost", "[::1",
	};
	struct addr a;
	char buf[ADDR_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = addr_parse(&a, good[i].in);
		ok(r == 0, "addr_parse(%s)", good[i].in);
		is_str(addr_format(&a, buf, sizeof(buf)), good[i].out,
		    "canonical %s", good[i].in);
	}
	int diff = 0;                   /* IPv4 is formatted by hand */
	for (i = 0; i < 256 * 4; i++) {
		char want[ADDR_STRLEN];

		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		a.a[i / 256] = (unsigned char)i;
		a.a[(i / 256 + 1) % 4] = (unsigned char)(255 - i);
		inet_ntop(AF_INET, a.a, want, sizeof(want));
		diff += strcmp(addr_format(&a, buf, sizeof(buf)), want) != 0;
	}
	is_int(diff, 0, "addr_format agrees with inet_ntop for IPv4");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(addr_parse(&a, bad[i]) < 0, "addr_parse rejects \"%s\"", bad[i]);
	addr_parse(&a, "127.8.9.10");
	ok(addr_is_loopback(&a), "127/8 is loopback");
	addr_parse(&a, "fe80::1");
	ok(addr_is_linklocal(&a), "fe80::/10 is link-local");
	addr_parse(&a, "::");
	ok(addr_is_unspecified(&a), ":: is unspecified");
	addr_parse(&a, "::2");
	ok(!addr_is_unspecified(&a), "::2 is not (all 16 bytes count)");
}

/* What addr_parse() must give for s: addr_parse_n(), which goes to
 * inet_pton alone. */
static int
pton_ref(struct addr *out, const char *s)
{
	return addr_parse_n(out, s, strlen(s));
}

/* addr_parse() reads plain dotted quads by hand: it must agree with
 * inet_pton on every octet text up to four characters in either end of
 * a quad, and on a million strings made of digits, dots and a few other
 * bytes. */
static void
test_addr_quads(void)
{
	static const char alpha[] = "0123456789........0125:x ";
	struct addr a, want;
	char s[32], oct[8];
	int diff = 0, v4 = 0;
	unsigned long x = 0x9e3779b97f4a7c15ul;

	for (int len = 1; len <= 4; len++) {
		int top = len == 1 ? 10 : len == 2 ? 100 : len == 3 ? 1000 : 10000;

		for (int v = 0; v < top; v++) {
			snprintf(oct, sizeof(oct), "%0*d", len, v);
			for (int at = 0; at < 4; at++) {
				snprintf(s, sizeof(s), "%s.%s.%s.%s",
				    at == 0 ? oct : "7", at == 1 ? oct : "8",
				    at == 2 ? oct : "9", at == 3 ? oct : "10");
				int r = addr_parse(&a, s), w = pton_ref(&want, s);
				diff += r != w || (r == 0 && !addr_equal(&a, &want));
				v4 += w == 0;
			}
		}
	}
	is_int(diff, 0, "addr_parse agrees with inet_pton on each octet text");
	is_int(v4, 4 * 256, "and takes exactly the 256 values in each place");
	diff = v4 = 0;
	for (int i = 0; i < 1000000; i++) {
		size_t n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;        /* xorshift */
		n = 1 + x % 20;
		for (size_t j = 0; j < n; j++)
			s[j] = alpha[(x >> (5 + 5 * (j % 11))) % (sizeof(alpha) - 1)];
		s[n] = '\0';
		if (i % 4 == 0)         /* often a quad, to reach the edges */
			snprintf(s, sizeof(s), "%lu.%lu.%lu.%lu%s", x % 300,
			    (x >> 9) % 1100, (x >> 20) % 260, (x >> 31) % 10,
			    (x >> 40) % 8 == 0 ? "." : "");
		int r = addr_parse(&a, s), w = pton_ref(&want, s);
		diff += r != w || (r == 0 && !addr_equal(&a, &want));
		v4 += r == 0;
	}
	is_int(diff, 0, "addr_parse agrees with inet_pton on 1,000,000 strings");
	addr_parse(&a, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	addr_parse(&a, "192.0.2.1");
	ok(a.family == AF_INET && memcmp(a.a + 4, "\0\0\0\0\0\0\0\0\0\0\0\0",
	    12) == 0, "a dotted quad clears what an earlier address left");
	ok(v4 > 20000, "of which %d are addresses", v4);
}

static void
test_cidr(void)
{
	static const struct { const char *cidr, *ip; int in; } cases[] = {
		{ "192.0.2.0/24", "192.0.2.255", 1 },
		{ "192.0.2.0/24", "192.0.3.0", 0 },
		{ "10.0.0.0/9", "10.127.1.1", 1 },
		{ "10.0.0.0/9", "10.128.0.0", 0 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },
		{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
		{ "2001:db8::/33", "2001:db8:8000::1", 0 },
		{ "192.0.2.7", "192.0.2.7", 1 },
		{ "192.0.2.7", "192.0.2.8", 0 },
		{ "::ffff:10.0.0.0/104", "10.1.2.3", 1 },
	};
	static const struct { const char *in, *err; } bad[] = {
		{ "192.0.2.1/24", "host bits set below the prefix length" },
		{ "192.0.2.0/33", "prefix length must be 0..32" },
		{ "2001:db8::/129", "prefix length must be 0..128" },
		{ "192.0.2.0/", "prefix length must be 0..32" },
		{ "192.0.2.0/2x", "prefix length must be 0..32" },
		{ "nonsense/8", "not an IPv4 or IPv6 address" },
	};
	struct cidr c;
	struct addr a;
	const char *err;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok(cidr_parse(&c, cases[i].cidr, &err) == 0, "cidr_parse %s",
		    cases[i].cidr);
		addr_parse(&a, cases[i].ip);
		is_int(cidr_contains(&c, &a), cases[i].in, "%s in %s",
		    cases[i].ip, cases[i].cidr);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		ok(cidr_parse(&c, bad[i].in, &err) < 0, "cidr rejects %s", bad[i].in);
		is_str(err, bad[i].err, "reason for %s", bad[i].in);
	}
	cidr_parse(&c, "2001:db8::/32", NULL);
	is_str(cidr_format(&c, buf, sizeof(buf)), "2001:db8::/32", "cidr_format v6");
}

static void
test_num(void)
{
	static const struct { const char *s; long long min, max, want; const char *err; } c[] = {
		{ "0", 0, 10, 0, NULL }, { "10", 0, 10, 10, NULL },
		{ "11", 0, 10, 0, "too large" }, { "-1", 0, 10, 0, "too small" },
		{ "", 0, 10, 0, "invalid" }, { "1x", 0, 10, 0, "invalid" },
		{ " 1", 0, 10, 0, "invalid" }, { "+1", 0, 10, 0, "invalid" },
		{ "99999999999999999999", 0, 10, 0, "too large" },
	};
	static const struct { const char *s; long long want; const char *err; } d[] = {
		{ "30", 30000, NULL }, { "250ms", 250, NULL }, { "5m", 300000, NULL },
		{ "2h", 7200000, NULL }, { "1d", 86400000, NULL }, { "1w", 604800000, NULL },
		{ "5x", 0, "invalid (use a number with ms, s, m, h, d or w)" },
		{ "s", 0, "invalid (use a number with ms, s, m, h, d or w)" },
		{ "", 0, "invalid (use a number with ms, s, m, h, d or w)" },
	};
	long long v;
	const char *err;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int r = num_parse(c[i].s, c[i].min, c[i].max, &v, &err);
		if (c[i].err == NULL) {
			ok(r == 0 && v == c[i].want, "num_parse \"%s\"", c[i].s);
		} else {
			ok(r < 0, "num_parse rejects \"%s\"", c[i].s);
			is_str(err, c[i].err, "reason for \"%s\"", c[i].s);
		}
	}
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		int r = num_parse_duration(d[i].s, 1000, 0, 1LL << 40, &v, &err);
		if (d[i].err == NULL)
			ok(r == 0 && v == d[i].want, "duration \"%s\" = %lld", d[i].s, v);
		else {
			ok(r < 0, "duration rejects \"%s\"", d[i].s);
			is_str(err, d[i].err, "reason for \"%s\"", d[i].s);
		}
	}
}

static void
test_buf(void)
{
	struct buf b;
	char big[3000];
	size_t i;

	memset(big, 'x', sizeof(big));
	buf_init(&b, 1000);
	ok(buf_append(&b, big, 1000) == 0, "buf fills to its limit");
	ok(buf_append(&b, "y", 1) < 0, "buf refuses one byte past the limit");
	is_int(buf_used(&b), 1000, "nothing appended on refusal");
	buf_consume(&b, 400);
	ok(buf_append(&b, big, 400) == 0, "room again after consume");
	ok(b.cap <= 1000, "storage never past the limit (cap %zu)", b.cap);
	buf_consume(&b, 1000);
	is_int(buf_used(&b), 0, "empty after consuming all");
	for (i = 0; i < 100; i++)
		buf_append(&b, "abcdefghij", 10);
	is_int(buf_used(&b), 1000, "appends in small pieces stop at the limit");
	ok(memcmp(buf_head(&b), "abcdefghij", 10) == 0, "content kept in order");
	buf_release(&b);
}

static void
test_esc(void)
{
	char out[32];

	is_str(log_escs(out, sizeof(out), "mx.example.org"), "mx.example.org", "plain kept");
	is_str(log_escs(out, sizeof(out), "a\nb\"c\\"), "a\\x0ab\\x22c\\x5c", "control and quotes escaped");
	is_str(log_escs(out, 12, "abcdefghijklmnop"), "abcdefgh...", "cut with ...");
	is_str(log_escs(out, sizeof(out), NULL), "-", "NULL is -");
}

static void
test_fwproto(void)
{
	static const struct { const char *line; int op; const char *ip; long long ttl; const char *reason; } good[] = {
		{ "add 192.0.2.1", FWPROTO_ADD, "192.0.2.1", 0, "" },
		{ "add 192.0.2.1 ttl=3600", FWPROTO_ADD, "192.0.2.1", 3600, "" },
		{ "add 2001:db8::1 ttl=60 reason=dynamic ip=full token=dsl", FWPROTO_ADD, "2001:db8::1", 60, "dynamic ip=full token=dsl" },
		{ "add 192.0.2.1 reason=x ttl=5", FWPROTO_ADD, "192.0.2.1", 0, "x ttl=5" },
		{ "del 192.0.2.1\r", FWPROTO_DEL, "192.0.2.1", 0, "" },
	};
	static const struct { const char *line, *err; } bad[] = {
		{ "", "unknown command" }, { "ad 1.2.3.4", "unknown command" },
		{ "add", "missing address" }, { "add ", "missing address" },
		{ "add 1.2.3", "bad address" }, { "add 1.2.3.4 ttl=0", "bad ttl" },
		{ "add 1.2.3.4 ttl=x", "bad ttl" }, { "add 1.2.3.4 foo=1", "bad option" },
		{ "add 1.2.3.4 ", "bad option" }, { "add 1.2.3.4\tttl=1", "bad character" },
		{ "del 1.2.3.4 reason=x", "bad option" },
		{ "add 1.2.3.4 ttl=1 ttl=2", "bad option" },
	};
	struct fwproto_cmd cmd;
	const char *err;
	char ip[ADDR_STRLEN], line[FWPROTO_LINE_MAX];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = fwproto_parse(good[i].line, strlen(good[i].line), &cmd, &err);
		ok(r == 0, "fwproto parses \"%s\"", good[i].line);
		ok(r == 0 && (int)cmd.op == good[i].op && cmd.ttl == good[i].ttl &&
		    strcmp(addr_format(&cmd.addr, ip, sizeof(ip)), good[i].ip) == 0 &&
		    strcmp(cmd.reason, good[i].reason) == 0, "fields of \"%s\"", good[i].line);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		ok(fwproto_parse(bad[i].line, strlen(bad[i].line), &cmd, &err) < 0,
		    "fwproto rejects \"%s\"", bad[i].line);
		is_str(err, bad[i].err, "reason for \"%s\"", bad[i].line);
	}
	/* Round trip through the encoder, with a reason needing sanitising. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = FWPROTO_ADD;
	addr_parse(&cmd.addr, "2001:db8::7");
	cmd.ttl = 86400;
	strcpy(cmd.reason, "dynamic\nline two");
	{
		int n = fwproto_format(&cmd, line, sizeof(line));
		struct fwproto_cmd back;

		is_str(line, "add 2001:db8::7 ttl=86400 reason=dynamic?line two\n", "encoder output");
		ok(n > 0 && fwproto_parse(line, (size_t)n - 1, &back, &err) == 0 &&
		    back.ttl == 86400 && addr_equal(&back.addr, &cmd.addr), "encoder output parses back");
		ok(fwproto_format(&cmd, line, 10) < 0, "encoder refuses a short buffer");
	}
}

/* Secrets for keyed hashes: every byte asked for is written, and two
 * draws differ (32 bytes: equal by chance with odds of 2^-256). */
static void
test_seed(void)
{
	unsigned char a[32], b[32];
	size_t i, set = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	seed_fill(a, sizeof(a));
	seed_fill(b, sizeof(b));
	ok(memcmp(a, b, sizeof(a)) != 0, "two seeds differ");
	for (i = 0; i < sizeof(a); i++)
		set += a[i] != 0;
	ok(set >= 16, "a seed is not mostly zero (%zu of 32 bytes set)", set);
	memset(a, 0xee, sizeof(a));
	seed_fill(a, 5);
	ok(a[5] == 0xee && a[31] == 0xee, "no byte past the length written");
}

/* A unix listener is made with its mode (no chmod that would follow a
 * link put in its place), and the process's umask is left as it was. */
static void
test_unix_modes(void)
{
	char dir[] = "/tmp/t-common.XXXXXX", spec[64];
	struct sock_opts o = { .mode = 0640, .uid = (uid_t)-1,
		.gid = (gid_t)-1 };
	struct stat st;
	mode_t um;
	int fd;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	um = umask(022);
	snprintf(spec, sizeof(spec), "unix:%s/a", dir);
	memset(&st, 0, sizeof(st));
	fd = sock_listen_spec(spec, &o);
	if (fd >= 0)
		(void)lstat(spec + 5, &st);
	ok(S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0640,
	    "unix socket made with mode 0640 (%o)",
	    (unsigned)(st.st_mode & 07777));
	close(fd);
	unlink(spec + 5);
	o.mode = 0;
	memset(&st, 0, sizeof(st));
	fd = sock_listen_spec(spec, &o);
	if (fd >= 0)
		(void)lstat(spec + 5, &st);
	ok(S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0660,
	    "no mode given: 0660 (%o)", (unsigned)(st.st_mode & 07777));
	close(fd);
	unlink(spec + 5);
	is_int((long)umask(um), 022, "the umask is left as it was");
	rmdir(dir);
}

int
main(void)
{
	test_addr();
	test_addr_quads();
	test_cidr();
	test_num();
	test_buf();
	test_esc();
	test_fwproto();
	test_seed();
	test_unix_modes();
	return done_testing();
}
