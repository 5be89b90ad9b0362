/*
 * answerlog.c - batched request log lines (see answerlog.h).
 */
#include <ev.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/linebatch.h"
#include "common/log.h"
#include "policyd/answerlog.h"

#define ANSWERLOG_DELAY 0.02            /* seconds a line may wait */

static struct {
	struct ev_loop *loop;
	ev_timer timer;
	struct linebatch b;
} al;

void answerlog_flush(void)
{
	linebatch_flush(&al.b);
	if (al.b.active)
		ev_timer_stop(al.loop, &al.timer);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	answerlog_flush();
}

void answerlog_init(struct ev_loop *loop, const char *ident, bool to_stderr)
{
	answerlog_fini();
	if (!to_stderr)
		return;
	al.loop = loop;
	ev_timer_init(&al.timer, timer_cb, ANSWERLOG_DELAY, 0.);
	linebatch_init(&al.b, ident, true);
}

void answerlog_fini(void)
{
	if (!al.b.active)
		return;
	answerlog_flush();
	al.b.active = false;
}

/* The timer runs from the first line of a batch. */
static void arm(bool was_empty)
{
	if (was_empty && al.b.len > 0) {
		/* set each time: a stopped one-shot timer keeps what was left */
		ev_timer_set(&al.timer, ANSWERLOG_DELAY, 0.);
		ev_timer_start(al.loop, &al.timer);
	}
}

void answerlog_put(const char *line, size_t n)
{
	bool was_empty = al.b.len == 0;

	(void)linebatch_put(&al.b, line, n);
	arm(was_empty);
}

void answerlog_line(const char *fmt, ...)
{
	bool was_empty = al.b.len == 0;
	va_list ap;

	va_start(ap, fmt);
	(void)linebatch_vprintf(&al.b, fmt, ap);
	va_end(ap);
	arm(was_empty);
}

void logline_put(struct logline *l, const char *s)
{
	logline_putn(l, s, strlen(s));
}

/* 1 for the bytes log_esc() keeps as they are (printable ASCII but '\\'
 * and '"'), so the common case is one table lookup per byte. */
#define P16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x30] = P16, P16,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	[0x60] = P16,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};
#define esc_plain(c) plain[(unsigned char)(c)]

/* Are the 8 bytes at s all plain?  A byte below 0x20, above 0x7e, '"' or
 * '\\' sets its top bit in one of these terms (exact for "any byte"). */
static inline bool word_plain(const char *s)
{
	const uint64_t ones = 0x0101010101010101ull, tops = ones * 0x80;
	uint64_t w, q, b;

	memcpy(&w, s, 8);
	q = w ^ ones * '"';
	b = w ^ ones * '\\';
	return ((((w - ones * 0x20) & ~w) | ((w + ones * 1) | w) |
	    ((q - ones) & ~q) | ((b - ones) & ~b)) & tops) == 0;
}

#ifdef __SSE2__
/* Are the 16 bytes at s all plain?  Compared as signed bytes, 0x80..0xff
 * are below 0x20 too. */
static inline bool block_plain(const char *s)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i bad = _mm_or_si128(
	    _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))),
	    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

	return _mm_movemask_epi8(bad) == 0;
}
#endif

/* Copy the n bytes at s to d while they are plain; false at the first
 * that is not (d then holds a partial copy).  Sixteen at a time where
 * SSE2 is (every x86-64), else eight; the last block may overlap the one
 * before. */
static bool copy_plain(char *d, const char *s, size_t n)
{
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if (!esc_plain(d[i] = s[i]))
				return false;
		return true;
	}
#ifdef __SSE2__
	if (n >= 16) {
		for (i = 0; i + 16 < n; i += 16) {
			if (!block_plain(s + i))
				return false;
			memcpy(d + i, s + i, 16);
		}
		if (!block_plain(s + n - 16))
			return false;
		memcpy(d + n - 16, s + n - 16, 16);
		return true;
	}
#endif
	for (i = 0; i + 8 < n; i += 8) {
		if (!word_plain(s + i))
			return false;
		memcpy(d + i, s + i, 8);
	}
	if (!word_plain(s + n - 8))
		return false;
	memcpy(d + n - 8, s + n - 8, 8);
	return true;
}

/* logline_esc() for a string that needs escaping or cutting: out of the
 * common path, which then needs fewer registers saved. */
static __attribute__((noinline)) void esc_slow(struct logline *l,
    const char *s, size_t cut)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t need = 0, lim;
	char *d;

	for (p = (const unsigned char *)s; *p; p++)
		need += esc_plain(*p) ? 1 : 4;
	lim = need <= cut ? cut : cut > 3 ? cut - 3 : 0;
	d = l->buf + l->len;
	for (p = (const unsigned char *)s; *p; p++) {
		if (esc_plain(*p)) {
			if (lim < 1)
				break;
			*d++ = (char)*p;
			lim--;
		} else {
			if (lim < 4)
				break;
			*d++ = '\\';
			*d++ = 'x';
			*d++ = hex[*p >> 4];
			*d++ = hex[*p & 15];
			lim -= 4;
		}
	}
	if (*p && cut >= 3) {
		memcpy(d, "...", 3);
		d += 3;
	}
	l->len = (size_t)(d - l->buf);
}

void logline_esc(struct logline *l, const char *s, size_t cut)
{
	size_t n;

	if (s == NULL)
		s = "-";
	if (cut > sizeof(l->buf) - l->len)
		cut = sizeof(l->buf) - l->len;
	if ((n = strnlen(s, cut + 1)) <= cut &&
	    copy_plain(l->buf + l->len, s, n))
		l->len += n;                    /* the common case */
	else
		esc_slow(l, s, cut);
}

/* The digits are counted first and written in place, from the last: no
 * staging buffer and no copy of variable length (a call to memcpy). */
void logline_num(struct logline *l, unsigned long long v, int mindigits)
{
	size_t n = 1, i;
	unsigned long long p = 10;

	for (; n < 20 && v >= p; n++)   /* 20 digits: p wraps, unused then */
		p *= 10;
	if (mindigits > 24)
		mindigits = 24;
	if (n < (size_t)mindigits)
		n = (size_t)mindigits;
	if (n > sizeof(l->buf) - l->len)
		return;
	for (i = n; i > 0; i--) {
		l->buf[l->len + i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	l->len += n;
}
