/*
 * exc_trie.h - longest-prefix match over IPv4 and IPv6 networks (internal
 * to exceptions.c).
 *
 * Path-compressed binary prefix trees in one node array (indices, not
 * pointers, so growth is one realloc).  IPv4 starts from a 65,536-slot table
 * indexed by the first 16 bits, so a lookup visits a node or two even with
 * 100,000 entries; a network shorter than /16 is put into every slot it
 * covers.  IPv6 has one tree.  Each node keeps its entry's expiry, so a
 * lookup returns the deepest entry not expired at "now" without calling
 * back.  Inserting the same network twice keeps the entry that lasts longer.
 */
#ifndef POLICYD_EXC_TRIE_H
#define POLICYD_EXC_TRIE_H

#include <stdint.h>
#include <time.h>

struct addr;
struct cidr;

#define EXC_TRIE_NONE UINT32_MAX

struct exc_tnode {
	unsigned char key[16];
	int64_t  until;         /* 0: forever */
	uint32_t entry;         /* EXC_TRIE_NONE: an inner node */
	uint32_t kid[2];
	uint8_t  plen;
};

struct exc_trie {
	struct exc_tnode *v;
	uint32_t n, cap;
	uint32_t *root4;        /* 65,536 slots, EXC_TRIE_NONE when empty */
	uint32_t root6;
};

void exc_trie_init(struct exc_trie *t);
void exc_trie_release(struct exc_trie *t);
void exc_trie_insert(struct exc_trie *t, const struct cidr *c, uint32_t entry,
    time_t until);
uint32_t exc_trie_lookup(const struct exc_trie *t, const struct addr *a,
    time_t now);

#endif
