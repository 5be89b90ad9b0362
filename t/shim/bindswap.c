/*
 * bindswap.c - an LD_PRELOAD shim for t/47: right after bind() has made
 * the unix socket $BINDSWAP_PATH, the file $BINDSWAP_LINK (a symlink) is
 * renamed over it, as a process of the daemon's user racing it would do.
 * Built by the test itself (cc -shared), not by the GNUmakefile.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	static int (*real)(int, const struct sockaddr *, socklen_t);
	const char *path = getenv("BINDSWAP_PATH");
	const char *link = getenv("BINDSWAP_LINK");
	int rc;

	if (real == NULL)
		real = (int (*)(int, const struct sockaddr *, socklen_t))
		    dlsym(RTLD_NEXT, "bind");
	rc = real(fd, sa, len);
	if (rc == 0 && path != NULL && link != NULL &&
	    sa->sa_family == AF_UNIX && strcmp(((const struct sockaddr_un *)
	    (const void *)sa)->sun_path, path) == 0)
		(void)rename(link, path);
	return rc;
}
