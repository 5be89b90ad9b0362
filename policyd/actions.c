/*
 * actions.c - per-class actions: defaults, the classes: section, and the
 * syntax check of an action (see actions.h).
 */
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/actions.h"

static const struct verb {
	const char *word;
	unsigned char len;
	unsigned char text;     /* 0 none, 1 optional, 2 header */
	enum action_verb verb;
} verbs[] = {                   /* the common answers first */
#define VERB(w, text, verb) { w, sizeof(w) - 1, text, verb }
	VERB("DUNNO", 0, AV_DUNNO),
	VERB("REJECT", 1, AV_REJECT),
	VERB("DEFER_IF_PERMIT", 1, AV_DEFER_IF_PERMIT),
	VERB("DEFER", 1, AV_DEFER),
	VERB("OK", 0, AV_OK),
	VERB("DEFER_IF_REJECT", 1, AV_DEFER_IF_REJECT),
	VERB("WARN", 1, AV_WARN),
	VERB("HOLD", 1, AV_HOLD),
	VERB("PREPEND", 2, AV_PREPEND),
#undef VERB
	{ NULL, 0, 0, AV_OTHER },
};

/* Are the w bytes at s word (upper case), in any case?  Inline: the
 * library's strncasecmp cost more than the rest of the lookup. */
static bool
same_word(const char *s, const char *word, size_t w)
{
	for (size_t i = 0; i < w; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - ('a' - 'A'));
		if (c != word[i])
			return false;
	}
	return true;
}

/* The verb of the first w bytes of s (the sentinel's when none). */
static const struct verb *
verb_of(const char *s, size_t w)
{
	const struct verb *v;

	for (v = verbs; v->word; v++)
		if (v->len == w && same_word(s, v->word, w))
			break;
	return v;
}

void
actions_defaults(struct actions *a)
{
	int c;

	for (c = 0; c < VCLASS_COUNT; c++)
		a->act[c] = xstrdup(c == VCLASS_DYNAMIC ? ACTIONS_DEFAULT_DYNAMIC :
		    c == VCLASS_STATIC ? ACTIONS_DEFAULT_STATIC : "DUNNO");
}

void
actions_release(struct actions *a)
{
	int c;

	for (c = 0; c < VCLASS_COUNT; c++) {
		free(a->act[c]);
		a->act[c] = NULL;
	}
}

const char *
actions_for(const struct actions *a, enum vclass c)
{
	return (unsigned)c < VCLASS_COUNT && a->act[c] ? a->act[c] : "DUNNO";
}

static bool
is_d(char c)
{
	return c >= '0' && c <= '9';
}

/* Is the first word, w bytes, a 4NN or 5NN reply code? */
static bool
is_code(const char *s, size_t w)
{
	return w == 3 && (s[0] == '4' || s[0] == '5') && is_d(s[1]) &&
	    is_d(s[2]);
}

/* "4.7.1 " or "5.7.1 ": a class digit, 1-3 digits, 1-3 digits. */
static size_t
enhanced_len(const char *s, char cls)
{
	size_t i = 0, part;

	if (s[0] != cls || s[1] != '.')
		return 0;
	for (i = 2, part = 0; part < 2; part++) {
		size_t d = 0;

		while (is_d(s[i]) && d < 4) {
			i++;
			d++;
		}
		if (d == 0 || d > 3 || (part == 0 && s[i++] != '.'))
			return 0;
	}
	return s[i] == ' ' || s[i] == '\0' ? i : 0;
}

int
action_check(const char *s, const char **err)
{
	const struct verb *v;
	size_t n = strlen(s), w, i;
	const char *text;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) {
			*err = "action text must be printable ASCII on one line";
			return -1;
		}
	}
	if (n > ACTIONS_TEXT_MAX) {
		*err = "action too long (at most 400 bytes)";
		return -1;
	}
	w = strcspn(s, " ");
	text = s[w] ? s + w + 1 : "";
	if (is_code(s, w)) {
		size_t e = enhanced_len(text, s[0]);

		if (e == 0 && (text[0] == '4' || text[0] == '5') &&
		    text[1] == '.') {
			*err = "enhanced status code must be X.Y.Z with X the "
			    "reply code's class (4.7.1 for 4NN, 5.7.1 for 5NN)";
			return -1;
		}
		if (text[e] == ' ')
			e++;
		if (text[e] == '\0') {
			*err = "a 4NN/5NN action needs a text after the code";
			return -1;
		}
		return 0;
	}
	if ((v = verb_of(s, w))->word == NULL) {
		*err = "unknown action (DUNNO, OK, REJECT, DEFER, "
		    "DEFER_IF_PERMIT, DEFER_IF_REJECT, WARN, HOLD, PREPEND, "
		    "4NN text, 5NN text)";
		return -1;
	}
	if (v->text == 0 && *text) {
		*err = "this action takes no text";
		return -1;
	}
	if (v->text == 2) {
		size_t h = strcspn(text, ": ");

		if (h == 0 || text[h] != ':') {
			*err = "PREPEND needs a header: PREPEND Name: value";
			return -1;
		}
	}
	return 0;
}

enum action_verb
action_verb(const char *s)
{
	size_t w = 0;

	/* the common answer at once (&&: no byte past a shorter string) */
	if (s[0] == 'D' && s[1] == 'U' && s[2] == 'N' && s[3] == 'N' &&
	    s[4] == 'O' && (unsigned char)s[5] <= ' ')
		return AV_DUNNO;
	/* the word ends at a space, a tab, the end of the string, or the
	 * LF of a reply line (what the statistics count) */
	while ((unsigned char)s[w] > ' ')
		w++;
	if (is_code(s, w))
		return s[0] == '5' ? AV_CODE5 : AV_CODE4;
	return verb_of(s, w)->verb;
}

bool
action_refuses(const char *s)
{
	switch (action_verb(s)) {
	case AV_REJECT: case AV_DEFER: case AV_DEFER_IF_PERMIT:
	case AV_CODE4: case AV_CODE5:
		return true;
	default:
		return false;
	}
}

int
actions_parse(struct ydoc *doc, const struct ynode *v, struct actions *a)
{
	const char *known[VCLASS_COUNT + 1], *s, *err;
	size_t i;
	int c, rc = 0;

	for (c = 0; c < VCLASS_COUNT; c++)
		known[c] = vclass_name((enum vclass)c);
	known[VCLASS_COUNT] = NULL;
	if (ymap_check(doc, v, known) != 0)
		rc = -1;
	if (v->type != YN_MAP)
		return -1;
	for (i = 0; i < YMAP_NPAIRS(v); i++) {
		const struct ynode *k = YMAP_KEY(v, i), *val = YMAP_VAL(v, i);

		if (k->type != YN_SCALAR || (c = vclass_parse(k->str)) < 0)
			continue;       /* reported by ymap_check */
		if (ynode_str(doc, val, &s) < 0) {
			rc = -1;
			continue;
		}
		if (action_check(s, &err) < 0) {
			ydoc_error(doc, val, "%s: %s", k->str, err);
			rc = -1;
			continue;
		}
		free(a->act[c]);
		a->act[c] = xstrdup(s);
	}
	return rc;
}
