/*
 * policy_proto.c - incremental parser for Postfix policy requests, and the
 * reply writer.  Pure: no I/O, no logging; see policy_proto.h for the
 * contract and the limits.
 *
 * The parser copies each request line by line into one storage block that
 * grows on demand up to POLICY_REQ_MAX (+1), turning '=' and the line end
 * into NULs in place, and remembers for each known attribute the offset of
 * its value.  Storage is released by policy_parser_shrink() so that idle
 * connections hold none.
 */
#include <stdint.h>
#include <stdlib.h>
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
 * Names by length: a line's name is compared with the few attributes of
 * its length only (at most 6 share one).  Built once, on first use.
 */
#define NAME_MAX_LEN 24                 /* ccert_pubkey_fingerprint */
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))
static unsigned char bylen[NAME_MAX_LEN + 1][8];
static unsigned char nbylen[NAME_MAX_LEN + 1];

static void attr_index(void)
{
	if (nbylen[7] != 0)             /* "request" is there once built */
		return;
	for (size_t i = 0; i < NATTRS; i++)
		bylen[attrs[i].len][nbylen[attrs[i].len]++] = (unsigned char)i;
}

static const struct attr_def *attr_find(const char *name, size_t len)
{
	if (len > NAME_MAX_LEN)
		return NULL;
	for (unsigned i = 0; i < nbylen[len]; i++) {
		const struct attr_def *a = &attrs[bylen[len][i]];

		if (a->name[0] == name[0] && memcmp(a->name, name, len) == 0)
			return a;
	}
	return NULL;
}

struct policy_parser {
	char   *store;                  /* current request, lines NUL-split */
	size_t  cap, len;
	size_t  line_start;             /* offset of the line being read */
	size_t  nattr;
	size_t  val[NSLOTS];            /* value offsets, ABSENT if none */
	bool    complete;               /* last feed ended a request */
	const char *error;              /* sticky */
};

static void parser_reset(struct policy_parser *p)
{
	p->len = p->line_start = p->nattr = 0;
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

static int parser_fail(struct policy_parser *p, const char *why)
{
	p->error = why;
	return POLICY_PARSE_ERROR;
}

/* Appends n bytes and keeps room for one more (the NUL of the line). */
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

/* The line [line_start, len) is complete (its LF not stored). */
static int parser_line(struct policy_parser *p, bool *end)
{
	char *line = p->store + p->line_start;
	size_t n = p->len - p->line_start;
	char *eq;
	const struct attr_def *a;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n > POLICY_LINE_MAX)
		return parser_fail(p, "line too long");
	if (n == 0) {
		*end = true;
		return 0;
	}
	if (++p->nattr > POLICY_ATTR_MAX)
		return parser_fail(p, "too many attributes");
	if ((eq = memchr(line, '=', n)) == NULL)
		return parser_fail(p, "line without '='");
	if (eq == line)
		return parser_fail(p, "empty attribute name");
	*eq = '\0';
	line[n] = '\0';                 /* over the CR or the LF slot */
	if ((a = attr_find(line, (size_t)(eq - line))) != NULL)
		p->val[a->slot] = (size_t)(eq + 1 - p->store);
	return 0;
}

static int parser_finish(struct policy_parser *p, struct policy_req *req)
{
	const char **slots = (const char **)req;
	const char *r;

	if (p->nattr == 0)
		return parser_fail(p, "empty request");
	for (size_t i = 0; i < NSLOTS; i++)
		slots[i] = p->val[i] == ABSENT ? NULL : p->store + p->val[i];
	if ((r = req->request) == NULL)
		return parser_fail(p, "missing request=");
	if (strcmp(r, "smtpd_access_policy") != 0)
		return parser_fail(p, "request= is not smtpd_access_policy");
	if (req->client_address == NULL)
		return parser_fail(p, "missing client_address=");
	p->complete = true;
	return POLICY_PARSE_DONE;
}

enum policy_parse policy_parser_feed(struct policy_parser *p, const char *data,
    size_t len, size_t *used, struct policy_req *req)
{
	size_t i = 0;

	*used = 0;
	if (p->error != NULL)
		return POLICY_PARSE_ERROR;
	if (p->complete)
		parser_reset(p);
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = (nl ? (size_t)(nl - data) : len) - i;
		size_t linelen = p->len - p->line_start + n;
		bool end = false;

		if (memchr(data + i, '\0', n) != NULL)
			return parser_fail(p, "NUL byte");
		/* +1: a CR that a LF may follow does not count */
		if (linelen > POLICY_LINE_MAX + 1)
			return parser_fail(p, "line too long");
		if (p->len + n + 1 > POLICY_REQ_MAX)
			return parser_fail(p, "request too long");
		store_append(p, data + i, n);
		i += n;
		*used = i;
		if (nl == NULL)
			break;
		/* the LF: room for a NUL, and it counts toward the request */
		if (parser_line(p, &end) < 0)
			return POLICY_PARSE_ERROR;
		p->len++;
		p->line_start = p->len;
		*used = ++i;
		if (end)
			return parser_finish(p, req);
	}
	return POLICY_PARSE_MORE;
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
