/*
 * fw_iptc_sock.c - libiptc without CAP_NET_RAW.
 *
 * libiptc's iptc_init()/ip6tc_init() open socket(AF_INET[6], SOCK_RAW,
 * IPPROTO_RAW) and use it only as a handle for the IPT_SO_* / IP6T_SO_*
 * get- and setsockopt calls; it never sends or receives a packet.  Creating
 * a raw socket needs CAP_NET_RAW, but the kernel routes those options from
 * any inet socket to netfilter (ip_setsockopt -> nf_setsockopt) and checks
 * only CAP_NET_ADMIN there.  So this file defines socket(): the executable's
 * definition interposes on the one libip4tc/libip6tc import from libc, and
 * while fw_iptc has armed it (only around its own *_init calls) a request
 * for exactly that raw socket gets an unbound UDP socket of the same family
 * instead.  Everything else - and every call when not armed - goes straight
 * to the socket system call, unchanged.  If the UDP socket cannot be made,
 * the original request is passed through.
 *
 * The helper therefore keeps CAP_NET_ADMIN alone; t/46-caps.t checks CapEff
 * and CapPrm of the running helper.
 */
#include <stdbool.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "firewall-helper/fw_iptc.h"

static bool armed;
static unsigned long substituted;

void iptc_sock_arm(bool on)
{
	armed = on;
}

unsigned long iptc_sock_substituted(void)
{
	return substituted;
}

int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (armed && (domain == AF_INET || domain == AF_INET6) &&
	    base == SOCK_RAW && protocol == IPPROTO_RAW) {
		long fd = syscall(SYS_socket, domain, SOCK_DGRAM | SOCK_CLOEXEC,
		    IPPROTO_UDP);
		if (fd >= 0) {
			substituted++;
			return (int)fd;
		}
	}
	return (int)syscall(SYS_socket, domain, type, protocol);
}
