/*
 * t/policy_proto.c - the policy protocol parser and reply writer.
 *
 * Every case is fed whole, split in two at every byte boundary, and one
 * byte at a time; all three must give the same requests and the same end.
 */
#include <stdlib.h>
#include <string.h>

#include "policyd/policy_proto.h"
#include "t/tap.h"

#define MAXREQ 4

struct got {
	int  nreq;
	char addr[MAXREQ][64], name[MAXREQ][64], sender[MAXREQ][64];
	int  has_sender[MAXREQ];
	char err[64];           /* "" when no error */
	int  pending;           /* a partial request held at the end */
};

static void take(struct got *g, const struct policy_req *r)
{
	int i = g->nreq++;

	if (i >= MAXREQ)
		return;
	snprintf(g->addr[i], sizeof(g->addr[i]), "%s", r->client_address);
	snprintf(g->name[i], sizeof(g->name[i]), "%s",
	    r->client_name ? r->client_name : "(null)");
	g->has_sender[i] = r->sender != NULL;
	snprintf(g->sender[i], sizeof(g->sender[i]), "%s",
	    r->sender ? r->sender : "(null)");
}

/* Feed in chunks of at most `step` bytes, the first one `first` long. */
static void run(const char *in, size_t len, size_t first, size_t step,
    struct got *g)
{
	struct policy_parser *p = policy_parser_new();
	size_t off = 0;

	memset(g, 0, sizeof(*g));
	while (off < len) {
		size_t n = off == 0 ? first : step, used;
		struct policy_req req;
		enum policy_parse rc;

		if (n > len - off)
			n = len - off;
		if (n == 0)
			n = 1;
		rc = policy_parser_feed(p, in + off, n, &used, &req);
		if (rc == POLICY_PARSE_ERROR) {
			snprintf(g->err, sizeof(g->err), "%s",
			    policy_parser_error(p));
			break;
		}
		if (rc == POLICY_PARSE_DONE)
			take(g, &req);
		else if (used != n)
			snprintf(g->err, sizeof(g->err), "MORE but used %zu/%zu",
			    used, n);
		off += used;
	}
	g->pending = policy_parser_pending(p);
	policy_parser_free(p);
}

static int same(const struct got *a, const struct got *b)
{
	if (a->nreq != b->nreq || strcmp(a->err, b->err) != 0 ||
	    a->pending != b->pending)
		return 0;
	for (int i = 0; i < a->nreq && i < MAXREQ; i++)
		if (strcmp(a->addr[i], b->addr[i]) || strcmp(a->name[i],
		    b->name[i]) || strcmp(a->sender[i], b->sender[i]))
			return 0;
	return 1;
}

#define R "request=smtpd_access_policy\n"

static const struct tcase {
	const char *what, *in;
	int nreq;
	const char *addr0, *name0, *sender0, *err;
	size_t len;             /* 0: strlen(in) */
} cases[] = {
	{ "one request", R "client_address=192.0.2.1\nclient_name=a.example\n"
	    "sender=x@y\n\n", 1, "192.0.2.1", "a.example", "x@y", "", 0 },
	{ "pipelined three", R "client_address=192.0.2.1\n\n"
	    R "client_address=192.0.2.2\n\n" R "client_address=192.0.2.3\n\n",
	    3, "192.0.2.1", "(null)", "(null)", "", 0 },
	{ "CRLF", "request=smtpd_access_policy\r\nclient_address=192.0.2.9\r\n"
	    "client_name=c.example\r\n\r\n", 1, "192.0.2.9", "c.example",
	    "(null)", "", 0 },
	{ "CR inside a value is kept", R "client_address=192.0.2.9\n"
	    "client_name=c\rd\n\n", 1, "192.0.2.9", "c\rd", "(null)", "", 0 },
	{ "duplicates: last wins", R "client_address=192.0.2.1\n"
	    "client_address=192.0.2.7\nclient_name=first\nclient_name=last\n\n",
	    1, "192.0.2.7", "last", "(null)", "", 0 },
	{ "empty values", R "client_address=192.0.2.1\nsender=\n"
	    "client_name=\n\n", 1, "192.0.2.1", "", "", "", 0 },
	{ "value with '='", R "client_address=192.0.2.1\nsender=a=b@c\n\n",
	    1, "192.0.2.1", "(null)", "a=b@c", "", 0 },
	{ "IPv6 client_address", R "client_address=2001:db8::25\n"
	    "client_name=v6.example\n\n", 1, "2001:db8::25", "v6.example",
	    "(null)", "", 0 },
	{ "unknown attributes ignored", R "frobnicate=1\n"
	    "client_address=192.0.2.1\nx_future_attr=\n\n", 1, "192.0.2.1",
	    "(null)", "(null)", "", 0 },
	{ "every 3.8 attribute", R "protocol_state=RCPT\nprotocol_name=ESMTP\n"
	    "helo_name=h\nqueue_id=Q\nsender=s@d\nrecipient=r@d\n"
	    "recipient_count=0\nclient_address=198.51.100.4\nclient_name=n\n"
	    "reverse_client_name=n\ninstance=1.2.3\nsasl_method=plain\n"
	    "sasl_username=u\nsasl_sender=\nsize=12\nccert_subject=cs\n"
	    "ccert_issuer=ci\nccert_fingerprint=f\nencryption_protocol=TLSv1.3\n"
	    "encryption_cipher=c\nencryption_keysize=256\netrn_domain=\n"
	    "stress=\nccert_pubkey_fingerprint=p\nclient_port=1234\n"
	    "policy_context=submission\nserver_address=10.3.2.1\n"
	    "server_port=25\ncompatibility_level=3.6\nmail_version=3.8.0\n\n",
	    1, "198.51.100.4", "n", "s@d", "", 0 },
	{ "partial request pending", R "client_address=192.0.2.1\n", 0, NULL,
	    NULL, NULL, "", 0 },
	{ "NUL byte", R "client_address=192.0.2.1\nclient_name=a\0b\n\n", 0,
	    NULL, NULL, NULL, "NUL byte",
	    sizeof(R "client_address=192.0.2.1\nclient_name=a\0b\n\n") - 1 },
	{ "line without '='", R "client_address=192.0.2.1\nbogus\n\n", 0,
	    NULL, NULL, NULL, "line without '='", 0 },
	{ "empty name", R "=x\nclient_address=192.0.2.1\n\n", 0, NULL, NULL,
	    NULL, "empty attribute name", 0 },
	{ "missing request=", "client_address=192.0.2.1\n\n", 0, NULL, NULL,
	    NULL, "missing request=", 0 },
	{ "other request type", "request=junk\nclient_address=192.0.2.1\n\n",
	    0, NULL, NULL, NULL, "request= is not smtpd_access_policy", 0 },
	{ "missing client_address", R "client_name=x\n\n", 0, NULL, NULL,
	    NULL, "missing client_address=", 0 },
	{ "empty request", "\n", 0, NULL, NULL, NULL, "empty request", 0 },
	{ "good then bad", R "client_address=192.0.2.1\n\nbogus\n\n", 1,
	    "192.0.2.1", "(null)", "(null)", "line without '='", 0 },
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *t = &cases[i];
		size_t len = t->len ? t->len : strlen(t->in);
		struct got whole, g;
		int splits_ok = 1, bytes_ok;

		run(t->in, len, len, len, &whole);
		is_int(whole.nreq, t->nreq, "%s: requests", t->what);
		is_str(whole.err, t->err, "%s: error", t->what);
		if (t->nreq > 0) {
			is_str(whole.addr[0], t->addr0, "%s: client_address",
			    t->what);
			is_str(whole.name[0], t->name0, "%s: client_name",
			    t->what);
			is_str(whole.sender[0], t->sender0, "%s: sender",
			    t->what);
		}
		for (size_t cut = 1; cut < len; cut++) {
			run(t->in, len, cut, len, &g);
			if (!same(&whole, &g)) {
				diag("split at %zu differs", cut);
				splits_ok = 0;
			}
		}
		ok(splits_ok, "%s: same at every split", t->what);
		run(t->in, len, 1, 1, &g);
		bytes_ok = same(&whole, &g);
		ok(bytes_ok, "%s: same byte by byte", t->what);
	}
}

/* A request whose one long line is n bytes, line ending eol. */
static char *long_line(size_t n, const char *eol)
{
	const char *pre = R "client_address=192.0.2.1\nx=";
	size_t pl = strlen(pre), el = strlen(eol);
	char *s = malloc(pl + (n - 2) + el + el + 1);

	memcpy(s, pre, pl);
	memset(s + pl, 'a', n - 2);
	strcpy(s + pl + n - 2, eol);
	strcat(s, eol);
	return s;
}

static void test_limits(void)
{
	struct got g;
	char *s, *big;
	size_t n, len;

	s = long_line(POLICY_LINE_MAX, "\n");
	run(s, strlen(s), strlen(s), strlen(s), &g);
	ok(g.nreq == 1 && g.err[0] == 0, "line of POLICY_LINE_MAX: ok");
	free(s);
	s = long_line(POLICY_LINE_MAX, "\r\n");
	run(s, strlen(s), strlen(s), strlen(s), &g);
	ok(g.nreq == 1 && g.err[0] == 0, "line of POLICY_LINE_MAX + CR: ok");
	free(s);
	s = long_line(POLICY_LINE_MAX + 1, "\n");
	run(s, strlen(s), strlen(s), strlen(s), &g);
	is_str(g.err, "line too long", "line of POLICY_LINE_MAX + 1");
	run(s, strlen(s), 1, 7, &g);
	is_str(g.err, "line too long", "line of POLICY_LINE_MAX + 1, split");
	free(s);
	s = long_line(POLICY_LINE_MAX + 1, "\r\n");
	run(s, strlen(s), strlen(s), strlen(s), &g);
	is_str(g.err, "line too long", "line of POLICY_LINE_MAX + 1 + CR");
	free(s);

	/* attributes: ATTR_MAX lines in all, then one more */
	for (int extra = 0; extra <= 1; extra++) {
		size_t cap = (POLICY_ATTR_MAX + 4) * 8, o = 0;

		big = malloc(cap);
		o += (size_t)sprintf(big, R "client_address=192.0.2.1\n");
		for (int i = 2; i < POLICY_ATTR_MAX + extra; i++)
			o += (size_t)sprintf(big + o, "u=%d\n", i % 10);
		big[o++] = '\n';
		run(big, o, o, o, &g);
		if (extra)
			is_str(g.err, "too many attributes",
			    "POLICY_ATTR_MAX + 1 attributes");
		else
			ok(g.nreq == 1 && !g.err[0], "POLICY_ATTR_MAX attributes");
		free(big);
	}

	/* request size: exactly POLICY_REQ_MAX bytes, then one more */
	for (int extra = 0; extra <= 1; extra++) {
		const char *pre = R "client_address=192.0.2.1\n";
		size_t pl = strlen(pre), o, linelen = 4000;

		len = POLICY_REQ_MAX + (size_t)extra;
		big = malloc(len + 1);
		memcpy(big, pre, pl);
		o = pl;
		/* lines "y=aaa...\n" of linelen bytes, then a shorter one */
		while (len - 1 - o > linelen) {
			memcpy(big + o, "y=", 2);
			memset(big + o + 2, 'a', linelen - 3);
			big[o + linelen - 1] = '\n';
			o += linelen;
		}
		n = len - 1 - o;        /* last attribute line incl. LF */
		memcpy(big + o, "z=", 2);
		memset(big + o + 2, 'b', n - 3);
		big[o + n - 1] = '\n';
		big[len - 1] = '\n';
		run(big, len, len, len, &g);
		if (extra)
			is_str(g.err, "request too long",
			    "request of POLICY_REQ_MAX + 1 bytes");
		else
			ok(g.nreq == 1 && !g.err[0],
			    "request of POLICY_REQ_MAX bytes");
		run(big, len, 100, 333, &g);
		ok(extra ? strcmp(g.err, "request too long") == 0 :
		    g.nreq == 1 && !g.err[0], "request size edge %d, split",
		    extra);
		free(big);
	}
}

static void test_api(void)
{
	struct policy_parser *p = policy_parser_new();
	const char *two = R "client_address=192.0.2.1\n\n" R
	    "client_address=192.0.2.2\n\n";
	struct policy_req req;
	size_t used, first = strlen(R "client_address=192.0.2.1\n\n");

	is_int(policy_parser_feed(p, two, strlen(two), &used, &req),
	    POLICY_PARSE_DONE, "feed stops after one request");
	is_int(used, first, "used counts the first request only");
	is_str(req.client_address, "192.0.2.1", "first request");
	ok(req.helo_name == NULL, "absent attribute is NULL");
	is_int(policy_parser_feed(p, two + used, strlen(two) - used, &used,
	    &req), POLICY_PARSE_DONE, "second request");
	is_str(req.client_address, "192.0.2.2", "second request address");
	ok(!policy_parser_pending(p), "nothing pending");
	policy_parser_shrink(p);
	is_int(policy_parser_feed(p, "bad\n", 4, &used, &req),
	    POLICY_PARSE_ERROR, "error");
	is_int(policy_parser_feed(p, two, strlen(two), &used, &req),
	    POLICY_PARSE_ERROR, "error is sticky");
	policy_parser_free(p);
	policy_parser_free(NULL);
}

/* Every attribute lands in the field of its name: value = name. */
static void test_every_attribute(void)
{
	static const char *const names[] = {
		"request", "protocol_state", "protocol_name", "helo_name",
		"queue_id", "sender", "recipient", "recipient_count",
		"client_address", "client_name", "reverse_client_name",
		"instance", "sasl_method", "sasl_username", "sasl_sender",
		"size", "ccert_subject", "ccert_issuer", "ccert_fingerprint",
		"encryption_protocol", "encryption_cipher",
		"encryption_keysize", "etrn_domain", "stress",
		"ccert_pubkey_fingerprint", "client_port", "policy_context",
		"server_address", "server_port", "compatibility_level",
		"mail_version",
	};
	struct policy_parser *p = policy_parser_new();
	struct policy_req req;
	const char *const *f = (const char *const *)&req;
	char buf[2048];
	size_t o = 0, used, n = sizeof(names) / sizeof(names[0]);

	is_int(n, sizeof(req) / sizeof(char *), "a field for every name");
	o += (size_t)sprintf(buf, R);
	for (size_t i = 1; i < n; i++)
		o += (size_t)sprintf(buf + o, "%s=%s\n", names[i], names[i]);
	buf[o++] = '\n';
	is_int(policy_parser_feed(p, buf, o, &used, &req), POLICY_PARSE_DONE,
	    "request with every attribute");
	for (size_t i = 1; i < n; i++)
		is_str(f[i], names[i], "%s", names[i]);
	policy_parser_free(p);
}

static void test_reply(void)
{
	char b[64];

	is_int(policy_reply_format(b, sizeof(b), "DUNNO", 5), 14, "reply len");
	is_str(b, "action=DUNNO\n\n", "reply text");
	is_int(policy_reply_format(b, sizeof(b), "REJECT go away", 14), 23,
	    "reply with text");
	is_int(policy_reply_format(b, sizeof(b), "REJECT a\nb", 10), -1,
	    "LF refused");
	is_int(policy_reply_format(b, sizeof(b), "REJECT a\rb", 10), -1,
	    "CR refused");
	is_int(policy_reply_format(b, sizeof(b), "REJECT a\0b", 10), -1,
	    "NUL refused");
	is_int(policy_reply_format(b, sizeof(b), "", 0), -1, "empty refused");
	is_int(policy_reply_format(b, 14, "DUNNO", 5), -1, "too small");
	is_int(policy_reply_format(b, 15, "DUNNO", 5), 14, "just fits");
}

static void test_unknown(void)
{
	static const char *const no[] = { "", "u", "unknow", "unknown ",
		"unknown.", "unknowns", "Unknown", "UNKNOWN", "nknown",
		"unkn0wn", "xunknown" };

	ok(policy_is_unknown("unknown"), "\"unknown\" is Postfix's unknown");
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ok(!policy_is_unknown(no[i]), "\"%s\" is not", no[i]);
}

int main(void)
{
	test_unknown();
	test_cases();
	test_limits();
	test_api();
	test_every_attribute();
	test_reply();
	return done_testing();
}
