#!/bin/bash
# A kernel without legacy x_tables: the helper must say so clearly and exit
# 78, not run half-blind.  Simulated in a private network namespace with a
# preloaded getsockopt() that answers the IPT_SO_GET_INFO / IP6T_SO_GET_INFO
# requests as such a kernel does (ENOPROTOOPT).  Also: IPv6 missing alone
# (EAFNOSUPPORT on AF_INET6 sockets) disables IPv6 blocking with a warning
# and IPv4 still works; an IPv6 add then never evicts an IPv4 block from a
# full table.  iptables backend only.
cd "$(dirname "$0")/.." || exit 1
. t/lib/fwh.sh
[ "$FWH_BACKEND" = iptables ] || skip_all "iptables backend only"
fwh_netns "$@"
command -v cc >/dev/null || skip_all "no C compiler for the shim"
fwh_init
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

cat > "$FWH_DIR/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <netinet/in.h>
int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	const char *mode = getenv("SHIM_MODE");
	if (mode && mode[0] == 'x' && (level == IPPROTO_IP || level == IPPROTO_IPV6) &&
	    name == 64) {           /* IPT_SO_GET_INFO == IP6T_SO_GET_INFO */
		errno = ENOPROTOOPT;
		return -1;
	}
	return (int)syscall(SYS_getsockopt, fd, level, name, val, len);
}
C
cc -shared -fPIC -o "$FWH_DIR/shim.so" "$FWH_DIR/shim.c" || skip_all "cannot build the shim"

fwh_conf
SHIM_MODE=x LD_PRELOAD=$FWH_DIR/shim.so "$FWH_BIN" -c "$FWH_CONF" -f > "$FWH_DIR/out" 2>&1; rc=$?
[ $rc = 78 ]; ok $? "no legacy x_tables: exit 78 ($rc)"
grep -q 'no legacy iptables filter table' "$FWH_DIR/out"; ok $? "and says so"
grep -q 'nftset' "$FWH_DIR/out"; ok $? "naming the alternative"
sed 's/^/# /' "$FWH_DIR/out" | head -3

# IPv6 missing alone (ip6_tables absent): IP6T_SO_GET_INFO fails
cat > "$FWH_DIR/shim6.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <netinet/in.h>
int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	if (level == IPPROTO_IPV6 && name == 64) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return (int)syscall(SYS_getsockopt, fd, level, name, val, len);
}
C
cc -shared -fPIC -o "$FWH_DIR/shim6.so" "$FWH_DIR/shim6.c"
LD_PRELOAD=$FWH_DIR/shim6.so "$FWH_BIN" -c "$FWH_CONF" -f >> "$FWH_DIR/log" 2>&1 &
FWH_PID=$!
fwh_wait 5 sh -c "'$FWH_BIN' -c '$FWH_CONF' status >/dev/null 2>&1"; ok $? "IPv6 missing alone: starts"
grep -q 'IPv6 is not available' "$FWH_DIR/log"; ok $? "with a warning"
out=$(fwh add 2001:db8::5 2>&1); [[ $out == "ERR backend cannot block 2001:db8::5"* ]]; ok $? "IPv6 add refused: $out"
fwh add 192.0.2.5 >/dev/null && fwh_kernel_has 192.0.2.5; ok $? "IPv4 works"
fwh_stop

# A full table (when_full: evict): an IPv6 add the backend cannot take
# evicts nothing.
fwh_conf "max_entries: 2" "when_full: evict"
: > "$FWH_DIR/journal"
LD_PRELOAD=$FWH_DIR/shim6.so "$FWH_BIN" -c "$FWH_CONF" -f >> "$FWH_DIR/log" 2>&1 &
FWH_PID=$!
fwh_wait 5 sh -c "'$FWH_BIN' -c '$FWH_CONF' status >/dev/null 2>&1"
fwh add 192.0.2.6 >/dev/null && fwh add 192.0.2.7 >/dev/null
out=$(fwh add 2001:db8::6 2>&1); [[ $out == "ERR backend cannot block 2001:db8::6"* ]]; ok $? "full table, IPv6 add refused: $out"
fwh_kernel_has 192.0.2.6 && fwh_kernel_has 192.0.2.7 &&
    [ "$("$FWH_BIN" -c "$FWH_CONF" list | grep -c ' until=')" = 2 ]
ok $? "and both IPv4 blocks stay, in the kernel and the table"
fwh_stop        # its log lines written
! grep -q 'action=evict' "$FWH_DIR/log"; ok $? "nothing evicted"
done_testing
