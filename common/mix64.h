/*
 * mix64.h - a fast 64-bit digest of a byte string, for memos and cache
 * tags in the request path (classify.c's public-suffix and word memos,
 * the verdict cache's name tag).
 *
 * Eight bytes a step, each folded in with a multiply and an xorshift; the
 * length seeds it.  Not keyed: use it where a chosen collision costs the
 * chooser only (a memo that also compares the bytes, a tag of one client's
 * own name), never to spread untrusted keys over hash buckets (see
 * dnscache.c's keyed SipHash for that).
 */
#ifndef COMMON_MIX64_H
#define COMMON_MIX64_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t mix64(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0x94d049bb133111ebull;
	return h ^ (h >> 29);
}

#endif
