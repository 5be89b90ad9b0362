/*
 * num.c - integers and durations parsed strictly (see num.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/num.h"

int
num_parse_n(const char *s, size_t n, long long min, long long max,
    long long *out, const char **errstr)
{
	char buf[32], *end;
	long long v;

	if (n == 0 || n >= sizeof(buf) || !((s[0] >= '0' && s[0] <= '9') ||
	    (s[0] == '-' && n > 1))) {
		*errstr = "invalid";
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (*end != '\0') {
		*errstr = "invalid";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return -1;
	}
	*out = v;
	return 0;
}

int
num_parse(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	return num_parse_n(s, strlen(s), min, max, out, errstr);
}

int
num_parse_duration(const char *s, long long default_unit_ms,
    long long min_ms, long long max_ms, long long *out_ms, const char **errstr)
{
	static const struct { const char *sfx; long long ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 604800000 },
	};
	size_t n = strlen(s), digits = 0, i;
	long long v, unit = default_unit_ms;

	while (digits < n && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (digits < n) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(s + digits, units[i].sfx) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0])) {
			*errstr = "invalid (use a number with ms, s, m, h, d or w)";
			return -1;
		}
		unit = units[i].ms;
	}
	if (num_parse_n(s, digits, 0, LLONG_MAX / unit, &v, errstr) < 0) {
		if (digits == 0)
			*errstr = "invalid (use a number with ms, s, m, h, d or w)";
		return -1;
	}
	v *= unit;
	if (v < min_ms) {
		*errstr = "too small";
		return -1;
	}
	if (v > max_ms) {
		*errstr = "too large";
		return -1;
	}
	*out_ms = v;
	return 0;
}
