/*
 * xmalloc.h - allocation that never returns NULL to its callers.
 *
 * Out of memory is fatal: a policy server that cannot allocate cannot answer
 * correctly, and Postfix falls back to its default_action when we go away.
 */
#ifndef COMMON_XMALLOC_H
#define COMMON_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
/* align: a power of two, at least sizeof(void *); free() releases it. */
void *xaligned_alloc(size_t align, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
