/*
 * yconf.h - YAML files as a small tree with positions, and error collection.
 *
 * ydoc_load_*() parse a whole YAML document with libyaml into ynodes that
 * remember their line and column (1-based).  Parse errors, aliases (refused:
 * no billion laughs), tags, nesting deeper than YCONF_MAX_DEPTH and files
 * over YCONF_MAX_BYTES are recorded as errors; the loaders never return NULL.
 * An empty document gives root == NULL.
 *
 * Every error is kept as "FILE:LINE:COL: message" (ydoc_error() adds one at
 * a node's position), so a config loader can report all of them, not only
 * the first.  Scalars keep their text; whether the text was quoted is kept,
 * so `"yes"` is a string where `yes` is a boolean.
 *
 * The typed getters (ynode_str, ynode_bool, ynode_int, ...) record an error
 * at the node and return -1 when the node has the wrong type or value.
 * ymap_check() records unknown and duplicated keys of a mapping.
 * Ownership: the document owns every node and string; ydoc_free() frees all.
 */
#ifndef COMMON_YCONF_H
#define COMMON_YCONF_H

#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

#define YCONF_MAX_DEPTH  32
#define YCONF_MAX_BYTES  (64u << 20)

enum ynode_type { YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode {
	enum ynode_type type;
	int    line, col;
	char  *str;            /* YN_SCALAR: the text, NUL-terminated */
	size_t len;
	bool   quoted;         /* scalar was quoted or a block scalar */
	struct ynode **kids;   /* YN_SEQ: items; YN_MAP: key0,val0,key1,val1... */
	size_t nkids;          /* YN_MAP: twice the number of pairs */
	struct ynode *self;    /* points to this node (one-item list view) */
};

struct ydoc {
	char   *file;          /* name used in error messages */
	struct ynode *root;
	char  **errs;          /* "FILE:LINE:COL: message" */
	size_t  nerrs;
};

struct ydoc *ydoc_load_file(const char *path);
struct ydoc *ydoc_load_mem(const char *name, const char *data, size_t len);
void ydoc_free(struct ydoc *doc);

/* Record an error at node n (or at line 0 col 0 for the file when n NULL). */
void ydoc_error(struct ydoc *doc, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record an error at an explicit position. */
void ydoc_error_at(struct ydoc *doc, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Print every error, one per line, sorted by position. */
void ydoc_print_errors(const struct ydoc *doc, FILE *fp);
/* Log every error with log_warnx. */
void ydoc_log_errors(const struct ydoc *doc);

/* Mapping helpers. ymap_get returns the value node or NULL. */
struct ynode *ymap_get(const struct ynode *map, const char *key);
/* Errors for keys not in known[] (NULL-terminated) and for duplicate keys;
 * also an error when map is not a mapping.  Returns 0 if all is well. */
int ymap_check(struct ydoc *doc, const struct ynode *map, const char *const known[]);
#define YMAP_NPAIRS(m)  ((m)->nkids / 2)
#define YMAP_KEY(m, i)  ((m)->kids[2 * (i)])
#define YMAP_VAL(m, i)  ((m)->kids[2 * (i) + 1])

/* Typed getters: 0 on success, -1 (error recorded at n) otherwise. */
int ynode_str(struct ydoc *doc, const struct ynode *n, const char **out);
int ynode_bool(struct ydoc *doc, const struct ynode *n, bool *out);
int ynode_int(struct ydoc *doc, const struct ynode *n, long long min,
    long long max, long long *out);
/* Duration: "30", "30s", "5m", "250ms", "1h", "7d"; bare number in seconds
 * unless default_unit_ms says otherwise.  Result in milliseconds. */
int ynode_duration(struct ydoc *doc, const struct ynode *n,
    long long default_unit_ms, long long min_ms, long long max_ms,
    long long *out_ms);
/* Octal file mode such as "0660" or 0660. */
int ynode_mode(struct ydoc *doc, const struct ynode *n, unsigned *out);
/* One of the given words; *out is its index. */
int ynode_enum(struct ydoc *doc, const struct ynode *n,
    const char *const words[], int *out);
/* A sequence (a lone scalar is accepted as a one-item list when
 * allow_scalar); sets *items and *n. */
int ynode_seq(struct ydoc *doc, const struct ynode *n, bool allow_scalar,
    struct ynode *const **items, size_t *count);
/* True for an explicit null (~, null, or empty plain scalar). */
bool ynode_is_null(const struct ynode *n);

#endif
