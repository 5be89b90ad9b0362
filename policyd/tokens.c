/*
 * tokens.c - word and provider-domain tables for the classifier (tokens.h).
 *
 * Two open-addressing hash tables (FNV-1a, linear probing, load <= 1/2),
 * filled at configuration time, read-only afterwards: a lookup hashes the
 * bytes once and compares at most a few keys, never allocates.
 * The built-in vocabulary below is the generic part (words every broadband
 * detector knows); provider domains come only from the data file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/tokens.h"

struct tent {
	char    *key;           /* NULL: empty slot */
	uint32_t len;
	uint32_t hash;
	uint8_t  kind;
	uint8_t  affix;
};

struct ttab {
	struct tent *v;
	size_t cap;             /* power of two */
	size_t n;
};

struct tokens {
	struct ttab words;
	struct ttab domains;
	uint64_t wlens;         /* bit n: some word has n letters */
	uint32_t bigram[26];    /* [first letter] bit: second letter */
	uint64_t serial;        /* new with every word added (tokens_serial) */
};

static uint64_t serials;        /* the last serial given */

static const char *const builtin_access[] = {
	"dsl", "adsl", "vdsl", "sdsl", "xdsl", "hdsl", "cable", "catv",
	"docsis", "cm", "cmts", "cpe", "modem", "dhcp", "dyn", "dynamic",
	"dynip", "ddns", "pool", "pools", "ppp", "pppoe", "pppoa", "pptp",
	"dial", "dialup", "dialin", "dip", "res", "resi", "residential",
	"broadband", "bb", "fios", "hsd", "hsi", "hsia", "ftth", "fttx",
	"fttc", "fttb", "gpon", "mobile", "gprs", "umts", "lte", "wireless",
	"wifi", "wlan", "client", "clients", "dclient", "customer",
	"customers", "cust", "user", "users", "subscriber", "subs", "home",
	"lns", "bras", "access", "roadrunner", NULL
};
static const char *const builtin_server[] = {
	"mail*", "*mail", "email", "mx", "*mx", "smtp*", "*smtp", "mta",
	"*mta", "relay*", "*relay", "out", "outbound", "mout", "sender",
	"forward*", "send", "mailer", "exch", "exchange", "postfix",
	"bounce", "bounces", "mxout", "smtpout", "mailout", "outmail", NULL
};
static const char *const builtin_static[] = {
	"static", "fixed", "fixip", "business", "biz", "sta", NULL
};
static const char *const builtin_hosting[] = {
	"vps", "vds", "server", "servers", "srv", "cloud", "hosting",
	"hosted", "compute", "instance", "vm", "kvm", "xen",
	"dedic", "dedicated", "colo", "datacenter", NULL
};

static uint32_t
fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Domains hash from the last byte backwards, so that a caller walking a
 * name from its end gets the hash of every suffix in one pass. */
static uint32_t
rfnv(const char *s, size_t n)
{
	uint32_t h = TOKENS_RHASH_INIT;

	while (n--)
		h = tokens_rhash_step(h, s[n]);
	return h;
}

static struct tent *
ttab_find(const struct ttab *tt, const char *s, size_t n, uint32_t h)
{
	size_t i;

	if (tt->cap == 0)
		return NULL;
	for (i = h & (tt->cap - 1);; i = (i + 1) & (tt->cap - 1)) {
		struct tent *e = &tt->v[i];

		if (e->key == NULL)
			return NULL;
		if (e->hash == h && e->len == n) {
			size_t k;

			for (k = 0; k < n && e->key[k] == s[k]; k++)
				;
			if (k == n)
				return e;
		}
	}
}

static void ttab_put(struct ttab *tt, char *key, size_t n, unsigned kind,
    unsigned affix, bool rev);

static void
ttab_grow(struct ttab *tt, bool rev)
{
	struct ttab old = *tt;
	size_t i;

	tt->cap = old.cap ? old.cap * 2 : 256;
	tt->v = xcalloc(tt->cap, sizeof(*tt->v));
	tt->n = 0;
	for (i = 0; i < old.cap; i++)
		if (old.v[i].key)
			ttab_put(tt, old.v[i].key, old.v[i].len, old.v[i].kind,
			    old.v[i].affix, rev);
	free(old.v);
}

/* Takes ownership of key; merges kinds when the key is already there. */
static void
ttab_put(struct ttab *tt, char *key, size_t n, unsigned kind, unsigned affix,
    bool rev)
{
	uint32_t h = rev ? rfnv(key, n) : fnv1a(key, n);
	struct tent *e = ttab_find(tt, key, n, h);
	size_t i;

	if (e) {
		e->kind |= kind;
		e->affix |= affix;
		free(key);
		return;
	}
	if ((tt->n + 1) * 2 > tt->cap)
		ttab_grow(tt, rev);
	for (i = h & (tt->cap - 1); tt->v[i].key; i = (i + 1) & (tt->cap - 1))
		;
	tt->v[i] = (struct tent){ key, (uint32_t)n, h, (uint8_t)kind,
	    (uint8_t)affix };
	tt->n++;
}

static void
ttab_release(struct ttab *tt)
{
	size_t i;

	for (i = 0; i < tt->cap; i++)
		free(tt->v[i].key);
	free(tt->v);
}

int
tokens_add_word(struct tokens *t, unsigned kind, const char *spec,
    const char **err)
{
	size_t n = strlen(spec), i;
	unsigned affix = 0;

	if (n > 0 && spec[n - 1] == '*') {
		affix |= TOK_PREFIX;
		n--;
	}
	if (n > 0 && spec[0] == '*') {
		affix |= TOK_SUFFIX;
		spec++;
		n--;
	}
	if (n == 0 || n > TOKENS_WORD_MAX) {
		*err = "a word is 1 to 32 letters, optionally with a leading "
		    "or trailing '*'";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (spec[i] < 'a' || spec[i] > 'z') {
			*err = "a word has lowercase letters a-z only (digits "
			    "and separators split names into words)";
			return -1;
		}
	}
	t->serial = ++serials;
	t->wlens |= 1ull << n;
	if (n >= 2)
		t->bigram[spec[0] - 'a'] |= 1u << (spec[1] - 'a');
	ttab_put(&t->words, xstrndup(spec, n), n, kind, affix, false);
	return 0;
}

int
tokens_add_domain(struct tokens *t, unsigned kind, const char *domain,
    const char **err)
{
	size_t n = strlen(domain), i;
	char *d;

	while (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || n > TOKENS_DOMAIN_MAX || domain[0] == '.') {
		*err = "not a domain name";
		return -1;
	}
	d = xstrndup(domain, n);
	for (i = 0; i < n; i++) {
		char c = d[i];

		if (c >= 'A' && c <= 'Z')
			d[i] = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || (c == '.' && d[i + 1] != '.'))) {
			free(d);
			*err = "not a domain name (letters, digits, '-', '.')";
			return -1;
		}
	}
	ttab_put(&t->domains, d, n, kind, 0, true);
	return 0;
}

static void
add_builtin(struct tokens *t, unsigned kind, const char *const *w)
{
	const char *err;

	for (; *w; w++)
		if (tokens_add_word(t, kind, *w, &err) < 0)
			abort();        /* a broken built-in table */
}

struct tokens *
tokens_new(void)
{
	struct tokens *t = xcalloc(1, sizeof(*t));

	add_builtin(t, TOK_ACCESS, builtin_access);
	add_builtin(t, TOK_SERVER, builtin_server);
	add_builtin(t, TOK_STATIC, builtin_static);
	add_builtin(t, TOK_HOSTING, builtin_hosting);
	return t;
}

void
tokens_free(struct tokens *t)
{
	if (t == NULL)
		return;
	ttab_release(&t->words);
	ttab_release(&t->domains);
	free(t);
}

unsigned
tokens_word(const struct tokens *t, const char *s, size_t n, unsigned *affix)
{
	const struct tent *e = NULL;

	/* cheap rejections first: no word of that length or start */
	if (n < 64 && (t->wlens >> n & 1) && (n < 2 ||
	    ((unsigned)(s[0] - 'a') < 26 && (unsigned)(s[1] - 'a') < 26 &&
	    (t->bigram[s[0] - 'a'] >> (s[1] - 'a') & 1))))
		e = ttab_find(&t->words, s, n, fnv1a(s, n));

	if (affix)
		*affix = e ? e->affix : 0;
	return e ? e->kind : 0;
}

unsigned
tokens_domain(const struct tokens *t, const char *s, size_t n)
{
	return tokens_domain_h(t, s, n, rfnv(s, n));
}

unsigned
tokens_domain_h(const struct tokens *t, const char *s, size_t n, uint32_t h)
{
	const struct tent *e;

	if (t->domains.n == 0)
		return 0;
	e = ttab_find(&t->domains, s, n, h);
	return e ? e->kind : 0;
}

uint64_t
tokens_serial(const struct tokens *t)
{
	return t->serial;
}

size_t
tokens_count(const struct tokens *t, size_t *ndomains)
{
	if (ndomains)
		*ndomains = t->domains.n;
	return t->words.n;
}

static const char *const word_kinds[] = { "access", "server", "static",
	"hosting", NULL };
static const char *const dom_kinds[] = { "isp", "hosting", "mail",
	"business", NULL };

static const char *
kind_name(unsigned kind, const char *const *names)
{
	int i;

	for (i = 0; names[i]; i++)
		if (kind & (1u << i))
			return names[i];
	return "none";
}

const char *
tok_kind_name(unsigned kind)
{
	return kind_name(kind, word_kinds);
}

const char *
dom_kind_name(unsigned kind)
{
	return kind_name(kind, dom_kinds);
}

/* One "kind: [list]" section of words: or domains:. */
static void
load_section(struct ydoc *doc, struct tokens *t, const struct ynode *map,
    const char *const *kinds, bool domains)
{
	size_t i, j, count;
	struct ynode *const *items;
	const char *err;

	if (map == NULL)
		return;
	(void)ymap_check(doc, map, kinds);
	if (map->type != YN_MAP)
		return;
	for (i = 0; i < YMAP_NPAIRS(map); i++) {
		const struct ynode *k = YMAP_KEY(map, i);
		unsigned kind = 0;

		for (j = 0; kinds[j]; j++)
			if (k->type == YN_SCALAR && strcmp(k->str, kinds[j]) == 0)
				kind = 1u << j;
		if (kind == 0)
			continue;       /* reported by ymap_check */
		if (ynode_is_null(YMAP_VAL(map, i)))
			continue;
		if (ynode_seq(doc, YMAP_VAL(map, i), false, &items, &count) < 0)
			continue;
		for (j = 0; j < count; j++) {
			const char *s;
			int r;

			if (ynode_str(doc, items[j], &s) < 0)
				continue;
			r = domains ? tokens_add_domain(t, kind, s, &err) :
			    tokens_add_word(t, kind, s, &err);
			if (r < 0)
				ydoc_error(doc, items[j], "%s", err);
		}
	}
}

struct tokens *
tokens_load_doc(struct ydoc *doc)
{
	static const char *const top[] = { "words", "domains", NULL };
	struct tokens *t;
	size_t before = doc->nerrs;

	if (doc->nerrs)
		return NULL;
	t = tokens_new();
	if (doc->root != NULL)
		(void)ymap_check(doc, doc->root, top);       /* unknown keys */
	if (doc->root != NULL && doc->root->type == YN_MAP) {
		load_section(doc, t, ymap_get(doc->root, "words"), word_kinds,
		    false);
		load_section(doc, t, ymap_get(doc->root, "domains"), dom_kinds,
		    true);
	}
	if (doc->nerrs > before) {
		tokens_free(t);
		return NULL;
	}
	return t;
}

struct tokens *
tokens_load_file(const char *path, struct ydoc **docp)
{
	struct ydoc *doc = ydoc_load_file(path);

	*docp = doc;
	return tokens_load_doc(doc);
}
