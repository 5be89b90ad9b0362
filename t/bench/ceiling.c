/*
 * ceiling.c - the protocol ceiling for `make bench`: policyd's own server,
 * connection and parser code with a policy that answers DUNNO at once and
 * logs nothing.  What policyd reaches against it is the price of deciding
 * and logging.
 *
 *   ceiling -c FILE      the listen: entries of a policyd.yaml (the rest is
 *                        read and checked too, but only listen: is used)
 */
#include <ev.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "common/log.h"
#include "policyd/config.h"
#include "policyd/policy.h"
#include "policyd/server.h"

static struct policy_job *ceiling_start(struct ev_loop *loop,
    const struct config *cfg, const struct policy_req *req,
    policy_done_fn *done, void *arg)
{
	static const struct policy_result dunno = { .action = "DUNNO" };

	done(arg, &dunno);
	return NULL;
}

static void ceiling_cancel(struct policy_job *job)
{
}

static const struct server_ops ceiling_ops = {
	ceiling_start, ceiling_cancel, NULL
};

int main(int argc, char **argv)
{
	struct config_errs errs = { NULL, 0 };
	struct config *cfg;
	struct server *srv;
	struct ev_loop *loop;
	int rc;

	if (argc != 3 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: ceiling -c FILE\n");
		return EX_USAGE;
	}
	log_init("ceiling", 1, 0);
	if ((cfg = config_load(argv[2], &errs)) == NULL) {
		config_errs_print(&errs, stderr);
		config_errs_free(&errs);
		return EX_CONFIG;
	}
	cfg->log.requests = CONFIG_LOGREQ_NONE;         /* ours, not shared yet */
	loop = ev_default_loop(EVFLAG_AUTO);
	srv = server_new(loop, cfg, &ceiling_ops);
	if (server_listen(srv) < 0)
		return EX_OSERR;
	log_info("started");
	rc = server_run(srv);
	server_free(srv);
	ev_loop_destroy(loop);
	return rc;
}
