/*
 * exc_trie.c - path-compressed binary prefix trees for the exceptions list
 * (see exc_trie.h).
 *
 * A node holds a prefix (key, plen) and maybe an entry; its two children
 * continue with bit plen = 0 or 1.  Insertion walks down while the node's
 * prefix is a prefix of the new one, and splits a node where they differ;
 * a lookup walks down while the node's prefix matches the address and
 * remembers the deepest live entry.  Links are node indices; the root links
 * live outside the node array, so realloc never invalidates them.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/xmalloc.h"
#include "policyd/exc_trie.h"

#define NONE EXC_TRIE_NONE

static int
bit_at(const unsigned char *k, int i)
{
	return k[i >> 3] >> (7 - (i & 7)) & 1;
}

/* Length of the common prefix of a and b, at most max bits. */
static int
common_bits(const unsigned char *a, const unsigned char *b, int max)
{
	int i = 0;

	while (i + 8 <= max && a[i >> 3] == b[i >> 3])
		i += 8;
	while (i < max && bit_at(a, i) == bit_at(b, i))
		i++;
	return i;
}

static bool
prefix_eq(const unsigned char *a, const unsigned char *b, int plen)
{
	int full = plen >> 3, rest = plen & 7;

	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	return rest == 0 ||
	    ((a[full] ^ b[full]) & (unsigned char)(0xff00 >> rest)) == 0;
}

void
exc_trie_init(struct exc_trie *t)
{
	memset(t, 0, sizeof(*t));
	t->root4 = xmalloc(65536 * sizeof(*t->root4));
	memset(t->root4, 0xff, 65536 * sizeof(*t->root4));
	t->root6 = NONE;
}

void
exc_trie_release(struct exc_trie *t)
{
	free(t->v);
	free(t->root4);
	memset(t, 0, sizeof(*t));
}

static uint32_t
node_new(struct exc_trie *t, const unsigned char *key, int plen,
    uint32_t entry, time_t until)
{
	struct exc_tnode *n;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	n = &t->v[t->n];
	memset(n, 0, sizeof(*n));
	memcpy(n->key, key, (size_t)(plen + 7) / 8);
	if (plen & 7)
		n->key[plen >> 3] &= (unsigned char)(0xff00 >> (plen & 7));
	n->plen = (uint8_t)plen;
	n->entry = entry;
	n->until = entry == NONE ? 0 : (int64_t)until;
	n->kid[0] = n->kid[1] = NONE;
	return t->n++;
}

static uint32_t *
link_of(struct exc_trie *t, uint32_t *root, uint32_t parent, int side)
{
	return parent == NONE ? root : &t->v[parent].kid[side];
}

/* False when the network was there already and kept what it had. */
static bool
tree_insert(struct exc_trie *t, uint32_t *root, const unsigned char *key,
    int plen, uint32_t entry, time_t until)
{
	uint32_t parent = NONE, cur, nn, leaf;
	int side = 0, c;

	for (;;) {
		struct exc_tnode *n;

		cur = *link_of(t, root, parent, side);
		if (cur == NONE) {
			nn = node_new(t, key, plen, entry, until);
			*link_of(t, root, parent, side) = nn;
			return true;
		}
		n = &t->v[cur];
		c = common_bits(n->key, key, n->plen < plen ? n->plen : plen);
		if (c == n->plen && c == plen) {
			/* the same network again: keep what lasts longer
			 * (of two alike, the first) */
			if (n->entry != NONE && (n->until == 0 ||
			    (until != 0 && until <= n->until)))
				return false;
			n->entry = entry;
			n->until = until;
			return true;
		}
		if (c == n->plen) {
			parent = cur;
			side = bit_at(key, n->plen);
			continue;
		}
		/* split: a new node of c bits above cur */
		nn = node_new(t, key, c, c == plen ? entry : NONE, until);
		t->v[nn].kid[bit_at(t->v[cur].key, c)] = cur;
		if (c < plen) {
			leaf = node_new(t, key, plen, entry, until);
			t->v[nn].kid[bit_at(key, c)] = leaf;
		}
		*link_of(t, root, parent, side) = nn;
		return true;
	}
}

void
exc_trie_insert(struct exc_trie *t, const struct cidr *c, uint32_t entry,
    time_t until)
{
	const unsigned char *k = c->net.a;
	unsigned slot, count, i;

	if (c->net.family == AF_INET6) {
		tree_insert(t, &t->root6, k, c->plen, entry, until);
		return;
	}
	slot = (unsigned)k[0] << 8 | k[1];
	count = c->plen >= 16 ? 1 : 1u << (16 - c->plen);
	/* A network shorter than /16 is in every slot it covers, each time
	 * the same: when the first slot keeps what it has, so do the others
	 * (a list repeating 0.0.0.0/0 8,000 times took 16 s to load). */
	if (!tree_insert(t, &t->root4[slot], k, c->plen, entry, until))
		return;
	for (i = 1; i < count; i++)
		tree_insert(t, &t->root4[slot + i], k, c->plen, entry, until);
}

uint32_t
exc_trie_lookup(const struct exc_trie *t, const struct addr *a, time_t now)
{
	const unsigned char *k = a->a;
	int max = a->family == AF_INET6 ? 128 : 32;
	uint32_t cur, best = NONE;

	cur = max == 128 ? t->root6 : t->root4[(unsigned)k[0] << 8 | k[1]];
	while (cur != NONE) {
		const struct exc_tnode *n = &t->v[cur];

		if (!prefix_eq(n->key, k, n->plen))
			break;
		if (n->entry != NONE && (n->until == 0 || now < n->until))
			best = n->entry;
		if (n->plen >= max)
			break;
		cur = n->kid[bit_at(k, n->plen)];
	}
	return best;
}
