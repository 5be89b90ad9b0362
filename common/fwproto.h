/*
 * fwproto.h - the helper wire format, encoder and decoder in one place.
 *
 * Command socket, one line per command, LF-terminated, at most
 * FWPROTO_LINE_MAX bytes including the LF:
 *
 *     add IP [ttl=SECONDS] [reason=TEXT]
 *     del IP
 *
 * reason= takes the rest of the line and must come last; TEXT is printable
 * ASCII (0x20..0x7e), at most FWPROTO_REASON_MAX bytes.  IP is parsed with
 * inet_pton (addr_parse).  Every command gets one reply line starting with
 * "OK" or "ERR", e.g. "OK added 192.0.2.7 until 1764331200" or
 * "ERR never_block 127.0.0.1".  One line comes unasked: a peer the helper
 * does not allow gets FWPROTO_NOT_ALLOWED as soon as it connects, whatever
 * it sent, and is then closed; it answers no command.
 *
 * fwproto_parse() is pure: bytes in, struct out, never logs.  On error it
 * returns -1 and *err names the problem ("unknown command", "bad address",
 * "bad ttl", "reason too long", "bad character", ...), suitable for an ERR
 * reply.  A trailing CR is tolerated.
 */
#ifndef COMMON_FWPROTO_H
#define COMMON_FWPROTO_H

#include <stddef.h>
#include "common/addr.h"

#define FWPROTO_LINE_MAX    512
#define FWPROTO_REASON_MAX  256
#define FWPROTO_TTL_MAX     (366LL * 86400)
#define FWPROTO_NOT_ALLOWED "ERR not allowed"

enum fwproto_op { FWPROTO_ADD, FWPROTO_DEL };

struct fwproto_cmd {
	enum fwproto_op op;
	struct addr addr;
	long long ttl;                          /* seconds; 0 = helper default */
	char reason[FWPROTO_REASON_MAX + 1];    /* "" when absent */
};

/* line excludes the LF (a trailing CR is ignored). */
int fwproto_parse(const char *line, size_t len, struct fwproto_cmd *out,
    const char **err);
/* Writes the command with its LF; reason is sanitised (non-printables become
 * '?', cut at FWPROTO_REASON_MAX).  Returns the length, or -1 if size is
 * too small. */
int fwproto_format(const struct fwproto_cmd *cmd, char *buf, size_t size);

#endif
