/*
 * caps.h - run with CAP_NET_ADMIN and nothing else.
 *
 * caps_drop() is called once, after the sockets and the backend's files
 * are open and before any peer is served:
 *   - started as root: with libcap-ng clear every capability, keep
 *     CAP_NET_ADMIN (effective and permitted) when the backend needs it,
 *     change to the configured user and its group (supplementary groups
 *     dropped), clear the bounding set and the ambient set;
 *     without `user:` it stays uid 0 with the same reduced sets;
 *   - started as another user (systemd: User= with
 *     AmbientCapabilities=CAP_NET_ADMIN): check that CAP_NET_ADMIN is
 *     effective (else exit 77) and drop every other capability;
 *   - in all cases PR_SET_NO_NEW_PRIVS, so nothing we could exec gains more.
 * Fatal on any failure: a helper that cannot shed privileges must not run.
 * The resulting sets are logged.
 */
#ifndef FWH_CAPS_H
#define FWH_CAPS_H

#include <stdbool.h>

struct fwh_config;

void caps_drop(const struct fwh_config *cfg, bool net_admin);

#endif
