/*
 * sock.c - listeners from "inet:HOST:PORT" / "unix:PATH" specs, peer
 * credentials, systemd socket activation and readiness (see sock.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/log.h"
#include "common/num.h"
#include "common/sock.h"

/* Split "inet:HOST:PORT" into host and port; "[v6]" brackets removed. */
static int
sock_split_inet(const char *rest, char *host, size_t hostsz, char *port,
    size_t portsz, const char **errstr)
{
	const char *colon;
	size_t hl;
	long long pn;
	const char *e;

	if (rest[0] == '[') {
		const char *close = strchr(rest, ']');
		if (close == NULL || close[1] != ':') {
			*errstr = "expected inet:[IPv6]:PORT";
			return -1;
		}
		hl = close - rest - 1;
		if (hl >= hostsz) {
			*errstr = "host too long";
			return -1;
		}
		memcpy(host, rest + 1, hl);
		host[hl] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(rest, ':');
		if (colon == NULL) {
			*errstr = "expected inet:HOST:PORT";
			return -1;
		}
		hl = colon - rest;
		if (hl == 0 || hl >= hostsz) {
			*errstr = "expected inet:HOST:PORT";
			return -1;
		}
		memcpy(host, rest, hl);
		host[hl] = '\0';
		if (strchr(host, ':')) {
			*errstr = "IPv6 addresses must be in brackets: inet:[::1]:PORT";
			return -1;
		}
	}
	/* an address, by inet_pton: no names to resolve at start, and none
	 * that -n accepts but bind() refuses */
	struct addr a;
	if (strchr(host, '%') != NULL) {
		*errstr = "scoped IPv6 addresses (%zone) are not supported";
		return -1;
	}
	if (addr_parse(&a, host) < 0) {
		*errstr = "HOST must be an IPv4 address, or IPv6 in brackets";
		return -1;
	}
	if (a.family == AF_INET && rest[0] == '[') {
		*errstr = strchr(host, ':') != NULL ? "an IPv4-mapped address "
		    "does not bind: write the IPv4 address, inet:A.B.C.D:PORT" :
		    "brackets are for IPv6 addresses: inet:A.B.C.D:PORT";
		return -1;
	}
	if (num_parse(colon + 1, 1, 65535, &pn, &e) < 0) {
		*errstr = "port must be 1..65535";
		return -1;
	}
	snprintf(port, portsz, "%lld", pn);
	return 0;
}

int
sock_spec_check(const char *spec, const char **errstr)
{
	char host[256], port[8];

	if (strncmp(spec, "inet:", 5) == 0)
		return sock_split_inet(spec + 5, host, sizeof(host), port,
		    sizeof(port), errstr);
	if (strncmp(spec, "unix:", 5) == 0) {
		if (spec[5] != '/') {
			*errstr = "unix socket path must be absolute";
			return -1;
		}
		if (strlen(spec + 5) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			*errstr = "unix socket path too long";
			return -1;
		}
		return 0;
	}
	*errstr = "expected inet:HOST:PORT or unix:PATH";
	return -1;
}

static int
sock_listen_inet(const char *spec, const struct sock_opts *o)
{
	char host[256], port[8];
	struct addrinfo hints, *res, *ai;
	const char *errstr;
	int fd = -1, one = 1, r;

	if (sock_split_inet(spec + 5, host, sizeof(host), port, sizeof(port),
	    &errstr) < 0) {
		log_warnx("%s: %s", spec, errstr);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_warnx("%s: %s", spec, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, o && o->backlog ? o->backlog : SOMAXCONN) == 0)
			break;
		log_warn("%s: bind/listen", spec);
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Is somebody accepting on this unix socket path? */
static int
sock_unix_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), alive;

	if (fd < 0)
		return 1;               /* be safe: do not remove */
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    errno != ECONNREFUSED;
	close(fd);
	return alive;
}

static int
sock_listen_unix(const char *spec, const struct sock_opts *o)
{
	struct sockaddr_un sun;
	const char *path = spec + 5, *errstr;
	struct stat st;
	int fd;
	mode_t old;

	if (sock_spec_check(spec, &errstr) < 0) {
		log_warnx("%s: %s", spec, errstr);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s: exists and is not a socket", spec);
			return -1;
		}
		if (sock_unix_alive(&sun)) {
			log_warnx("%s: another process is listening on it", spec);
			return -1;
		}
		if (unlink(path) < 0 && errno != ENOENT) {
			log_warn("%s: unlink stale socket", spec);
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("%s: socket", spec);
		return -1;
	}
	/* Created with its mode (the umask set for bind()), then given to
	 * its owner with lchown(): nothing follows the path, which whoever
	 * may write in its directory (the daemon's user, when started as root)
	 * could have turned into a link to any file by then.  Nobody can
	 * connect before listen(). */
	old = umask(~(o && o->mode ? o->mode : 0660) & 0777);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		log_warn("%s: bind", spec);
		close(fd);
		return -1;
	}
	umask(old);
	if (o && (o->uid != (uid_t)-1 || o->gid != (gid_t)-1) &&
	    lchown(path, o->uid, o->gid) < 0) {
		log_warn("%s: chown", spec);
		goto fail;
	}
	if (listen(fd, o && o->backlog ? o->backlog : SOMAXCONN) < 0) {
		log_warn("%s: listen", spec);
		goto fail;
	}
	return fd;
fail:
	unlink(path);
	close(fd);
	return -1;
}

int
sock_listen_spec(const char *spec, const struct sock_opts *o)
{
	const char *errstr;

	if (strncmp(spec, "inet:", 5) == 0)
		return sock_listen_inet(spec, o);
	if (strncmp(spec, "unix:", 5) == 0)
		return sock_listen_unix(spec, o);
	if (sock_spec_check(spec, &errstr) < 0)
		log_warnx("%s: %s", spec, errstr);
	return -1;
}

int
sock_connect_unix(const char *path, bool nonblock)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
	    errno != EINPROGRESS && errno != EAGAIN) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
sock_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

int
sock_peercred(int fd, pid_t *pid, uid_t *uid, gid_t *gid)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return -1;
	if (pid)
		*pid = uc.pid;
	if (uid)
		*uid = uc.uid;
	if (gid)
		*gid = uc.gid;
	return 0;
}

void
sock_peer_name(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct addr a;
	char as[ADDR_STRLEN];
	pid_t pid;
	uid_t uid;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0) {
		snprintf(buf, size, "fd%d", fd);
		return;
	}
	if (ss.ss_family == AF_UNIX) {
		if (sock_peercred(fd, &pid, &uid, NULL) == 0)
			snprintf(buf, size, "unix:pid=%ld,uid=%ld", (long)pid,
			    (long)uid);
		else
			snprintf(buf, size, "unix");
		return;
	}
	if (addr_from_sockaddr(&a, (struct sockaddr *)&ss) < 0) {
		snprintf(buf, size, "fd%d", fd);
		return;
	}
	addr_format(&a, as, sizeof(as));
	snprintf(buf, size, a.family == AF_INET6 ? "[%s]:%u" : "%s:%u", as,
	    ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port));
}

int
sock_systemd_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS"), *e;
	long long p, n, i;

	if (pid == NULL || fds == NULL)
		return 0;
	if (num_parse(pid, 1, 1LL << 31, &p, &e) < 0 || p != getpid() ||
	    num_parse(fds, 0, 1024, &n, &e) < 0)
		return 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	for (i = 0; i < n; i++) {
		fcntl(3 + (int)i, F_SETFD, FD_CLOEXEC);
		sock_set_nonblock(3 + (int)i);
	}
	return (int)n;
}

void
sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	len = strlen(path);
	if (len >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		log_warn("sd_notify %s", state);
	close(fd);
}
