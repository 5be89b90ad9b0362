/*
 * statsconf.h - the statistics keys of policyd.yaml (pure: a ydoc node in,
 * fields of struct config out, errors recorded as FILE:LINE:COL).
 *
 *   status_socket: /run/policyd/status.sock   # absolute path; none: no socket
 *   stats_interval: 1h                        # summary log line; 0: never
 *
 * Plugged into config.c's section table; stats_config_free() releases
 * what they allocate.
 */
#ifndef POLICYD_STATSCONF_H
#define POLICYD_STATSCONF_H

struct ydoc;
struct ynode;
struct config;

#define STATS_INTERVAL_DEFAULT_MS  (3600 * 1000LL)
#define STATS_INTERVAL_MAX_MS      (7 * 86400 * 1000LL)

int  status_socket_config_parse(struct ydoc *doc, const struct ynode *v,
    struct config *cfg);
int  stats_interval_config_parse(struct ydoc *doc, const struct ynode *v,
    struct config *cfg);
void stats_config_free(struct config *cfg);

#endif
