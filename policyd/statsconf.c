/*
 * statsconf.c - parse status_socket: and stats_interval: (see statsconf.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "common/xmalloc.h"
#include "common/yconf.h"
#include "policyd/config.h"
#include "policyd/statsconf.h"

int status_socket_config_parse(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	const char *s;
	struct sockaddr_un sun;

	if (ynode_is_null(v))
		return 0;
	if (ynode_str(doc, v, &s) < 0)
		return -1;
	if (s[0] != '/') {
		ydoc_error(doc, v, "status_socket: path must be absolute");
		return -1;
	}
	if (strlen(s) >= sizeof(sun.sun_path)) {
		ydoc_error(doc, v, "status_socket: path longer than %zu bytes",
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	free(cfg->status_socket);
	cfg->status_socket = xstrdup(s);
	return 0;
}

int stats_interval_config_parse(struct ydoc *doc, const struct ynode *v,
    struct config *cfg)
{
	return ynode_duration(doc, v, 1000, 0, STATS_INTERVAL_MAX_MS,
	    &cfg->stats_interval_ms);
}

void stats_config_free(struct config *cfg)
{
	free(cfg->status_socket);
	cfg->status_socket = NULL;
}
