/*
 * strcopy.h - bounded string copies for hot paths.
 *
 * snprintf(dst, size, "%s", src) costs a format parse and a stdio setup on
 * every call; these do the same job with strnlen and memcpy.  Both cut
 * silently at the bound and always leave dst NUL-terminated; size must be
 * at least 1.  No allocation, no I/O.
 */
#ifndef COMMON_STRCOPY_H
#define COMMON_STRCOPY_H

#include <stddef.h>
#include <string.h>

/* src into dst[size], cut to size - 1 bytes; returns the length copied. */
static inline size_t str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

/* src after the len bytes already in dst[size] (len < size); returns the
 * new length. */
static inline size_t str_append(char *dst, size_t size, size_t len,
    const char *src)
{
	return len + str_copy(dst + len, size - len, src);
}

#endif
