/*
 * config.h - policyd.yaml as one immutable, reference-counted struct config.
 *
 * config_load() parses and validates the whole file and returns a new
 * config with one reference, or NULL with every problem in *errs as
 * "FILE:LINE:COL: message" (sorted by position).  A loaded config is never
 * changed: on SIGHUP the server loads a new one and swaps it in whole; code
 * that keeps a config past the current callback (a policy job waiting for
 * DNS) takes a reference with config_ref() and drops it with config_unref().
 *
 * Sections owned by other modules plug in through the table in config.c:
 * each gives  int X_config_parse(struct ydoc *, const struct ynode *value,
 * struct config *)  (record errors with ydoc_error, return -1 on any) and,
 * when it allocates, a  void X_config_free(struct config *).  Defaults are
 * set in config_defaults() beside the option names below.
 */
#ifndef POLICYD_CONFIG_H
#define POLICYD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct ydoc;
struct ynode;

/* Defaults. */
#define CONFIG_DEFAULT_LISTEN          "inet:127.0.0.1:10040"
#define CONFIG_DEFAULT_ACTION          "DUNNO"
#define CONFIG_DEFAULT_IDLE_MS         (600 * 1000LL)  /* > Postfix's 300 s */
#define CONFIG_DEFAULT_DEADLINE_MS     (5 * 1000LL)    /* < Postfix's 100 s */
#define CONFIG_DEFAULT_DNS_TIMEOUT_MS  2000LL
#define CONFIG_DEFAULT_LOG_IDENT       "policyd"
#define CONFIG_DEFAULT_MAX_CONNS       20000LL

enum config_mode { CONFIG_MODE_ENFORCE, CONFIG_MODE_WARN, CONFIG_MODE_OFF };

/* What one answered request leaves in the log. */
enum config_log_requests { CONFIG_LOGREQ_ALL, CONFIG_LOGREQ_ACTED,
	CONFIG_LOGREQ_NONE };

struct listen_config {
	char    *spec;          /* inet:HOST:PORT, inet:[V6]:PORT, unix:PATH */
	unsigned mode;          /* unix: file mode; default 0660 */
	uid_t    uid;           /* (uid_t)-1: leave */
	gid_t    gid;           /* (gid_t)-1: leave */
};

/* dns: struct dns_config and its parser live in policyd/dnsconf.h;
 * a zero-filled struct is the default (no section). */
#include "policyd/dnsconf.h"

/* firewall: struct fwconfig and its parser live in policyd/fwconfig.h;
 * fwconfig_init() gives the defaults (disabled). */
#include "policyd/fwconfig.h"

struct log_config {
	char *ident;            /* syslog ident, default "policyd" */
	bool  verbose;          /* debug lines */
	enum config_log_requests requests;      /* default all */
};

struct config {
	int    refs;
	char  *file;                    /* path it was loaded from */

	struct listen_config *listen;   /* at least one (default above) */
	size_t nlisten;
	enum config_mode mode;          /* default enforce */
	char  *default_action;          /* default DUNNO; checked */
	long long idle_timeout_ms;      /* close connections idle this long */
	long long deadline_ms;          /* every request answered by then */
	long long max_connections;      /* refuse (close) past this many */
	char  *exceptions;              /* path or NULL (classify_config loads it) */
	struct dns_config dns;
	struct fwconfig firewall;
	struct log_config log;
	long long debug_delay_ms;       /* tests: hold every answer this long */

	/* statistics (statsconf.c). */
	char  *status_socket;           /* NULL: no status socket */
	long long stats_interval_ms;    /* summary log line; 0: never */

	/* classifier, actions, exceptions data - opaque, owned here. */
	struct classify_config *classify;
};

struct config_errs {
	char  **v;              /* "FILE:LINE:COL: message" */
	size_t  n;
};

struct config *config_load(const char *path, struct config_errs *errs);
/* A config is immutable but for its count: ref takes const for callers
 * that were handed one (policy_start). */
struct config *config_ref(const struct config *cfg);
void config_unref(struct config *cfg);           /* NULL ok; frees at 0 */

void config_errs_print(const struct config_errs *errs, FILE *fp);
void config_errs_log(const struct config_errs *errs);
void config_errs_free(struct config_errs *errs);

const char *config_mode_name(enum config_mode m);

#endif
