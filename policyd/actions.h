/*
 * actions.h - what policyd answers for each verdict class.
 *
 * policyd.yaml:
 *     classes:
 *       dynamic: "REJECT broadband-dynamic: end-user hosts must ..."
 *       static:  "550 5.7.1 broadband-static: ..."
 *       generic: DUNNO
 *       mail:    DUNNO
 *       none:    DUNNO
 *       unknown: "DEFER_IF_PERMIT no-rdns: ..."
 * Classes left out keep their default: dynamic and static refused with
 * ACTIONS_DEFAULT_DYNAMIC / _STATIC (one line, a stable reason word first so
 * that log analysers can group them), every other class DUNNO.
 *
 * An action is checked when the configuration is loaded (action_check()):
 *   DUNNO | OK                         (no text)
 *   REJECT [text] | DEFER [text] | DEFER_IF_PERMIT [text]
 *   | DEFER_IF_REJECT [text] | WARN [text] | HOLD [text]
 *   4NN text | 5NN text                (optional enhanced status 4.X.Y /
 *                                       5.X.Y matching the code's class)
 *   PREPEND Header-Name: value
 * Text is printable ASCII on one line, at most ACTIONS_TEXT_MAX bytes.
 * `mode:` (warn, off) is applied afterwards by policy_apply_mode().
 * Ownership: actions_release() frees the strings; actions_for() returns a
 * string owned by the struct.
 */
#ifndef POLICYD_ACTIONS_H
#define POLICYD_ACTIONS_H

#include <stdbool.h>

#include "policyd/classify.h"

struct ydoc;
struct ynode;

#define ACTIONS_TEXT_MAX 400
#define ACTIONS_DEFAULT_DYNAMIC "REJECT broadband-dynamic: end-user hosts " \
	"must relay through their ISP's mail server or publish proper " \
	"reverse DNS"
#define ACTIONS_DEFAULT_STATIC "REJECT broadband-static: end-user hosts " \
	"must relay through their ISP's mail server or publish proper " \
	"reverse DNS"

struct actions {
	char *act[VCLASS_COUNT];        /* indexed by enum vclass */
};

void actions_defaults(struct actions *a);
void actions_release(struct actions *a);
/* The classes: mapping; errors recorded in doc; 0 or -1. */
int  actions_parse(struct ydoc *doc, const struct ynode *v, struct actions *a);
const char *actions_for(const struct actions *a, enum vclass c);

/* 0, or -1 with *err naming the problem. */
int  action_check(const char *s, const char **err);

/* The verb of an action: its first word as Postfix's access(5) reads it
 * (in any case), or the class of a 4NN / 5NN reply code.  The one reading
 * of actions for the statistics and the firewall hand-over. */
enum action_verb {
	AV_DUNNO, AV_OK, AV_REJECT, AV_DEFER, AV_DEFER_IF_PERMIT,
	AV_DEFER_IF_REJECT, AV_WARN, AV_HOLD, AV_PREPEND,
	AV_CODE4, AV_CODE5,             /* 4NN, 5NN */
	AV_OTHER                        /* no verb action_check() accepts */
};
enum action_verb action_verb(const char *s);
/* Does the action refuse the client by itself: REJECT, DEFER,
 * DEFER_IF_PERMIT (deferred, or rejected later), 4NN, 5NN?
 * DEFER_IF_REJECT does not: Postfix defers then only if a later
 * restriction rejects, and otherwise lets the mail through. */
bool action_refuses(const char *s);

#endif
