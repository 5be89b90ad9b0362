/*
 * exceptions.h - the operator's list of clients, names, senders and
 * recipients that always pass, loaded from YAML (exceptions: PATH).
 *
 *     clients:    [ 192.0.2.7, 198.51.100.0/24, "2001:db8::/32" ]
 *     hostnames:  [ mx.partner.example ]          # exact client name
 *     domains:    [ partner.example ]             # that name and below
 *     senders:    [ bank.example ]                # envelope sender domain
 *                                                 # and its subdomains
 *     recipients: [ abuse@example.org, example.net ]  # address or domain
 *
 * Any item may be a mapping instead of a scalar, to carry a comment and an
 * expiry:  { value: 192.0.2.0/24, comment: "partner relay",
 *            until: 2026-12-31 }
 * until: is a date (the entry is good through that day, UTC) or
 * "YYYY-MM-DD HH:MM" (UTC).  Expired entries are kept but never match, so
 * a reload is not needed when they run out.  A recipient whose local part is
 * "postmaster" always matches (RFC 5321 4.5.1), as a built-in entry.
 *
 * Lookups: IPv4 through a 65,536-slot table on the first 16 bits, each slot
 * a path-compressed binary prefix tree; IPv6 through one such tree; names
 * through hash tables (a name is looked up, then each parent domain).
 * exceptions_match() is pure: no allocation, no I/O, "now" is a parameter;
 * it returns the most specific unexpired entry (clients before names before
 * senders before recipients) or NULL.
 *
 * Loading collects every error as FILE:LINE:COL: message in the ydoc and
 * returns NULL on any, so the caller keeps its old list.
 * Ownership: exceptions_free() frees the list and every string (NULL ok);
 * returned entries live as long as their list.
 */
#ifndef POLICYD_EXCEPTIONS_H
#define POLICYD_EXCEPTIONS_H

#include <stddef.h>
#include <time.h>

struct addr;
struct ydoc;

enum exc_kind {
	EXC_CLIENT,             /* IP or CIDR */
	EXC_HOSTNAME,           /* exact client name */
	EXC_DOMAIN,             /* client name suffix */
	EXC_SENDER,             /* sender domain suffix */
	EXC_RECIPIENT,          /* recipient address or domain suffix */
	EXC_POSTMASTER,         /* built-in: postmaster@ */
};

struct exc_entry {
	enum exc_kind kind;
	char   *value;          /* normalised: lowercase, CIDR canonical */
	char   *comment;        /* NULL if none */
	time_t  until;          /* 0: no expiry; else first second it is off */
	int     line;           /* position in the file, 0 for built-ins */
};

struct exc_query {
	const struct addr *client;      /* NULL: not known */
	const char *client_name;        /* NULL, "" or "unknown": none */
	const char *sender;             /* "" for the null sender */
	const char *recipient;
};

struct exceptions;

struct exceptions *exceptions_new(void);        /* empty (postmaster only) */
void exceptions_free(struct exceptions *x);
/* Add one entry; value is parsed per kind.  0, or -1 with *err set. */
int exceptions_add(struct exceptions *x, enum exc_kind kind,
    const char *value, const char *comment, time_t until, int line,
    const char **err);

struct exceptions *exceptions_load_file(const char *path, struct ydoc **docp);
struct exceptions *exceptions_load_doc(struct ydoc *doc);

const struct exc_entry *exceptions_match(const struct exceptions *x,
    const struct exc_query *q, time_t now);

/* Entries loaded, and how many of them are expired at now. */
size_t exceptions_count(const struct exceptions *x, time_t now,
    size_t *expired);
const char *exc_kind_name(enum exc_kind k);
/* "client 198.51.100.0/24 (line 7: partner relay)" into buf. */
char *exc_describe(const struct exc_entry *e, char *buf, size_t size);
/* Parse an until: value; 0 or -1. */
int exc_parse_until(const char *s, time_t *out);

#endif
