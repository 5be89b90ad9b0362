/*
 * classify_config.h - the classifier's part of policyd.yaml: vocabulary,
 * exceptions list, actions per class and the verdict cache, loaded with the
 * configuration (so -n checks them and a bad file on SIGHUP keeps the old
 * configuration whole).
 *
 *     tokens: tokens.yaml          # vocabulary file (tokens.h); default:
 *                                  # built-in words, no provider domains
 *     exceptions: exceptions.yaml  # exceptions.h; default: none
 *     classes: { dynamic: "REJECT ...", static: ..., generic: DUNNO }
 *     cache: { size: 10000, ttl: 10m }   # size 0 turns caching off
 *
 * Relative file names are taken from the directory of policyd.yaml.
 * Errors in the tokens and exceptions files are reported with their own
 * FILE:LINE:COL among the configuration's errors.
 *
 * The parsers plug into config.c's section table; classify_config_of()
 * returns the config's part, or a built-in default (built-in words, no
 * exceptions, default actions and cache) when policyd.yaml has none of
 * these keys.  Ownership: the struct config owns it (classify_config_free
 * is in config.c's frees[]).
 */
#ifndef POLICYD_CLASSIFY_CONFIG_H
#define POLICYD_CLASSIFY_CONFIG_H

#include <stddef.h>

#include "policyd/actions.h"

struct config;
struct ydoc;
struct ynode;
struct tokens;
struct exceptions;

struct classify_config {
	struct tokens     *tokens;
	char              *tokens_path;         /* resolved, or NULL */
	struct exceptions *exceptions;          /* never NULL */
	char              *exceptions_path;     /* resolved, or NULL */
	struct actions     actions;
	long long          cache_size;
	long long          cache_ttl_ms;
};

int classify_config_parse_tokens(struct ydoc *doc, const struct ynode *v,
    struct config *cfg);
int classify_config_parse_exceptions(struct ydoc *doc, const struct ynode *v,
    struct config *cfg);
int classify_config_parse_classes(struct ydoc *doc, const struct ynode *v,
    struct config *cfg);
int classify_config_parse_cache(struct ydoc *doc, const struct ynode *v,
    struct config *cfg);
void classify_config_free(struct config *cfg);

const struct classify_config *classify_config_of(const struct config *cfg);

#endif
