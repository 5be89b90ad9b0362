/*
 * tokens.h - the classifier's vocabulary: words and provider domains.
 *
 * A struct tokens holds two hash tables built once at configuration time and
 * read-only afterwards (lookups never allocate):
 *
 *   words    lowercase a-z words with a kind: access technology (dsl, cable,
 *            dhcp ...), server role (mail, mx, smtp ...), static line
 *            (static, fixed, business ...) or hosting (vps, cloud ...).
 *            A word may carry affix flags: "mail*" also matches as the
 *            start of a longer letter run (mailhost), "*mta" as its end
 *            (resomta).
 *   domains  registered domains or deeper suffixes with a provider kind:
 *            isp (residential access provider), hosting (cloud/VPS),
 *            mail (an outbound mail service), business (static lines).
 *
 * tokens_new() starts from the built-in vocabulary (the generic words of
 * every kind, no provider domains); tokens_load_file() reads the operator's
 * data file (etc/tokens.yaml) on top of it:
 *
 *     words:   { access: [...], server: [...], static: [...], hosting: [...] }
 *     domains: { isp: [...], hosting: [...], mail: [...], business: [...] }
 *
 * Errors are recorded in the ydoc as FILE:LINE:COL: message; on any error
 * tokens_load_file() returns NULL and the caller keeps its old vocabulary.
 * Ownership: the caller frees the result with tokens_free() (NULL ok).
 */
#ifndef POLICYD_TOKENS_H
#define POLICYD_TOKENS_H

#include <stddef.h>
#include <stdint.h>

struct ydoc;

enum tok_kind {
	TOK_ACCESS  = 1 << 0,
	TOK_SERVER  = 1 << 1,
	TOK_STATIC  = 1 << 2,
	TOK_HOSTING = 1 << 3,
};

enum tok_affix {
	TOK_PREFIX = 1 << 0,            /* "word*": may start a longer run */
	TOK_SUFFIX = 1 << 1,            /* "*word": may end a longer run */
};

enum dom_kind {
	DOM_ISP      = 1 << 0,
	DOM_HOSTING  = 1 << 1,
	DOM_MAIL     = 1 << 2,
	DOM_BUSINESS = 1 << 3,
};

#define TOKENS_WORD_MAX   32            /* longest word accepted */
#define TOKENS_DOMAIN_MAX 253

struct tokens;

struct tokens *tokens_new(void);                /* built-in words only */
void tokens_free(struct tokens *t);
/* Add one word ("word", "word*", "*word"); 0, or -1 with *err set. */
int  tokens_add_word(struct tokens *t, unsigned kind, const char *spec,
    const char **err);
/* Add one domain (lowercased); 0, or -1 with *err set. */
int  tokens_add_domain(struct tokens *t, unsigned kind, const char *domain,
    const char **err);
/* Built-in vocabulary plus the file; NULL (errors in doc) on any error.
 * *docp receives the document (caller frees with ydoc_free). */
struct tokens *tokens_load_file(const char *path, struct ydoc **docp);
/* The same from an already loaded document (for tests: ydoc_load_mem). */
struct tokens *tokens_load_doc(struct ydoc *doc);

/* Lookups; s is lowercase, not NUL-terminated.  Return the kind bits (0:
 * unknown) and, for words, the affix flags in *affix (may be NULL). */
unsigned tokens_word(const struct tokens *t, const char *s, size_t n,
    unsigned *affix);
unsigned tokens_domain(const struct tokens *t, const char *s, size_t n);
/* The same with the hash given: h is TOKENS_RHASH_INIT stepped with the
 * bytes of s from the last to the first (tokens_rhash_step), which lets a
 * caller hash every suffix of a name in one backward pass. */
unsigned tokens_domain_h(const struct tokens *t, const char *s, size_t n,
    uint32_t h);
#define TOKENS_RHASH_INIT 2166136261u
static inline uint32_t
tokens_rhash_step(uint32_t h, char c)
{
	return (h ^ (unsigned char)c) * 16777619u;
}
size_t   tokens_count(const struct tokens *t, size_t *ndomains);
/* Never the same for two vocabularies of a process, nor for one before and
 * after a word is added: what a memo of word lookups is keyed on. */
uint64_t tokens_serial(const struct tokens *t);

const char *tok_kind_name(unsigned kind);       /* first bit set */
const char *dom_kind_name(unsigned kind);

#endif
