/*
 * fwctl.c - see fwctl.h.  Blocking I/O with a 30 s receive timeout: this
 * is a command-line tool, not part of the daemon.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "common/fwproto.h"
#include "common/sock.h"
#include "common/xmalloc.h"
#include "firewall-helper/fwconf.h"
#include "firewall-helper/fwctl.h"

#define EX_USAGE        64
#define EX_UNAVAILABLE  69

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Is the last complete line in buf[0..len) a final OK/ERR line? */
static const char *final_line(const char *buf, size_t len)
{
	const char *p;

	if (len == 0 || buf[len - 1] != '\n')
		return NULL;
	for (p = buf + len - 1; p > buf && p[-1] != '\n'; p--)
		;
	if (strncmp(p, "OK", 2) == 0 || strncmp(p, "ERR", 3) == 0)
		return p;
	return NULL;
}

static int converse(const char *path, const char *line)
{
	struct timeval tv = { 30, 0 };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	const char *fin = NULL;
	int fd;

	if ((fd = sock_connect_unix(path, false)) == -1) {
		fprintf(stderr, "firewall-helper: connect %s: %s\n", path,
		    strerror(errno));
		return EX_UNAVAILABLE;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write_all(fd, line, strlen(line)) == -1) {
		fprintf(stderr, "firewall-helper: write %s: %s\n", path, strerror(errno));
		close(fd);
		return EX_UNAVAILABLE;
	}
	for (;;) {
		ssize_t r;
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = xreallocarray(buf, cap, 1);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if ((fin = final_line(buf, len)) != NULL)
			break;
	}
	close(fd);
	if (fin == NULL) {
		fprintf(stderr, "firewall-helper: %s: no answer (%s)\n", path,
		    len ? "incomplete" : "connection closed");
		free(buf);
		return EX_UNAVAILABLE;
	}
	fwrite(buf, 1, (size_t)(fin - buf), stdout);
	if (strncmp(fin, "ERR", 3) == 0) {
		fwrite(fin, 1, len - (size_t)(fin - buf), stderr);
		free(buf);
		return 1;
	}
	if (strcmp(line, "status\n") != 0 && strncmp(line, "stats", 5) != 0)
		fwrite(fin, 1, len - (size_t)(fin - buf), stdout);
	free(buf);
	return 0;
}

int fwctl_run(const struct fwh_config *cfg, int argc, char **argv)
{
	const char *cmd = argv[0];
	struct fwproto_cmd pc;
	const char *err;
	char line[FWPROTO_LINE_MAX + 2];
	size_t n = 0;

	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "stats") == 0 ||
	    strcmp(cmd, "list") == 0) {
		bool prom = argc == 2 && strcmp(cmd, "stats") == 0 &&
		    strcmp(argv[1], "prometheus") == 0;

		if (argc != 1 && !prom) {
			fprintf(stderr, "firewall-helper: %s takes no arguments\n", cmd);
			return EX_USAGE;
		}
		snprintf(line, sizeof(line), "%s%s\n", cmd, prom ? " prometheus" : "");
		return converse(cfg->status.path, line);
	}
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "del") != 0) {
		fprintf(stderr, "firewall-helper: unknown command %s\n", cmd);
		return EX_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);
		if (n + l + 2 > FWPROTO_LINE_MAX) {
			fprintf(stderr, "firewall-helper: command too long\n");
			return EX_USAGE;
		}
		if (i > 0)
			line[n++] = ' ';
		memcpy(line + n, argv[i], l);
		n += l;
	}
	if (fwproto_parse(line, n, &pc, &err) == -1) {
		fprintf(stderr, "firewall-helper: %s\n", err);
		return EX_USAGE;
	}
	line[n++] = '\n';
	line[n] = '\0';
	return converse(cfg->cmd.path, line);
}
