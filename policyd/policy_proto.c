/*
 * policy_proto.c - incremental parser for Postfix policy requests, and the
 * reply writer.  Pure: no I/O, no logging; see policy_proto.h for the
 * contract and the limits.
 *
 * The parser scans each line where it arrived and copies the request into
 * one storage block (growing on demand up to POLICY_REQ_MAX + 1) in as few
 * pieces as the reads allow, remembering for each known attribute where
 * its value starts and ends; a finished request has the end of each value
 * it hands out turned into a NUL in place.  Storage is released by
 * policy_parser_shrink() so that idle connections hold none.
 */
#include <stdint.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"
#include "policyd/policy_proto.h"

#define ATTR(name, ver) { #name, sizeof(#name) - 1, \
	offsetof(struct policy_req, name) / sizeof(const char *) }

static const struct attr_def {
	const char *name;
	size_t len;
	size_t slot;                    /* index into struct policy_req */
} attrs[] = {
	ATTR(request, 2.1), ATTR(protocol_state, 2.1), ATTR(protocol_name, 2.1),
	ATTR(helo_name, 2.1), ATTR(queue_id, 2.1), ATTR(sender, 2.1),
	ATTR(recipient, 2.1), ATTR(recipient_count, 2.1),
	ATTR(client_address, 2.1), ATTR(client_name, 2.1),
	ATTR(reverse_client_name, 2.1), ATTR(instance, 2.1),
	ATTR(sasl_method, 2.2), ATTR(sasl_username, 2.2),
	ATTR(sasl_sender, 2.2), ATTR(size, 2.2), ATTR(ccert_subject, 2.2),
	ATTR(ccert_issuer, 2.2), ATTR(ccert_fingerprint, 2.2),
	ATTR(encryption_protocol, 2.3), ATTR(encryption_cipher, 2.3),
	ATTR(encryption_keysize, 2.3), ATTR(etrn_domain, 2.3),
	ATTR(stress, 2.5), ATTR(ccert_pubkey_fingerprint, 2.9),
	ATTR(client_port, 3.0), ATTR(policy_context, 3.1),
	ATTR(server_address, 3.2), ATTR(server_port, 3.2),
	ATTR(compatibility_level, 3.8), ATTR(mail_version, 3.8),
};

#define NSLOTS (sizeof(struct policy_req) / sizeof(const char *))
#define ABSENT SIZE_MAX

/*
 * Names in a small open-addressed table, hashed on length, first and last
 * byte: with these factors the 31 names take 31 different slots, so a
 * known name is found at the first slot, compared once (any factors would
 * be correct, a few probes slower).  Built once, on first use.
 */
#define NAME_MIN_LEN 4                  /* size */
#define NAME_MAX_LEN 24                 /* ccert_pubkey_fingerprint */
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))
#define HSLOTS 64                       /* a power of two > NATTRS */
_Static_assert(NAME_MAX_LEN <= 24, "name_eq() compares at most 24 bytes");
_Static_assert(POLICY_REQ_MAX < UINT16_MAX, "offsets fit in end[]");
static unsigned char htab[HSLOTS];      /* index into attrs + 1, 0: free */

static inline unsigned name_hash(const char *name, size_t len)
{
	return ((unsigned)len * 18 + (unsigned char)name[0] * 2 +
	    (unsigned char)name[len - 1] * 7) & (HSLOTS - 1);
}

static void attr_index(void)
{
	static bool built;

	if (built)
		return;
	for (size_t i = 0; i < NATTRS; i++) {
		unsigned h = name_hash(attrs[i].name, attrs[i].len);

		if (attrs[i].len < NAME_MIN_LEN || attrs[i].len > NAME_MAX_LEN)
			abort();        /* name_eq() and attr_find() rely on it */
		while (htab[h] != 0)
			h = (h + 1) & (HSLOTS - 1);
		htab[h] = (unsigned char)(i + 1);
	}
	built = true;
}

/* Are the len bytes at a and b equal?  For NAME_MIN_LEN <= len <=
 * NAME_MAX_LEN: two to four word loads, none outside the bytes. */
static inline bool name_eq(const char *a, const char *b, size_t len)
{
	uint64_t x, y, d = 0;
	uint32_t u, v;

	if (len < 8) {
		memcpy(&u, a, 4), memcpy(&v, b, 4);
		d = u ^ v;
		memcpy(&u, a + len - 4, 4), memcpy(&v, b + len - 4, 4);
		return (d | (u ^ v)) == 0;
	}
	if (len > 16) {
		memcpy(&x, a + 8, 8), memcpy(&y, b + 8, 8);
		d = x ^ y;
	}
	memcpy(&x, a, 8), memcpy(&y, b, 8);
	d |= x ^ y;
	memcpy(&x, a + len - 8, 8), memcpy(&y, b + len - 8, 8);
	return (d | (x ^ y)) == 0;
}

static const struct attr_def *attr_find(const char *name, size_t len)
{
	if (len > NAME_MAX_LEN || len < NAME_MIN_LEN)
		return NULL;
	for (unsigned h = name_hash(name, len); htab[h] != 0;
	    h = (h + 1) & (HSLOTS - 1)) {
		const struct attr_def *a = &attrs[htab[h] - 1];

		if (a->len == len && name_eq(a->name, name, len))
			return a;
	}
	return NULL;
}

struct policy_parser {
	char   *store;                  /* current request, as received */
	size_t  cap, len;
	size_t  line_start;             /* offset of the line being read */
	size_t  eq;                     /* offset of its first '=', or ABSENT */
	size_t  nattr;
	size_t  val[NSLOTS];            /* value offsets, ABSENT if none */
	uint16_t end[NSLOTS];           /* and where each ends (its CR or LF) */
	bool    complete;               /* last feed ended a request */
	const char *error;              /* sticky */
};

static void parser_reset(struct policy_parser *p)
{
	p->len = p->line_start = p->nattr = 0;
	p->eq = ABSENT;
	for (size_t i = 0; i < NSLOTS; i++)
		p->val[i] = ABSENT;
	p->complete = false;
}

struct policy_parser *policy_parser_new(void)
{
	struct policy_parser *p = xcalloc(1, sizeof(*p));

	attr_index();
	parser_reset(p);
	return p;
}

void policy_parser_free(struct policy_parser *p)
{
	if (p == NULL)
		return;
	free(p->store);
	free(p);
}

const char *policy_parser_error(const struct policy_parser *p)
{
	return p->error;
}

bool policy_parser_pending(const struct policy_parser *p)
{
	return !p->complete && p->len > 0;
}

void policy_parser_shrink(struct policy_parser *p)
{
	if (policy_parser_pending(p))
		return;
	free(p->store);
	p->store = NULL;
	p->cap = 0;
	parser_reset(p);
}

size_t policy_parser_held(const struct policy_parser *p)
{
	return p->cap;
}

static int parser_fail(struct policy_parser *p, const char *why)
{
	p->error = why;
	return POLICY_PARSE_ERROR;
}

/* Appends n bytes, keeping room for one more. */
static void store_append(struct policy_parser *p, const char *s, size_t n)
{
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 1024;

		while (cap < p->len + n + 1)
			cap *= 2;
		if (cap > POLICY_REQ_MAX + 1)
			cap = POLICY_REQ_MAX + 1;
		p->store = xreallocarray(p->store, cap, 1);
		p->cap = cap;
	}
	memcpy(p->store + p->len, s, n);
	p->len += n;
}

/*
 * The offset of the first LF or NUL in s[0, n), n if there is none; *eqp
 * gets the offset of the first '=' before it, or ABSENT.  One pass, sixteen
 * bytes at a time where SSE2 is (every x86-64), instead of a memchr() for
 * each of the three: the lines of a request are short, and a call per
 * line and byte class cost more than the scan.
 */
static size_t scan_line(const char *s, size_t n, size_t *eqp)
{
	size_t i = 0, eq = ABSENT;

#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n'), nul = _mm_setzero_si128();
	const __m128i eqs = _mm_set1_epi8('=');

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		unsigned stop = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, nul)));
		unsigned e = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, eqs));

		if (stop != 0)
			e &= (stop & -stop) - 1;        /* before the stop */
		if (e != 0 && eq == ABSENT)
			eq = i + (size_t)__builtin_ctz(e);
		if (stop != 0) {
			*eqp = eq;
			return i + (size_t)__builtin_ctz(stop);
		}
	}
#endif
	for (; i < n && s[i] != '\n' && s[i] != '\0'; i++)
		if (s[i] == '=' && eq == ABSENT)
			eq = i;
	*eqp = eq;
	return i;
}

/* A complete line, n bytes at line (in the store or still in the caller's
 * data; its LF not counted) and at store offset start, with its first '='
 * at store offset eq (or ABSENT).  Returns what is wrong with it, or NULL. */
static inline const char *parser_line(struct policy_parser *p,
    const char *line, size_t n, size_t start, size_t eq, bool *end)
{
	const struct attr_def *a;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n > POLICY_LINE_MAX)
		return "line too long";
	if (n == 0) {
		*end = true;
		return NULL;
	}
	if (++p->nattr > POLICY_ATTR_MAX)
		return "too many attributes";
	if (eq == ABSENT)
		return "line without '='";
	if (eq == start)
		return "empty attribute name";
	if ((a = attr_find(line, eq - start)) != NULL) {
		p->val[a->slot] = eq + 1;
		p->end[a->slot] = (uint16_t)(start + n);        /* < 32 KiB */
	}
	return NULL;
}

static int parser_finish(struct policy_parser *p, struct policy_req *req)
{
	const char **slots = (const char **)req;
	const char *r;

	if (p->nattr == 0)
		return parser_fail(p, "empty request");
	for (size_t i = 0; i < NSLOTS; i++) {
		if (p->val[i] == ABSENT) {
			slots[i] = NULL;
			continue;
		}
		p->store[p->end[i]] = '\0';    /* over its CR or LF */
		slots[i] = p->store + p->val[i];
	}
	if ((r = req->request) == NULL)
		return parser_fail(p, "missing request=");
	if (strcmp(r, "smtpd_access_policy") != 0)
		return parser_fail(p, "request= is not smtpd_access_policy");
	if (req->client_address == NULL)
		return parser_fail(p, "missing client_address=");
	p->complete = true;
	return POLICY_PARSE_DONE;
}

/*
 * Lines are scanned where they are, in data, and copied to the store in
 * one piece when the feed ends or the request does: data[run, i) is
 * parsed and not yet copied, and data[i] will be at store offset base + i.
 * A line begun in an earlier feed is copied first, so that its name can be
 * read in one piece.  The line's start and its '=' stay in locals until
 * the feed returns.
 */
enum policy_parse policy_parser_feed(struct policy_parser *p, const char *data,
    size_t len, size_t *used, struct policy_req *req)
{
	size_t i = 0, run = 0, base, start, eq;
	const char *why = NULL;
	bool end = false;

	*used = 0;
	if (p->error != NULL)
		return POLICY_PARSE_ERROR;
	if (p->complete)
		parser_reset(p);
	base = p->len;
	start = p->line_start;
	eq = p->eq;
	while (i < len) {
		size_t at = base + i, e, n = scan_line(data + i, len - i, &e);
		size_t linelen = at - start + n;
		const char *line;

		if (n < len - i && data[i + n] == '\0')
			why = "NUL byte";
		/* +1: a CR that a LF may follow does not count */
		else if (linelen > POLICY_LINE_MAX + 1)
			why = "line too long";
		else if (at + n + 1 > POLICY_REQ_MAX)
			why = "request too long";
		if (why != NULL)
			break;
		if (eq == ABSENT && e != ABSENT)
			eq = at + e;
		i += n;
		if (i == len)
			break;                          /* no LF yet */
		if (start < base) {                     /* begun before */
			store_append(p, data + run, i - run);
			run = i;
			line = p->store + start;
		} else {
			line = data + (start - base);
		}
		if ((why = parser_line(p, line, linelen, start, eq, &end)))
			break;
		start = base + ++i;                     /* past the LF */
		eq = ABSENT;
		if (end)
			break;
	}
	if (i > run)
		store_append(p, data + run, i - run);   /* all before data[i] */
	p->line_start = start;
	p->eq = eq;
	if (why != NULL)
		return parser_fail(p, why);
	*used = i;
	return end ? parser_finish(p, req) : POLICY_PARSE_MORE;
}

int policy_reply_format(char *dst, size_t dstsize, const char *action,
    size_t actionlen)
{
	static const char pre[] = "action=";
	size_t n = sizeof(pre) - 1 + actionlen + 2;

	if (actionlen == 0 || n >= dstsize ||
	    memchr(action, '\r', actionlen) || memchr(action, '\n', actionlen) ||
	    memchr(action, '\0', actionlen))
		return -1;
	memcpy(dst, pre, sizeof(pre) - 1);
	memcpy(dst + sizeof(pre) - 1, action, actionlen);
	memcpy(dst + n - 2, "\n\n", 3);
	return (int)n;
}
