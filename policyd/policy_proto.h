/*
 * policy_proto.h - the Postfix policy delegation protocol, as a pure,
 * incremental parser and a reply writer (no I/O).
 *
 * Input is "name=value\n" lines; an empty line ends a request.  Bytes are fed
 * as they arrive (any split, several requests in one chunk); each complete
 * request is handed out as a struct policy_req whose strings point into
 * parser-owned storage valid until the next policy_parser_feed() or
 * policy_parser_free().  Limits (POLICY_LINE_MAX, POLICY_REQ_MAX,
 * POLICY_ATTR_MAX) are documented in policy_proto.c; a limit exceeded, a NUL
 * byte, a line without '=', or a request without request=smtpd_access_policy
 * makes the parser fail (sticky): the connection must be closed.
 *
 * Owner: H1.  Fields below are the ones other modules read; unknown
 * attributes are ignored, known ones not listed here may be added.
 */
#ifndef POLICYD_POLICY_PROTO_H
#define POLICYD_POLICY_PROTO_H

#include <stddef.h>
#include <stdbool.h>

struct policy_req {
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
	const char *sasl_method;
	const char *sasl_username;
	const char *sasl_sender;
	const char *size;
	const char *ccert_subject;
	const char *ccert_issuer;
	const char *ccert_fingerprint;
	const char *ccert_pubkey_fingerprint;
	const char *encryption_protocol;
	const char *encryption_cipher;
	const char *encryption_keysize;
	const char *etrn_domain;
	const char *stress;
	const char *server_address;
	const char *server_port;
	const char *client_port;
	const char *policy_context;
	const char *compatibility_level;
	const char *mail_version;
};

#endif
