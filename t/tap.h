/*
 * tap.h - a tiny TAP producer for the C unit tests (header only).
 *
 *     ok(cond, "name %d", i);  is_int(got, want, "name");
 *     is_str(got, want, "name"); skip_all("why"); return done_testing();
 *     want = tap_slurp("t/data/x.err"); ... free(want);
 */
#ifndef T_TAP_H
#define T_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_fail;

__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_fail++;
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 1, 2), unused))
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define is_int(got, want, ...) do { long long g_ = (got), w_ = (want); \
	if (!ok(g_ == w_, __VA_ARGS__)) diag("  got %lld, want %lld", g_, w_); } while (0)
#define is_str(got, want, ...) do { const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__)) \
		diag("  got \"%s\", want \"%s\"", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } while (0)

__attribute__((unused))
static void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

/* The whole file as a string (malloc'ed, caller frees); NULL when it
 * cannot be opened.  A read error gives "". */
__attribute__((unused))
static char *tap_slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	if ((n = ftell(fp)) < 0)
		n = 0;
	rewind(fp);
	if ((s = calloc(1, (size_t)n + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	if (fread(s, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	s[n] = '\0';
	fclose(fp);
	return s;
}

__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

#endif
