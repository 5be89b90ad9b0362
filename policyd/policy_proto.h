/*
 * policy_proto.h - the Postfix policy delegation protocol, as a pure,
 * incremental parser and a reply writer (no I/O).
 *
 * Input is "name=value\n" lines; an empty line ends a request.  Bytes are fed
 * as they arrive (any split, several requests in one chunk); each complete
 * request is handed out as a struct policy_req whose strings point into
 * parser-owned storage valid until the next policy_parser_feed(),
 * policy_parser_shrink() or policy_parser_free().
 *
 * Limits (exceeding one is a malformed request):
 *   POLICY_LINE_MAX   bytes in one line, without its LF (a CR before the LF
 *                     is stripped and does not count)
 *   POLICY_REQ_MAX    bytes in one request, every line with its LF and the
 *                     final empty line included
 *   POLICY_ATTR_MAX   name=value lines in one request, known or not
 * Malformed, besides a limit: a NUL byte, a line without '=', an empty
 * name, a request without request=, request= other than
 * smtpd_access_policy, a request without client_address=.  The parser then
 * fails and stays failed (sticky): the connection must be closed.
 *
 * Duplicate attributes: the LAST occurrence wins (as with the hash tables
 * most policy servers read requests into); every occurrence counts toward
 * POLICY_ATTR_MAX.  Unknown attributes are ignored.  An absent attribute is
 * NULL; an empty one ("sender=") is "".  Values are not interpreted: e.g.
 * client_address is passed on as Postfix sent it.
 *
 * Every attribute of Postfix 2.1 to 3.12 has a field below (the 3.8 set;
 * no later version added one).  Field names are the attribute names.
 */
#ifndef POLICYD_POLICY_PROTO_H
#define POLICYD_POLICY_PROTO_H

#include <stddef.h>
#include <stdbool.h>

#define POLICY_LINE_MAX   4096
#define POLICY_REQ_MAX    (32 * 1024)
#define POLICY_ATTR_MAX   128

/* Is s "unknown", Postfix's word for a name it does not have?  A byte at a
 * time, stopping at the first that differs: asked a few times per request,
 * each cheaper than a call to strcmp(). */
static inline bool policy_is_unknown(const char *s)
{
	return s[0] == 'u' && s[1] == 'n' && s[2] == 'k' && s[3] == 'n' &&
	    s[4] == 'o' && s[5] == 'w' && s[6] == 'n' && s[7] == '\0';
}

struct policy_req {
	/* Postfix 2.1 */
	const char *request;             /* "smtpd_access_policy" */
	const char *protocol_state;      /* CONNECT, EHLO, RCPT, ... */
	const char *protocol_name;
	const char *helo_name;
	const char *queue_id;
	const char *sender;
	const char *recipient;
	const char *recipient_count;
	const char *client_address;      /* never NULL in a valid request */
	const char *client_name;         /* "unknown" when Postfix has none */
	const char *reverse_client_name;
	const char *instance;
	/* 2.2 */
	const char *sasl_method;
	const char *sasl_username;
	const char *sasl_sender;
	const char *size;
	const char *ccert_subject;
	const char *ccert_issuer;
	const char *ccert_fingerprint;
	/* 2.3 */
	const char *encryption_protocol;
	const char *encryption_cipher;
	const char *encryption_keysize;
	const char *etrn_domain;
	/* 2.5 */
	const char *stress;
	/* 2.9 */
	const char *ccert_pubkey_fingerprint;
	/* 3.0 */
	const char *client_port;
	/* 3.1 */
	const char *policy_context;
	/* 3.2 */
	const char *server_address;
	const char *server_port;
	/* 3.8 */
	const char *compatibility_level;
	const char *mail_version;
};

struct policy_parser;

enum policy_parse {
	POLICY_PARSE_ERROR = -1,         /* malformed; see policy_parser_error() */
	POLICY_PARSE_MORE = 0,           /* every byte consumed, need more */
	POLICY_PARSE_DONE = 1            /* one request complete */
};

struct policy_parser *policy_parser_new(void);
void policy_parser_free(struct policy_parser *p);     /* NULL ok */

/*
 * Feed len bytes.  Consumes bytes up to and including the end of at most one
 * request and sets *used to the count consumed (the rest must be fed
 * again, e.g. after the request has been answered).  On POLICY_PARSE_DONE,
 * *req is filled; its strings live until the next feed/shrink/free.  After
 * POLICY_PARSE_ERROR, *used means nothing.
 */
enum policy_parse policy_parser_feed(struct policy_parser *p, const char *data,
    size_t len, size_t *used, struct policy_req *req);
/* Static text naming the problem after POLICY_PARSE_ERROR, else NULL. */
const char *policy_parser_error(const struct policy_parser *p);
/* True while a request is partly read (bytes held that end no request). */
bool policy_parser_pending(const struct policy_parser *p);
/* Release storage when no partial request is held (idle connections). */
void policy_parser_shrink(struct policy_parser *p);
/* Bytes of storage held. */
size_t policy_parser_held(const struct policy_parser *p);

/*
 * The reply: writes exactly "action=" ACTION "\n\n" into dst and returns its
 * length; -1 (nothing written) when ACTION is empty, holds CR, LF or NUL, or
 * the reply does not fit in dstsize.
 */
int policy_reply_format(char *dst, size_t dstsize, const char *action,
    size_t actionlen);

#endif
