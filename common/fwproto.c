/*
 * fwproto.c - the helper command line format (see fwproto.h).
 */
#include <string.h>

#include "common/fwproto.h"
#include "common/lbuf.h"
#include "common/num.h"

static int
word_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(p, w, n) == 0;
}

int
fwproto_parse(const char *line, size_t len, struct fwproto_cmd *out,
    const char **err)
{
	const char *p = line, *end, *w;
	size_t i;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	end = line + len;
	memset(out, 0, sizeof(*out));
	if (len >= FWPROTO_LINE_MAX) {
		*err = "line too long";
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e) {
			*err = "bad character";
			return -1;
		}

	/* The verb. */
	for (w = p; p < end && *p != ' '; p++)
		;
	if (word_is(w, p - w, "add"))
		out->op = FWPROTO_ADD;
	else if (word_is(w, p - w, "del"))
		out->op = FWPROTO_DEL;
	else {
		*err = "unknown command";
		return -1;
	}
	if (p == end || *p != ' ' || p + 1 == end) {
		*err = "missing address";
		return -1;
	}
	/* The address. */
	for (w = ++p; p < end && *p != ' '; p++)
		;
	if (addr_parse_n(&out->addr, w, p - w) < 0) {
		*err = "bad address";
		return -1;
	}
	/* Options: ttl=N, then reason=TEXT to the end of the line. */
	while (p < end) {
		if (*p != ' ' || p + 1 == end) {
			*err = "bad option";
			return -1;
		}
		w = ++p;
		if (out->op == FWPROTO_ADD && (size_t)(end - w) >= 7 &&
		    memcmp(w, "reason=", 7) == 0) {
			size_t n = end - (w + 7);

			if (n > FWPROTO_REASON_MAX) {
				*err = "reason too long";
				return -1;
			}
			memcpy(out->reason, w + 7, n);
			out->reason[n] = '\0';
			return 0;
		}
		for (; p < end && *p != ' '; p++)
			;
		if (out->op == FWPROTO_ADD && p - w > 4 &&
		    memcmp(w, "ttl=", 4) == 0 && out->ttl == 0) {
			const char *e;

			if (num_parse_n(w + 4, p - w - 4, 1, FWPROTO_TTL_MAX,
			    &out->ttl, &e) < 0) {
				*err = "bad ttl";
				return -1;
			}
			continue;
		}
		*err = "bad option";
		return -1;
	}
	return 0;
}

int
fwproto_format(const struct fwproto_cmd *cmd, char *buf, size_t size)
{
	char a[ADDR_STRLEN];
	struct lbuf b;
	size_t r, at;

	lbuf_init(&b, buf, size);
	lbuf_str(&b, cmd->op == FWPROTO_DEL ? "del " : "add ");
	lbuf_str(&b, addr_format(&cmd->addr, a, sizeof(a)));
	if (cmd->op != FWPROTO_DEL && cmd->ttl > 0) {
		lbuf_str(&b, " ttl=");
		lbuf_num(&b, (unsigned long long)cmd->ttl);
	}
	r = strnlen(cmd->reason, FWPROTO_REASON_MAX);
	if (cmd->op == FWPROTO_ADD && r > 0) {
		lbuf_str(&b, " reason=");
		at = b.len;
		lbuf_mem(&b, cmd->reason, r);
		for (size_t i = at; !b.cut && i < b.len; i++)
			if (buf[i] < 0x20 || buf[i] > 0x7e)    /* one word */
				buf[i] = '?';
	}
	lbuf_mem(&b, "\n", 1);
	return lbuf_end(&b);
}
