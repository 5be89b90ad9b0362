/*
 * fwguard.h - what must never be blocked: loopback, the host's own
 * addresses, the built-in ranges (fwconf_builtin_never) and never_block.
 *
 * The host's addresses come from getifaddrs() at fwguard_set() and at every
 * fwguard_refresh() (the helper calls it when the kernel reports a change,
 * periodically and on SIGHUP), so an address that appears later is
 * protected from then on.
 * fwguard_check() is pure apart from reading that list.
 */
#ifndef FWH_FWGUARD_H
#define FWH_FWGUARD_H

#include <stddef.h>
#include "common/addr.h"

struct fwh_config;

/* Replace the never_block list from cfg (built-ins + configured). */
void fwguard_set(const struct fwh_config *cfg);
/* Re-read the host's addresses; returns how many, -1 on error (logged). */
int  fwguard_refresh(void);
/* NULL when a may be blocked; else why not: "loopback", "unspecified",
 * "own_address" or "never_block", with the matching range in *range
 * (when range is not NULL; NULL for the other reasons). */
const char *fwguard_check(const struct addr *a, const struct cidr **range);
/* The host's addresses as last read; *n set to how many. */
const struct addr *fwguard_own(size_t *n);
/* For tests: pretend the host has exactly these addresses. */
void fwguard_set_own(const struct addr *own, size_t n);
void fwguard_free(void);

#endif
