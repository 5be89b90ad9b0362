/*
 * fwprom.c - plain helper statistics to Prometheus text (see fwprom.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "firewall-helper/fwcore.h"
#include "firewall-helper/fwprom.h"

#define FWPROM_PREFIX "firewall_helper_"
#define FWPROM_NAME_MAX 64

/* Values that go up and down; everything else only grows. */
const char *const fwprom_gauges[] = {
	"entries", "backend_last_commit_ms", "backend_max_commit_ms", NULL
};

static bool is_gauge(const char *name)
{
	for (int i = 0; fwprom_gauges[i]; i++)
		if (strcmp(name, fwprom_gauges[i]) == 0)
			return true;
	return false;
}

/* "name: 12" / "name 1.5" -> name and value; false for anything else. */
static bool split_line(const char *s, size_t n, char *name, char *value,
    size_t valsize)
{
	size_t k = 0, v;

	while (k < n && k < FWPROM_NAME_MAX - 1 &&
	    ((s[k] >= 'a' && s[k] <= 'z') || s[k] == '_' ||
	    (k > 0 && s[k] >= '0' && s[k] <= '9')))
		k++;
	if (k == 0 || k == n || (s[k] != ':' && s[k] != ' '))
		return false;
	memcpy(name, s, k);
	name[k] = '\0';
	if (s[k] == ':')
		k++;
	while (k < n && s[k] == ' ')
		k++;
	v = k;
	while (k < n && ((s[k] >= '0' && s[k] <= '9') || s[k] == '.'))
		k++;
	if (k == v || k != n || k - v >= valsize || s[v] == '.')
		return false;
	memcpy(value, s + v, k - v);
	value[k - v] = '\0';
	return true;
}

int fwprom_format(const char *plain, size_t len, struct buf *out)
{
	const char *p = plain, *end = plain + len;
	char name[FWPROM_NAME_MAX], value[32], line[2 * FWPROM_NAME_MAX + 96];
	int rc = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (split_line(p, n, name, value, sizeof(value))) {
			bool g = is_gauge(name);
			int m = snprintf(line, sizeof(line),
			    "# TYPE " FWPROM_PREFIX "%s%s %s\n"
			    FWPROM_PREFIX "%s%s %s\n", name, g ? "" : "_total",
			    g ? "gauge" : "counter", name, g ? "" : "_total",
			    value);
			if (m < 0 || (size_t)m >= sizeof(line) ||
			    buf_append(out, line, (size_t)m) == -1)
				rc = -1;
		}
		p += n + 1;
	}
	return rc;
}

int fwprom_stats(struct buf *out)
{
	struct buf plain;
	int rc;

	buf_init(&plain, 64 * 1024);
	fwcore_stats(&plain);
	rc = fwprom_format(buf_head(&plain), buf_used(&plain), out);
	buf_release(&plain);
	return rc;
}
