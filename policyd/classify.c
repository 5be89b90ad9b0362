/*
 * classify.c - the broadband classifier (see classify.h for the contract).
 *
 * One pass lowercases the name and finds its labels; the public-suffix
 * list (libpsl, ICANN section) marks where the registered domain starts;
 * a second pass over the host part collects digit runs and letter runs;
 * letter runs are looked up as words; then classify_ip_find() looks for the
 * address.  The decision is a short ordered list of rules, each named in
 * the reason ("by=RULE"):
 *
 *   no-ptr        no name                                     -> unknown
 *   mail-domain   name under a known outbound mail service    -> mail
 *   server-word   mail/mx/smtp/relay... and no access word (or the server
 *                 word leads the name and the address is not in it) -> mail
 *   hosting-domain  name under a known hosting/cloud provider -> generic
 *   access        an access word (dsl, cable, dhcp, pool ...) and no
 *                 hosting word, with two octets of the address or three
 *                 digits in the name (one digit under an ISP's domain)
 *                                -> dynamic (static with a static word or
 *                                   a business-line domain)
 *   static-word   static/fixed/business... with >= 3 octets   -> static
 *   business-domain / isp-domain   provider kind + digits or octets
 *                                  -> static / dynamic
 *   hosting-word  vps/server/cloud... with digits             -> generic
 *   pool-encoding the whole address in hex, zero-padded or run together
 *                 (p5ddb3ec9, yahoobb219173000034): access-pool schemes,
 *                 hosting names spell it plainly                -> dynamic
 *   ip-in-name    >= 3 octets (or IPv6 /64), no words         -> generic
 *   nothing       -> none
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <libpsl.h>

#include "common/addr.h"
#include "common/mix64.h"
#include "policyd/classify.h"
#include "policyd/classify_ip.h"
#include "policyd/tokens.h"

#define LABELS_MAX 128
#define WORDS_KEEP 3            /* words per kind named in the reason */
#define PSL_DEPTH  4            /* deepest ICANN rule, in labels */
#define MEMO_SIZE  1024         /* suffix_labels(): names' tails, */
#define MEMO_TAIL  62           /* ... up to this long (a slot: 64 bytes) */
#define WMEMO_SIZE 256          /* word_kind(): letter runs */
#define DOMAIN_DEPTH 3          /* labels below the registered domain looked
                                   up as provider suffixes */

struct hit {
	const char *s;
	uint8_t n;
};

struct scan {
	char   name[CLASSIFY_NAME_MAX + 1];
	size_t len;
	size_t lab[LABELS_MAX];         /* label start offsets */
	int    nlab;
	size_t hlen;                    /* host part name[0..hlen) */
	struct cl_num num[CL_NUM_MAX];
	int    nnum;
	int    digits;
	int    hexrun;                  /* longest run of [0-9a-f] */
	unsigned kinds;                 /* TOK_* seen */
	bool   server_lead;             /* a server word in the first label */
	struct hit hits[4][WORDS_KEEP]; /* per kind bit index */
	int    nhits[4];
	unsigned dkind;                 /* DOM_* of the domain */
	const char *dom;                /* the matching suffix */
	size_t domlen;
};

struct rbuf {
	char  *p;
	size_t size, o;
};

static const psl_ctx_t *psl;

static const char *const class_names[VCLASS_COUNT] = {
	"unknown", "none", "mail", "generic", "static", "dynamic"
};

const char *
vclass_name(enum vclass c)
{
	return (unsigned)c < VCLASS_COUNT ? class_names[c] : "?";
}

int
vclass_parse(const char *s)
{
	int i;

	for (i = 0; i < VCLASS_COUNT; i++)
		if (strcmp(s, class_names[i]) == 0)
			return i;
	return -1;
}

int
classify_init(void)
{
	if (psl == NULL)
		psl = psl_latest(NULL);
	if (psl == NULL)
		psl = psl_builtin();
	return psl ? 0 : -1;
}

static void
rb_add(struct rbuf *rb, const char *s, size_t n)
{
	if (rb->o + n >= rb->size)
		n = rb->o + 1 < rb->size ? rb->size - rb->o - 1 : 0;
	memcpy(rb->p + rb->o, s, n);
	rb->o += n;
	rb->p[rb->o] = '\0';
}

static void
rb_str(struct rbuf *rb, const char *s)
{
	rb_add(rb, s, strlen(s));
}

/*
 * Number of labels in the longest ICANN public suffix of the name.  ICANN
 * rules are at most PSL_DEPTH labels deep (wildcards included), and a name
 * that is itself a public suffix has no host part either way, so the answer
 * depends only on the last min(PSL_DEPTH, nlab - 1) labels: that tail is
 * the memo key, shared by every subscriber of a provider.
 */
static int
suffix_labels(const struct scan *sc)
{
	static _Thread_local struct {
		uint8_t n, len;         /* len 0: empty */
		char tail[MEMO_TAIL];   /* compared whole: names are chosen by
		                           whoever owns the address, and mix64
		                           is no keyed hash */
	} memo[MEMO_SIZE];
	int tail = sc->nlab - 1 < PSL_DEPTH ? sc->nlab - 1 : PSL_DEPTH, k;
	size_t off, len, slot;

	if (tail < 2)
		return 1;
	off = sc->lab[sc->nlab - tail];
	len = sc->len - off;
	slot = mix64(sc->name + off, len) & (MEMO_SIZE - 1);
	if (memo[slot].len == len &&
	    memcmp(memo[slot].tail, sc->name + off, len) == 0)
		return memo[slot].n;
	if (psl == NULL)
		(void)classify_init();
	for (k = tail; k >= 2; k--)
		if (psl && psl_is_public_suffix2(psl,
		    sc->name + sc->lab[sc->nlab - k], PSL_TYPE_ICANN))
			break;
	if (k < 2)
		k = 1;
	if (len <= MEMO_TAIL) {         /* longer tails are looked up each time */
		memo[slot].n = (uint8_t)k;
		memo[slot].len = (uint8_t)len;
		memcpy(memo[slot].tail, sc->name + off, len);
	}
	return k;
}

/* Lowercase, drop a trailing dot, find labels; -1 if not a usable name. */
static int
scan_name(struct scan *sc, const char *name)
{
	size_t i, n;
	bool start = true;              /* a label starts here */
	char c;

	sc->nlab = 0;
	for (i = 0; (c = name[i]) != '\0'; i++) {
		if (i == CLASSIFY_NAME_MAX)
			return -1;
		if ((unsigned char)(c - 'A') < 26)
			c = (char)(c + ('a' - 'A'));
		sc->name[i] = c;
		if (start) {
			if (c == '.' || sc->nlab == LABELS_MAX)
				return -1;
			sc->lab[sc->nlab++] = i;
		}
		start = c == '.';
	}
	n = i;
	if (n > 0 && sc->name[n - 1] == '.')
		n--;
	if (n == 0 || sc->lab[sc->nlab - 1] >= n)
		return -1;      /* empty, or a trailing ".." */
	sc->name[n] = '\0';
	sc->len = n;
	return 0;
}

static void
note_word(struct scan *sc, unsigned kind, const char *s, size_t n, int label)
{
	int b;

	sc->kinds |= kind;
	if ((kind & TOK_SERVER) && label == 0)
		sc->server_lead = true;
	for (b = 0; b < 4; b++) {
		if (!(kind & (1u << b)) || sc->nhits[b] == WORDS_KEEP)
			continue;
		sc->hits[b][sc->nhits[b]++] = (struct hit){ s, (uint8_t)n };
	}
}

static bool
no_vowel(const char *s, size_t n)
{
	while (n--)
		if (strchr("aeiouy", s[n]))
			return false;
	return true;
}

/* The kinds of a letter run that is no word by itself: two words
 * (modemcable), an access abbreviation with one extra letter (dslb, tdsl),
 * or an affix word (mailhost).  Up to 2n lookups. */
static unsigned
word_split(const struct tokens *tk, const char *s, size_t n)
{
	unsigned k1, k2, a1, a2, r = 0;
	size_t i;

	for (i = 1; i < n; i++) {
		k1 = tokens_word(tk, s, i, &a1);
		k2 = tokens_word(tk, s + i, n - i, &a2);
		if (i >= 2 && n - i >= 2 && k1 && k2)
			return k1 | k2;
		if (k1 && (a1 & TOK_PREFIX) && i >= 2)
			r |= k1;
		if (k2 && (a2 & TOK_SUFFIX) && n - i >= 2)
			r |= k2;
		/* one extra letter only on vowel-less abbreviations (tdsl,
		 * dslb): on words it makes English (spool, homer, tres) */
		if (i == 1 && n - 1 >= 3 && no_vowel(s + 1, n - 1))
			r |= k2 & TOK_ACCESS;
		if (i == n - 1 && i >= 3 && no_vowel(s, i))
			r |= k1 & TOK_ACCESS;
	}
	return r;
}

/* The kinds of a letter run: a word, or what word_split() finds.  The
 * splits of the runs seen lately are remembered: a provider's subscribers
 * share runs that are no words (region codes like bstnma or hckr, "host",
 * "rev"), and each would cost its 2n lookups again.  The memo holds the
 * run itself, so two runs never share an entry, and the vocabulary's
 * serial, so a reload or an added word starts it afresh. */
static unsigned
word_kind(const struct tokens *tk, const char *s, size_t n)
{
	static _Thread_local struct {
		uint64_t serial;        /* 0: empty */
		uint8_t n, kind;
		char s[TOKENS_WORD_MAX];
	} memo[WMEMO_SIZE];
	uint64_t serial;
	unsigned k;
	size_t slot;

	if ((k = tokens_word(tk, s, n, NULL)) != 0 || n < 3 || n > TOKENS_WORD_MAX)
		return k;
	serial = tokens_serial(tk);
	slot = mix64(s, n) & (WMEMO_SIZE - 1);
	if (memo[slot].serial == serial && memo[slot].n == n &&
	    memcmp(memo[slot].s, s, n) == 0)
		return memo[slot].kind;
	k = word_split(tk, s, n);
	memo[slot].serial = serial;
	memo[slot].n = (uint8_t)n;
	memo[slot].kind = (uint8_t)k;
	memcpy(memo[slot].s, s, n);
	return k;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Digit runs and words of the host part. */
static void
scan_host(struct scan *sc, const struct tokens *tk)
{
	const char *h = sc->name;
	size_t i = 0, j, k;
	int label = 0, hex = 0;         /* current run of [0-9a-f] */

	while (i < sc->hlen) {
		char c = h[i];

		if (is_digit(c)) {
			for (j = i; j < sc->hlen && is_digit(h[j]); j++)
				;
			sc->digits += (int)(j - i);
			if (sc->nnum < CL_NUM_MAX) {
				struct cl_num *n = &sc->num[sc->nnum++];
				int v = -1;

				if (j - i <= 3)
					for (v = 0, k = i; k < j; k++)
						v = v * 10 + h[k] - '0';
				n->start = (uint16_t)i;
				n->end = (uint16_t)j;
				n->val = (int16_t)(v <= 255 ? v : -1);
				n->lz = h[i] == '0' && j - i > 1;
			}
			hex += (int)(j - i);
			i = j;
		} else if (is_alpha(c)) {
			bool hexish = true;
			unsigned kind;

			for (j = i; j < sc->hlen && is_alpha(h[j]); j++)
				hexish &= h[j] <= 'f';
			if (hexish)
				hex += (int)(j - i);
			/* letters of a hex blob between digits are no words */
			if (!(hexish && i > 0 && is_digit(h[i - 1]) &&
			    j < sc->hlen && is_digit(h[j])) &&
			    (kind = word_kind(tk, h + i, j - i)) != 0)
				note_word(sc, kind, h + i, j - i, label);
			if (!hexish) {
				for (k = i; k < j && h[k] <= 'f'; k++)
					;
				hex += (int)(k - i);    /* letters a-f before g-z */
				if (hex > sc->hexrun)
					sc->hexrun = hex;
				for (k = j; k > i && h[k - 1] <= 'f'; k--)
					;
				hex = (int)(j - k);     /* the a-f tail starts a run */
			}
			i = j;
		} else {
			label += c == '.';
			if (hex > sc->hexrun)
				sc->hexrun = hex;
			hex = 0;
			i++;
		}
	}
	if (hex > sc->hexrun)
		sc->hexrun = hex;
}

/* The provider kind of the registered domain or a deeper suffix: one
 * backward pass hashes every suffix. */
static void
scan_domain(struct scan *sc, const struct tokens *tk, int reg)
{
	int k = sc->nlab - 1, stop = reg - DOMAIN_DEPTH > 0 ? reg - DOMAIN_DEPTH : 0;
	uint32_t h = TOKENS_RHASH_INIT;
	size_t i = sc->len;

	for (; k >= stop; k--) {
		size_t off = sc->lab[k];
		unsigned d;

		while (i > off)         /* this label, then the dot before it */
			h = tokens_rhash_step(h, sc->name[--i]);
		if (k <= reg &&
		    (d = tokens_domain_h(tk, sc->name + off, sc->len - off, h))) {
			sc->dkind |= d;
			if (sc->dom == NULL) {
				sc->dom = sc->name + off;
				sc->domlen = sc->len - off;
			}
		}
		if (off > 0)
			h = tokens_rhash_step(h, sc->name[--i]);
	}
}

static void
reason_words(struct rbuf *rb, const struct scan *sc)
{
	static const char *const label[4] = { " access=", " server=",
		" static=", " hosting=" };
	int b, i;

	for (b = 0; b < 4; b++) {
		for (i = 0; i < sc->nhits[b]; i++) {
			rb_str(rb, i ? "," : label[b]);
			rb_add(rb, sc->hits[b][i].s, sc->hits[b][i].n);
		}
	}
}

static enum vclass
decide(const struct scan *sc, const struct cl_ipm *ipm, const char **rule)
{
	unsigned k = sc->kinds, d = sc->dkind;
	bool octets = ipm->strength >= 3;
	bool numeric = ipm->strength >= 2 || sc->digits >= 3;
	/* a hosting word (vps, cloud, server ...) outweighs an access word:
	 * hosters call their tenants customers, clients and users too */
	bool access = (k & TOK_ACCESS) && !(k & TOK_HOSTING);
	bool statik = (k & TOK_STATIC) || (d & DOM_BUSINESS);

#define RULE(name, cls) do { *rule = (name); return (cls); } while (0)
	if (d & DOM_MAIL)
		RULE("mail-domain", VCLASS_MAIL);
	if ((k & TOK_SERVER) && (!access || (sc->server_lead && !octets)))
		RULE("server-word", VCLASS_MAIL);
	if (d & DOM_HOSTING)
		RULE("hosting-domain", VCLASS_GENERIC);
	if (access && (numeric || ((d & DOM_ISP) && sc->digits > 0)))
		RULE(statik ? "access+static" : ipm->strength >= 2 ?
		    "access+ip" : "access+digits",
		    statik ? VCLASS_STATIC : VCLASS_DYNAMIC);
	/* a hosting word outweighs a static word too: hosters name their
	 * servers static-..., dedicated-..., colo-...; and a static word
	 * with the address names a customer's line only under an ISP's
	 * domain - hosters unknown to tokens.yaml use A.B.C.D.static.x too */
	if ((k & TOK_STATIC) && octets && !(k & TOK_HOSTING) && (d & DOM_ISP))
		RULE("static-word", VCLASS_STATIC);
	if ((d & DOM_BUSINESS) && numeric)
		RULE("business-domain", VCLASS_STATIC);
	if ((d & DOM_ISP) && numeric && !(k & TOK_HOSTING))
		RULE("isp-domain", VCLASS_DYNAMIC);
	if ((k & TOK_HOSTING) && numeric)
		RULE("hosting-word", VCLASS_GENERIC);
	if (ipm->pool && !(k & (TOK_HOSTING | TOK_STATIC)))
		RULE("pool-encoding", VCLASS_DYNAMIC);
	if (octets)
		RULE("ip-in-name", VCLASS_GENERIC);
	RULE("nothing", VCLASS_NONE);
#undef RULE
}

enum vclass
classify(const struct tokens *tk, const char *name, const struct addr *ip,
    struct classify_result *res)
{
	struct scan sc;
	struct cl_ipm ipm;
	struct rbuf rb = { res->reason, sizeof(res->reason), 0 };
	const char *rule;
	int ps, reg;

	res->reason[0] = '\0';
	res->ip_strength = 0;
	if (name == NULL || *name == '\0' || strcmp(name, "unknown") == 0) {
		rb_str(&rb, "by=no-ptr");
		return res->cls = VCLASS_UNKNOWN;
	}
	if (scan_name(&sc, name) < 0) {
		rb_str(&rb, "by=bad-name");
		return res->cls = VCLASS_NONE;
	}
	sc.nnum = sc.digits = sc.hexrun = 0;
	sc.kinds = sc.dkind = 0;
	sc.server_lead = false;
	memset(sc.nhits, 0, sizeof(sc.nhits));
	sc.dom = NULL;
	ps = suffix_labels(&sc);
	reg = sc.nlab - ps - 1;         /* label index of the registered domain */
	sc.hlen = reg > 0 ? sc.lab[reg] - 1 : 0;
	if (reg >= 0)
		scan_domain(&sc, tk, reg);
	scan_host(&sc, tk);
	if (ip)
		classify_ip_find(sc.name, sc.hlen, sc.num, sc.nnum, sc.hexrun, ip,
		    &ipm);
	else
		classify_ip_shape(sc.name, sc.hlen, sc.num, sc.nnum, &ipm);
	res->ip_strength = ipm.strength;
	res->cls = decide(&sc, &ipm, &rule);

	rb_str(&rb, "by=");
	rb_str(&rb, rule);
	if (ipm.strength > 0) {
		rb_str(&rb, ip ? " ip=" : " shape=");
		rb_str(&rb, ipm.desc);
	}
	reason_words(&rb, &sc);
	if (sc.dom) {
		rb_str(&rb, " dom=");
		rb_str(&rb, dom_kind_name(sc.dkind));
		rb_str(&rb, ":");
		rb_add(&rb, sc.dom, sc.domlen);
	}
	if (sc.hlen == 0)
		rb_str(&rb, " host-part=none");
	return res->cls;
}
