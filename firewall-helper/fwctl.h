/*
 * fwctl.h - the operator's client: `firewall-helper -c FILE status|stats|
 * list|add IP [ttl=N] [reason=TEXT]|del IP`.
 *
 * status, stats and list go to the status socket, add and del to the
 * command socket (the caller must be allowed there: root is).  The answer
 * is printed to stdout; an ERR answer goes to stderr.  Returns the exit
 * code: 0 OK, 1 ERR, 69 (EX_UNAVAILABLE) when the helper cannot be
 * reached, 64 (EX_USAGE) for a bad command line.
 */
#ifndef FWH_FWCTL_H
#define FWH_FWCTL_H

struct fwh_config;

int fwctl_run(const struct fwh_config *cfg, int argc, char **argv);

#endif
