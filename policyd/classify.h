/*
 * classify.h - the broadband classifier: (reverse DNS name, client IP) ->
 * verdict class and the signals that decided it.
 *
 * classify() is a pure function of its inputs and the vocabulary (no I/O,
 * no allocation, no logging): it lowercases the name into a stack buffer,
 * finds the registered domain with libpsl (ICANN section, so that
 * private-section names such as compute-1.amazonaws.com do not swallow the
 * host part), and searches only the labels left of the registered domain
 * ("host part") for
 *   - the client IP in every encoding (see classify_ip.c): dashed, dotted,
 *     x-separated, forward or reversed, zero-padded, concatenated, hex,
 *     split across labels, partial (which octets), IPv6 nibbles and groups;
 *   - words of the vocabulary (tokens.h) as whole letter runs, compounds of
 *     two known words (modemcable), a known access word with one extra
 *     letter (dslb, dclient), or server words with affix flags (mailhost);
 *   - the provider kind of the registered domain or a deeper suffix.
 * With no IP (corpus rows, explain mode without one) IP-shaped numbers and
 * hex blobs stand in for a match.
 *
 * The reason is a space-separated list: "by=RULE" first (the rule that
 * decided), then every signal that fired, e.g.
 *   "by=access+ip ip=full-padded-dashed(4/4) access=dhcp"
 * A per-thread memo of public-suffix answers (keyed by the last labels)
 * keeps libpsl off the hot path; it never changes a result.
 */
#ifndef POLICYD_CLASSIFY_H
#define POLICYD_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

struct addr;
struct tokens;

enum vclass {
	VCLASS_UNKNOWN,         /* no PTR name */
	VCLASS_NONE,            /* nothing matched */
	VCLASS_MAIL,            /* looks like a mail server */
	VCLASS_GENERIC,         /* hosting/cloud or IP-shaped generic name */
	VCLASS_STATIC,          /* end-user static line */
	VCLASS_DYNAMIC,         /* end-user access line */
	VCLASS_COUNT
};

#define CLASSIFY_REASON_MAX 256
#define CLASSIFY_NAME_MAX   255

struct classify_result {
	enum vclass cls;
	int  ip_strength;       /* 0 none, 1..4 octets (v6: 3 = /64, 4 = all) */
	char reason[CLASSIFY_REASON_MAX];
};

/* name: the PTR name ("unknown", "" or NULL: class unknown); ip: the
 * client address or NULL.  Always fills *res; returns res->cls. */
enum vclass classify(const struct tokens *tk, const char *name,
    const struct addr *ip, struct classify_result *res);

const char *vclass_name(enum vclass c);
int vclass_parse(const char *s);                /* -1 if not a class */

/* Load the public-suffix list (newest of system and built-in); 0 or -1.
 * Called once at start-up; classify() calls it lazily otherwise. */
int classify_init(void);

#endif
