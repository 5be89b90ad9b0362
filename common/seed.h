/*
 * seed.h - secret bits for the keyed hashes that spread addresses and names
 * an attacker may choose (the DNS cache, the verdict cache, the firewall
 * gate's sample, the helper's address map).
 *
 * From getrandom(2) without blocking: the kernel's pool is ready long
 * before a mail server starts.  If it is not, the clocks, the pid and an
 * address are mixed instead: a weaker key, not none.
 */
#ifndef COMMON_SEED_H
#define COMMON_SEED_H

#include <stddef.h>

void seed_fill(void *p, size_t n);

#endif
