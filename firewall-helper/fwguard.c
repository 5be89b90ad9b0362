/*
 * fwguard.c - see fwguard.h.  Lists are small (a host has few addresses and
 * an operator few never_block ranges), so a linear scan is the right tool.
 */
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "firewall-helper/fwconf.h"
#include "firewall-helper/fwguard.h"

static struct cidr *never;
static size_t nnever;
static struct addr *own;
static size_t nown;

void fwguard_set(const struct fwh_config *cfg)
{
	struct cidr c;

	free(never);
	never = NULL;
	nnever = 0;
	for (int i = 0; fwconf_builtin_never[i]; i++) {
		if (cidr_parse(&c, fwconf_builtin_never[i], NULL) == -1)
			fatalx("fwguard: built-in range %s", fwconf_builtin_never[i]);
		never = xreallocarray(never, nnever + 1, sizeof(*never));
		never[nnever++] = c;
	}
	if (cfg == NULL)
		return;
	never = xreallocarray(never, nnever + cfg->nnever + 1, sizeof(*never));
	for (size_t i = 0; i < cfg->nnever; i++)
		never[nnever++] = cfg->never[i];
}

void fwguard_set_own(const struct addr *list, size_t n)
{
	free(own);
	own = xcalloc(n ? n : 1, sizeof(*own));
	memcpy(own, list, n * sizeof(*own));
	nown = n;
}

int fwguard_refresh(void)
{
	struct ifaddrs *ifa, *p;
	struct addr *list = NULL;
	size_t n = 0;

	if (getifaddrs(&ifa) == -1) {
		log_warn("fwguard: getifaddrs");
		return -1;
	}
	for (p = ifa; p; p = p->ifa_next) {
		struct addr a;
		if (p->ifa_addr == NULL || addr_from_sockaddr(&a, p->ifa_addr) == -1)
			continue;
		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n++] = a;
	}
	freeifaddrs(ifa);
	if (n != nown)
		log_debug("fwguard: host has %zu addresses", n);
	free(own);
	own = list;
	nown = n;
	return (int)n;
}

const struct addr *fwguard_own(size_t *n)
{
	*n = nown;
	return own;
}

const char *fwguard_check(const struct addr *a, const struct cidr **range)
{
	if (range)
		*range = NULL;
	if (addr_is_loopback(a))
		return "loopback";
	if (addr_is_unspecified(a))
		return "unspecified";
	for (size_t i = 0; i < nown; i++)
		if (addr_equal(a, &own[i]))
			return "own_address";
	for (size_t i = 0; i < nnever; i++)
		if (cidr_contains(&never[i], a)) {
			if (range)
				*range = &never[i];
			return "never_block";
		}
	return NULL;
}

void fwguard_free(void)
{
	free(never);
	free(own);
	never = NULL;
	own = NULL;
	nnever = nown = 0;
}
