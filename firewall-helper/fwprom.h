/*
 * fwprom.h - the helper's `stats prometheus`: its counters in the
 * Prometheus text exposition format.
 *
 * fwprom_format() is pure: it reads the plain report of fwcore_stats()
 * ("name: value" or "name value" lines) and appends one sample per line as
 * firewall_helper_NAME (gauges: the names in fwprom_gauges[]) or
 * firewall_helper_NAME_total (every other name: a counter), each with its
 * # TYPE line.  A line that is not a name and a number is skipped, so a
 * counter added to fwcore_stats() shows up here without a change.
 * Returns 0, or -1 when out reached its limit.
 *
 * fwprom_stats() formats the helper's live counters (fwcore_stats()).
 */
#ifndef FWH_FWPROM_H
#define FWH_FWPROM_H

#include <stddef.h>

struct buf;

extern const char *const fwprom_gauges[];

int fwprom_format(const char *plain, size_t len, struct buf *out);
int fwprom_stats(struct buf *out);

#endif
