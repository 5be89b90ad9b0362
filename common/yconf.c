/*
 * yconf.c - YAML documents as position-carrying trees (see yconf.h).
 *
 * Built on libyaml's event parser.  One document per file; a second document
 * in the stream is an error.  Limits: YCONF_MAX_DEPTH nesting levels and
 * YCONF_MAX_BYTES of input; aliases, anchors and tags are refused, so a file
 * cannot expand beyond its own size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common/log.h"
#include "common/num.h"
#include "common/xmalloc.h"
#include "common/yconf.h"

static void
yerr_add(struct ydoc *doc, int line, int col, const char *fmt, va_list ap)
{
	char msg[512], *e;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	doc->errs = xreallocarray(doc->errs, doc->nerrs + 1, sizeof(char *));
	e = doc->errs[doc->nerrs++] = xasprintf("%s:%d:%d: %s", doc->file,
	    line, col, msg);
	/* One error, one line: a control character (in a file name taken
	 * from a configuration value, say) must not start another. */
	for (; *e; e++)
		if ((unsigned char)*e < 0x20 || *e == 0x7f)
			*e = '?';
}

void
ydoc_error_at(struct ydoc *doc, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yerr_add(doc, line, col, fmt, ap);
	va_end(ap);
}

void
ydoc_error(struct ydoc *doc, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yerr_add(doc, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
}

static void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

void
ydoc_free(struct ydoc *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	ynode_free(doc->root);
	for (i = 0; i < doc->nerrs; i++)
		free(doc->errs[i]);
	free(doc->errs);
	free(doc->file);
	free(doc);
}

static struct ynode *
ynode_new(enum ynode_type t, const yaml_mark_t *m)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->type = t;
	n->self = n;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static void
ynode_push(struct ynode *parent, struct ynode *kid)
{
	if ((parent->nkids & (parent->nkids - 1)) == 0)   /* 0,1,2,4,8... */
		parent->kids = xreallocarray(parent->kids,
		    parent->nkids ? parent->nkids * 2 : 1, sizeof(*parent->kids));
	parent->kids[parent->nkids++] = kid;
}

/* Parse one node whose first event is ev (already taken); returns the node or
 * NULL after recording an error. */
static struct ynode *
yparse_node(struct ydoc *doc, yaml_parser_t *p, yaml_event_t *ev, int depth)
{
	struct ynode *n, *kid;
	yaml_event_t next;
	yaml_event_type_t endtype;

	if (ev->type == YAML_ALIAS_EVENT) {
		ydoc_error_at(doc, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, "aliases are not supported");
		return NULL;
	}
	if (depth > YCONF_MAX_DEPTH) {
		ydoc_error_at(doc, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, "nesting deeper than %d levels",
		    YCONF_MAX_DEPTH);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor || (ev->data.scalar.tag &&
		    !ev->data.scalar.plain_implicit &&
		    !ev->data.scalar.quoted_implicit)) {
			ydoc_error_at(doc, (int)ev->start_mark.line + 1,
			    (int)ev->start_mark.column + 1,
			    "anchors and tags are not supported");
			return NULL;
		}
		n = ynode_new(YN_SCALAR, &ev->start_mark);
		n->len = ev->data.scalar.length;
		n->str = xstrndup((const char *)ev->data.scalar.value, n->len);
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		if (strlen(n->str) != n->len) {
			ydoc_error(doc, n, "NUL byte in a value");
			ynode_free(n);
			return NULL;
		}
		return n;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if ((ev->type == YAML_SEQUENCE_START_EVENT ?
		    ev->data.sequence_start.anchor : ev->data.mapping_start.anchor)) {
			ydoc_error_at(doc, (int)ev->start_mark.line + 1,
			    (int)ev->start_mark.column + 1,
			    "anchors and tags are not supported");
			return NULL;
		}
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			n = ynode_new(YN_SEQ, &ev->start_mark);
			endtype = YAML_SEQUENCE_END_EVENT;
		} else {
			n = ynode_new(YN_MAP, &ev->start_mark);
			endtype = YAML_MAPPING_END_EVENT;
		}
		for (;;) {
			if (!yaml_parser_parse(p, &next)) {
				ynode_free(n);
				return NULL;    /* reported by the caller */
			}
			if (next.type == endtype) {
				yaml_event_delete(&next);
				return n;
			}
			kid = yparse_node(doc, p, &next, depth + 1);
			yaml_event_delete(&next);
			if (kid == NULL) {
				ynode_free(n);
				return NULL;
			}
			if (n->type == YN_MAP && n->nkids % 2 == 0 &&
			    kid->type != YN_SCALAR) {
				ydoc_error(doc, kid, "mapping keys must be plain words");
				ynode_free(kid);
				ynode_free(n);
				return NULL;
			}
			ynode_push(n, kid);
		}
	default:
		ydoc_error_at(doc, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, "unexpected YAML event");
		return NULL;
	}
}

static void
yparse_error(struct ydoc *doc, yaml_parser_t *p)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

	ydoc_error_at(doc, (int)m->line + 1, (int)m->column + 1, "%s%s%s",
	    p->problem ? p->problem : "YAML syntax error",
	    p->context ? " " : "", p->context ? p->context : "");
}

struct ydoc *
ydoc_load_mem(const char *name, const char *data, size_t len)
{
	struct ydoc *doc = xcalloc(1, sizeof(*doc));
	yaml_parser_t p;
	yaml_event_t ev;
	int state = 0;          /* 0 before doc, 1 in doc, 2 after doc */

	doc->file = xstrdup(name);
	if (len > YCONF_MAX_BYTES) {
		ydoc_error_at(doc, 1, 1, "file larger than %u bytes",
		    YCONF_MAX_BYTES);
		return doc;
	}
	if (!yaml_parser_initialize(&p))
		fatalx("yaml_parser_initialize");
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			yparse_error(doc, &p);
			break;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			if (state != 0) {
				ydoc_error_at(doc, (int)ev.start_mark.line + 1,
				    (int)ev.start_mark.column + 1,
				    "only one YAML document is allowed");
				yaml_event_delete(&ev);
				break;
			}
			state = 1;
		} else if (ev.type == YAML_DOCUMENT_END_EVENT) {
			state = 2;
		} else if (state == 1 && ev.type != YAML_STREAM_START_EVENT) {
			size_t before = doc->nerrs;

			doc->root = yparse_node(doc, &p, &ev, 0);
			if (doc->root == NULL && doc->nerrs == before)
				yparse_error(doc, &p);
			if (doc->root == NULL) {
				yaml_event_delete(&ev);
				break;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	/* An empty plain scalar document ("" or only comments) is no root. */
	if (doc->root && doc->root->type == YN_SCALAR && ynode_is_null(doc->root)) {
		ynode_free(doc->root);
		doc->root = NULL;
	}
	return doc;
}

struct ydoc *
ydoc_load_file(const char *path)
{
	struct ydoc *doc;
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		doc = xcalloc(1, sizeof(*doc));
		doc->file = xstrdup(path);
		ydoc_error_at(doc, 0, 0, "cannot open: %s", strerror(errno));
		return doc;
	}
	if (fstat(fileno(fp), &st) == 0 && st.st_size > (off_t)YCONF_MAX_BYTES) {
		fclose(fp);
		doc = xcalloc(1, sizeof(*doc));
		doc->file = xstrdup(path);
		ydoc_error_at(doc, 1, 1, "file larger than %u bytes",
		    YCONF_MAX_BYTES);
		return doc;
	}
	{
		size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, r;

		data = xmalloc(cap);
		while ((r = fread(data + len, 1, cap - len, fp)) > 0) {
			len += r;
			if (len == cap) {
				if (cap > YCONF_MAX_BYTES)
					break;
				cap *= 2;
				data = xreallocarray(data, cap, 1);
			}
		}
	}
	if (ferror(fp)) {
		doc = xcalloc(1, sizeof(*doc));
		doc->file = xstrdup(path);
		ydoc_error_at(doc, 0, 0, "read error: %s", strerror(errno));
	} else {
		doc = ydoc_load_mem(path, data, len);
	}
	fclose(fp);
	free(data);
	return doc;
}

/* Sort errors by line then column; they arrive in checking order. */
static int
yerr_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	const char *px, *py;
	long lx, ly, cx, cy;

	/* "file:L:C: msg" - the file name may contain ':', so find the
	 * position fields after the common file prefix. */
	px = x;
	py = y;
	while (*px && *px == *py) {
		if (*px == ':' && px[1] >= '0' && px[1] <= '9')
			break;
		px++, py++;
	}
	if (*px != ':' || *py != ':')
		return strcmp(x, y);
	{
		char *ex, *ey;

		lx = strtol(px + 1, &ex, 10);
		ly = strtol(py + 1, &ey, 10);
		cx = *ex == ':' ? strtol(ex + 1, NULL, 10) : 0;
		cy = *ey == ':' ? strtol(ey + 1, NULL, 10) : 0;
	}
	if (lx != ly)
		return lx < ly ? -1 : 1;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return 0;
}

/* Merge sort: stable, so messages at one position keep their order, and
 * n log n, as a file's sections report in their own order (an exceptions
 * file with 10,000 bad lines took 27 s to sort by insertion). */
static void
sort_errs(char **v, char **tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	sort_errs(v, tmp, h);
	sort_errs(v + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = yerr_cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	memcpy(v, tmp, k * sizeof(*v));         /* v[j..n) is in place */
}

static void
ydoc_sort(const struct ydoc *doc)
{
	char **tmp;

	if (doc->nerrs < 2)
		return;
	tmp = xcalloc(doc->nerrs, sizeof(*tmp));
	sort_errs(doc->errs, tmp, doc->nerrs);
	free(tmp);
}

void
ydoc_print_errors(const struct ydoc *doc, FILE *fp)
{
	size_t i;

	ydoc_sort(doc);
	for (i = 0; i < doc->nerrs; i++)
		fprintf(fp, "%s%s\n", log_line_start(fp, LOG_ERR), doc->errs[i]);
}

void
ydoc_log_errors(const struct ydoc *doc)
{
	size_t i;

	ydoc_sort(doc);
	for (i = 0; i < doc->nerrs; i++)
		log_warnx("%s", doc->errs[i]);
}

struct ynode *
ymap_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->type != YN_MAP)
		return NULL;
	for (i = 0; i < YMAP_NPAIRS(map); i++)
		if (strcmp(YMAP_KEY(map, i)->str, key) == 0)
			return YMAP_VAL(map, i);
	return NULL;
}

int
ymap_check(struct ydoc *doc, const struct ynode *map, const char *const known[])
{
	size_t i, j, k;
	int bad = 0;

	if (map == NULL || map->type != YN_MAP) {
		ydoc_error(doc, map, "expected a mapping");
		return -1;
	}
	for (i = 0; i < YMAP_NPAIRS(map); i++) {
		const struct ynode *key = YMAP_KEY(map, i);

		for (k = 0; known[k]; k++)
			if (strcmp(known[k], key->str) == 0)
				break;
		if (known[k] == NULL) {
			char esc[128];
			ydoc_error(doc, key, "unknown key \"%s\"",
			    log_esc(esc, sizeof(esc), key->str, key->len));
			bad = -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(YMAP_KEY(map, j)->str, key->str) == 0) {
				char esc[128];
				ydoc_error(doc, key, "duplicate key \"%s\" (first at line %d)",
				    log_esc(esc, sizeof(esc), key->str, key->len),
				    YMAP_KEY(map, j)->line);
				bad = -1;
				break;
			}
	}
	return bad;
}

bool
ynode_is_null(const struct ynode *n)
{
	return n == NULL || (n->type == YN_SCALAR && !n->quoted &&
	    (n->len == 0 || strcmp(n->str, "~") == 0 ||
	    strcasecmp(n->str, "null") == 0));
}

static int
ynode_want_scalar(struct ydoc *doc, const struct ynode *n, const char *what)
{
	if (n == NULL || n->type != YN_SCALAR || ynode_is_null(n)) {
		ydoc_error(doc, n, "expected %s", what);
		return -1;
	}
	return 0;
}

int
ynode_str(struct ydoc *doc, const struct ynode *n, const char **out)
{
	if (ynode_want_scalar(doc, n, "a string") < 0)
		return -1;
	*out = n->str;
	return 0;
}

int
ynode_bool(struct ydoc *doc, const struct ynode *n, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	int i;

	if (ynode_want_scalar(doc, n, "true or false") < 0)
		return -1;
	for (i = 0; yes[i]; i++) {
		if (strcasecmp(n->str, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(n->str, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	ydoc_error(doc, n, "expected true or false");
	return -1;
}

int
ynode_int(struct ydoc *doc, const struct ynode *n, long long min,
    long long max, long long *out)
{
	const char *e;

	if (ynode_want_scalar(doc, n, "a number") < 0)
		return -1;
	if (num_parse(n->str, min, max, out, &e) < 0) {
		ydoc_error(doc, n, "number %s (%lld..%lld)", e, min, max);
		return -1;
	}
	return 0;
}

int
ynode_duration(struct ydoc *doc, const struct ynode *n,
    long long default_unit_ms, long long min_ms, long long max_ms,
    long long *out_ms)
{
	const char *e;

	if (ynode_want_scalar(doc, n, "a duration") < 0)
		return -1;
	if (num_parse_duration(n->str, default_unit_ms, min_ms, max_ms, out_ms,
	    &e) < 0) {
		ydoc_error(doc, n, "duration %s", e);
		return -1;
	}
	return 0;
}

int
ynode_mode(struct ydoc *doc, const struct ynode *n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (ynode_want_scalar(doc, n, "a file mode") < 0)
		return -1;
	for (i = 0; i < n->len; i++) {
		if (n->str[i] < '0' || n->str[i] > '7' || i > 4)
			break;
		v = v * 8 + (unsigned)(n->str[i] - '0');
	}
	if (i != n->len || n->len < 3 || v > 07777) {
		ydoc_error(doc, n, "expected an octal file mode such as \"0660\"");
		return -1;
	}
	*out = v;
	return 0;
}

int
ynode_enum(struct ydoc *doc, const struct ynode *n,
    const char *const words[], int *out)
{
	char list[256] = "";
	int i;

	if (ynode_want_scalar(doc, n, "a word") < 0)
		return -1;
	for (i = 0; words[i]; i++)
		if (strcmp(n->str, words[i]) == 0) {
			*out = i;
			return 0;
		}
	for (i = 0; words[i]; i++) {
		if (i)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, words[i], sizeof(list) - strlen(list) - 1);
	}
	{
		char esc[64];
		ydoc_error(doc, n, "\"%s\" is not one of: %s",
		    log_esc(esc, sizeof(esc), n->str, n->len), list);
	}
	return -1;
}

int
ynode_seq(struct ydoc *doc, const struct ynode *n, bool allow_scalar,
    struct ynode *const **items, size_t *count)
{
	if (n != NULL && n->type == YN_SEQ) {
		*items = n->kids;
		*count = n->nkids;
		return 0;
	}
	if (allow_scalar && n != NULL && n->type == YN_SCALAR &&
	    !ynode_is_null(n)) {
		*items = &n->self;      /* a list of one */
		*count = 1;
		return 0;
	}
	ydoc_error(doc, n, "expected a list");
	return -1;
}
