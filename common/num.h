/*
 * num.h - number parsing with an end pointer, range and a reason.
 *
 * num_parse() is strtonum done right: the whole string must be a decimal
 * integer in [min, max]; on failure it returns -1 and sets *errstr to
 * "invalid", "too small" or "too large".  num_parse_n() takes a length.
 * num_parse_duration() accepts an integer with an optional unit suffix
 * (ms, s, m, h, d, w) and returns milliseconds.
 */
#ifndef COMMON_NUM_H
#define COMMON_NUM_H

#include <stddef.h>

int num_parse(const char *s, long long min, long long max, long long *out,
    const char **errstr);
int num_parse_n(const char *s, size_t n, long long min, long long max,
    long long *out, const char **errstr);
/* Duration in milliseconds; a bare number means default_unit_ms units. */
int num_parse_duration(const char *s, long long default_unit_ms,
    long long min_ms, long long max_ms, long long *out_ms, const char **errstr);

#endif
