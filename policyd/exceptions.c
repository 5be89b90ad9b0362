/*
 * exceptions.c - the exceptions list in memory and its matcher (see
 * exceptions.h; the YAML loader is exceptions_load.c).
 *
 * Entries live in one array; networks go into the prefix trees of
 * exc_trie.c, names into open-addressing hash tables keyed by the
 * lowercase text (hashing folds case, so a lookup never copies).  A name
 * table slot keeps the entry that lasts longest when a value is listed
 * twice.  Suffix tables are walked label by label: "a.b.example" looks up
 * itself, "b.example", "example".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/xmalloc.h"
#include "policyd/exc_trie.h"
#include "policyd/exceptions.h"

#define NONE UINT32_MAX

struct nslot {
	const char *key;        /* points into the entry's value */
	uint32_t len, hash, entry;
};

struct ntab {
	struct nslot *v;
	size_t cap, n;
};

enum { T_HOST, T_DOMAIN, T_SENDER, T_RCPT, T_RCPT_DOMAIN, T_RCPT_LOCAL,
	T_COUNT };

struct exceptions {
	struct exc_entry *v;    /* grows; slots refer to entries by index */
	size_t n, cap;
	struct exc_trie nets;
	struct ntab tab[T_COUNT];
	struct exc_entry postmaster;
};

static unsigned char
lc(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static uint32_t
hash_lc(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ lc((unsigned char)*s++)) * 16777619u;
	return h;
}

static bool
eq_lc(const char *key, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (key[i] != (char)lc((unsigned char)s[i]))
			return false;
	return true;
}

static struct nslot *
ntab_find(const struct ntab *t, const char *s, size_t n, uint32_t h)
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct nslot *e = &t->v[i];

		if (e->key == NULL)
			return NULL;
		if (e->hash == h && e->len == n && eq_lc(e->key, s, n))
			return e;
	}
}

static void
ntab_put(struct exceptions *x, int tab, const char *key, size_t n,
    uint32_t entry)
{
	struct ntab *t = &x->tab[tab];
	uint32_t h = hash_lc(key, n);
	struct nslot *e = ntab_find(t, key, n, h);
	size_t i;

	if (e) {
		time_t old = x->v[e->entry].until, neu = x->v[entry].until;

		if (neu == 0 || (old != 0 && neu > old))
			e->entry = entry;
		return;
	}
	if ((t->n + 1) * 2 > t->cap) {
		struct ntab old = *t;

		t->cap = old.cap ? old.cap * 2 : 64;
		t->v = xcalloc(t->cap, sizeof(*t->v));
		t->n = 0;
		for (i = 0; i < old.cap; i++) {
			struct nslot *o = &old.v[i];
			size_t j;

			if (o->key == NULL)
				continue;
			for (j = o->hash & (t->cap - 1); t->v[j].key;
			    j = (j + 1) & (t->cap - 1))
				;
			t->v[j] = *o;
			t->n++;
		}
		free(old.v);
	}
	for (i = h & (t->cap - 1); t->v[i].key; i = (i + 1) & (t->cap - 1))
		;
	t->v[i] = (struct nslot){ key, (uint32_t)n, h, entry };
	t->n++;
}

/* The live entry for s[0..n) in t, or NONE.  An empty table (a list
 * without entries of that kind, the common case) costs no hashing. */
static uint32_t
ntab_get(const struct exceptions *x, int tab, const char *s, size_t n,
    time_t now)
{
	const struct nslot *e;
	time_t u;

	if (x->tab[tab].n == 0)
		return NONE;
	if ((e = ntab_find(&x->tab[tab], s, n, hash_lc(s, n))) == NULL)
		return NONE;
	u = x->v[e->entry].until;
	return u == 0 || now < u ? e->entry : NONE;
}

/* s itself, then each parent domain. */
static uint32_t
ntab_suffix(const struct exceptions *x, int tab, const char *s, size_t n,
    time_t now)
{
	uint32_t r;
	const char *dot;

	if (x->tab[tab].n == 0)
		return NONE;
	while (n > 0) {
		if ((r = ntab_get(x, tab, s, n, now)) != NONE)
			return r;
		if ((dot = memchr(s, '.', n)) == NULL)
			break;
		n -= (size_t)(dot + 1 - s);
		s = dot + 1;
	}
	return NONE;
}

struct exceptions *
exceptions_new(void)
{
	struct exceptions *x = xcalloc(1, sizeof(*x));

	exc_trie_init(&x->nets);
	x->postmaster.kind = EXC_POSTMASTER;
	x->postmaster.value = xstrdup("postmaster@");
	x->postmaster.comment = xstrdup("built-in: RFC 5321 postmaster");
	return x;
}

void
exceptions_free(struct exceptions *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++) {
		free(x->v[i].value);
		free(x->v[i].comment);
	}
	free(x->v);
	free(x->postmaster.value);
	free(x->postmaster.comment);
	exc_trie_release(&x->nets);
	for (i = 0; i < T_COUNT; i++)
		free(x->tab[i].v);
	free(x);
}

/* A host or domain name: labels of letters, digits, '-' and '_'. */
static bool
name_ok(const char *s)
{
	size_t i, lab = 0, n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_') {
			if (++lab > 63)
				return false;
		} else {
			return false;
		}
	}
	return lab > 0;
}

int
exceptions_add(struct exceptions *x, enum exc_kind kind, const char *value,
    const char *comment, time_t until, int line, const char **err)
{
	struct exc_entry *e;
	struct cidr c;
	char *v, buf[ADDR_STRLEN + 4], *at;
	size_t i;
	int tab = -1;

	if (kind == EXC_CLIENT) {
		if (cidr_parse(&c, value, err) < 0)
			return -1;
		v = xstrdup(cidr_format(&c, buf, sizeof(buf)));
	} else {
		v = xstrdup(value[0] == '.' && kind != EXC_HOSTNAME ? value + 1 :
		    value);
		for (i = 0; v[i]; i++)
			v[i] = (char)lc((unsigned char)v[i]);
		if (i > 0 && v[i - 1] == '.')
			v[i - 1] = '\0';
		at = strchr(v, '@');
		if (kind == EXC_RECIPIENT && at) {
			bool ok = at != v && (at[1] == '\0' || name_ok(at + 1)) &&
			    strchr(at + 1, '@') == NULL;

			for (i = 0; ok && v + i < at; i++)
				ok = (unsigned char)v[i] > ' ' && v[i] != '<' &&
				    v[i] != '>' && v[i] != ',';
			if (!ok) {
				free(v);
				*err = "not an address (local@domain, or local@ "
				    "for that mailbox at every domain)";
				return -1;
			}
			tab = at[1] == '\0' ? T_RCPT_LOCAL : T_RCPT;
		} else if (!name_ok(v)) {
			free(v);
			*err = "not a domain name (letters, digits, '-', '_', "
			    "dots between labels)";
			return -1;
		}
		if (tab < 0)
			tab = kind == EXC_HOSTNAME ? T_HOST : kind == EXC_DOMAIN ?
			    T_DOMAIN : kind == EXC_SENDER ? T_SENDER :
			    T_RCPT_DOMAIN;
	}
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		x->v = xreallocarray(x->v, x->cap, sizeof(*x->v));
	}
	e = &x->v[x->n];
	*e = (struct exc_entry){ kind, v, comment ? xstrdup(comment) : NULL,
	    until, line };
	if (kind == EXC_CLIENT) {
		exc_trie_insert(&x->nets, &c, (uint32_t)x->n, until);
	} else {
		/* slots point into the values, which never move; a local@
		 * entry is keyed by its local part */
		ntab_put(x, tab, v, tab == T_RCPT_LOCAL ? strlen(v) - 1 :
		    strlen(v), (uint32_t)x->n);
	}
	x->n++;
	return 0;
}

static const struct exc_entry *
entry_at(const struct exceptions *x, uint32_t i)
{
	return i == NONE ? NULL : &x->v[i];
}

const struct exc_entry *
exceptions_match(const struct exceptions *x, const struct exc_query *q,
    time_t now)
{
	const char *s, *at;
	size_t n;
	uint32_t r;
	bool rcpts;

	/* an empty tree: not even its 256 KiB root table is read */
	if (q->client && x->nets.n > 0 &&
	    (r = exc_trie_lookup(&x->nets, q->client, now)) != NONE)
		return entry_at(x, r);
	s = q->client_name;
	if (s && *s && (x->tab[T_HOST].n > 0 || x->tab[T_DOMAIN].n > 0) &&
	    strcmp(s, "unknown") != 0) {
		n = strlen(s);
		if (n > 0 && s[n - 1] == '.')
			n--;
		if ((r = ntab_get(x, T_HOST, s, n, now)) != NONE ||
		    (r = ntab_suffix(x, T_DOMAIN, s, n, now)) != NONE)
			return entry_at(x, r);
	}
	if (q->sender && x->tab[T_SENDER].n > 0 &&
	    (at = strrchr(q->sender, '@')) != NULL &&
	    (r = ntab_suffix(x, T_SENDER, at + 1, strlen(at + 1), now)) != NONE)
		return entry_at(x, r);
	s = q->recipient;
	rcpts = x->tab[T_RCPT].n > 0 || x->tab[T_RCPT_LOCAL].n > 0 ||
	    x->tab[T_RCPT_DOMAIN].n > 0;
	/* without recipient entries only postmaster is looked for: no '@'
	 * search for a recipient that cannot be it */
	if (s && lc((unsigned char)*s) != 'p' && !rcpts)
		return NULL;
	if (s && *s) {
		at = strrchr(s, '@');
		n = at ? (size_t)(at - s) : strlen(s);
		if (n == 10 && eq_lc("postmaster", s, n))
			return &x->postmaster;
		if (at == NULL || !rcpts)
			return NULL;
		if ((r = ntab_get(x, T_RCPT, s, strlen(s), now)) != NONE ||
		    (r = ntab_get(x, T_RCPT_LOCAL, s, n, now)) != NONE ||
		    (r = ntab_suffix(x, T_RCPT_DOMAIN, at + 1, strlen(at + 1),
		    now)) != NONE)
			return entry_at(x, r);
	}
	return NULL;
}

size_t
exceptions_count(const struct exceptions *x, time_t now, size_t *expired)
{
	size_t i, e = 0;

	for (i = 0; i < x->n; i++)
		e += x->v[i].until != 0 && now >= x->v[i].until;
	if (expired)
		*expired = e;
	return x->n;
}
