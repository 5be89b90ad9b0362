/*
 * seed.c - secret bits for keyed hashes (see seed.h).
 */
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/seed.h"

void seed_fill(void *p, size_t n)
{
	struct timespec rt, mt;
	uint64_t x, w;

	if (getrandom(p, n, GRND_NONBLOCK) == (ssize_t)n)
		return;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	x = (uint64_t)rt.tv_nsec ^ (uint64_t)rt.tv_sec << 30 ^
	    (uint64_t)mt.tv_nsec << 17 ^ (uint64_t)getpid() << 42 ^
	    (uint64_t)(uintptr_t)p;
	for (unsigned char *b = p; n > 0; ) {
		size_t k = n < sizeof(w) ? n : sizeof(w);

		/* splitmix64: a new word from the one state each step */
		x += 0x9e3779b97f4a7c15ull;
		w = (x ^ x >> 30) * 0xbf58476d1ce4e5b9ull;
		w = (w ^ w >> 27) * 0x94d049bb133111ebull;
		w ^= w >> 31;
		memcpy(b, &w, k);
		b += k;
		n -= k;
	}
}
