#!/bin/bash
# Real packets: two network namespaces joined by a veth pair.  The helper
# and a port-25 listener run in one, clients in the other: a connection
# from a blocked address is refused, from another address accepted, and
# accepted again after del or expiry; IPv6 alike; other ports untouched.
# Backend from FWH_BACKEND (default iptables).
cd "$(dirname "$0")/.." || exit 1
. t/lib/fwh.sh
fwh_netns "$@"
command -v nsenter >/dev/null || skip_all "nsenter missing"
fwh_init
ip link set lo up

# namespace B: a process holding a fresh network namespace
unshare -n sleep 600 &
BPID=$!
FWH_BG_PIDS="$FWH_BG_PIDS $BPID"
sleep 0.1
inb() { nsenter -t "$BPID" -n "$@"; }
ip link add fwh0 type veth peer name fwh1 || skip_all "no veth support"
ip link set fwh1 netns "$BPID"
ip addr add 192.0.2.1/24 dev fwh0
ip addr add 2001:db8:1::1/64 dev fwh0 nodad
ip link set fwh0 up
inb ip link set lo up
inb ip addr add 192.0.2.2/24 dev fwh1
inb ip addr add 192.0.2.3/24 dev fwh1
inb ip addr add 2001:db8:1::2/64 dev fwh1 nodad
inb ip addr add 2001:db8:1::3/64 dev fwh1 nodad
inb ip link set fwh1 up

fwh_bg perl t/lib/fwh-tcp.pl listen 25 2525 > "$FWH_DIR/listener"
fwh_wait 3 grep -q listening "$FWH_DIR/listener" || { echo "Bail out! listener"; exit 1; }
conn() { inb perl t/lib/fwh-tcp.pl connect "$1" "$2" "${3:-25}"; }

fwh_conf "ttl: 1h"
fwh_start; ok $? "helper starts ($FWH_BACKEND)"

[ "$(conn 192.0.2.2 192.0.2.1)" = accepted ]; ok $? "before: 192.0.2.2 -> :25 accepted"
fwh add 192.0.2.2 reason=packet test >/dev/null
out=$(conn 192.0.2.2 192.0.2.1); [ "$out" = refused ]; ok $? "blocked 192.0.2.2 -> :25 refused ($out)"
[ "$(conn 192.0.2.3 192.0.2.1)" = accepted ]; ok $? "unblocked 192.0.2.3 -> :25 accepted"
[ "$(conn 192.0.2.2 192.0.2.1 2525)" = accepted ]; ok $? "blocked address, other port: accepted"
fwh del 192.0.2.2 >/dev/null
[ "$(conn 192.0.2.2 192.0.2.1)" = accepted ]; ok $? "after del: accepted again"

fwh add 2001:db8:1::2 >/dev/null
out=$(conn 2001:db8:1::2 2001:db8:1::1); [ "$out" = refused ]; ok $? "IPv6 blocked -> refused ($out)"
[ "$(conn 2001:db8:1::3 2001:db8:1::1)" = accepted ]; ok $? "IPv6 unblocked -> accepted"

fwh add 192.0.2.3 ttl=3 >/dev/null
fwh add 2001:db8:1::3 ttl=3 >/dev/null
[ "$(conn 192.0.2.3 192.0.2.1)" = refused ]; ok $? "ttl=3 block refuses"
fwh_wait 8 fwh_kernel_lacks 192.0.2.3; ok $? "expired"
[ "$(conn 192.0.2.3 192.0.2.1)" = accepted ]; ok $? "after expiry: accepted again"
fwh_wait 8 fwh_kernel_lacks 2001:db8:1::3
[ "$(conn 2001:db8:1::3 2001:db8:1::1)" = accepted ]; ok $? "IPv6 after expiry: accepted again"

if [ "$FWH_BACKEND" = iptables ]; then
	fwh_stop
	fwh_conf "ttl: 1h" "reject_with: tcp-reset"
	fwh_start
	out=$(conn 2001:db8:1::2 2001:db8:1::1); [ "$out" = refused ]; ok $? "tcp-reset: IPv6 refused ($out)"
	fwh add 192.0.2.2 >/dev/null
	out=$(conn 192.0.2.2 192.0.2.1); [ "$out" = refused ]; ok $? "tcp-reset: refused ($out)"
fi
fwh_stop
ip link del fwh0 2>/dev/null
done_testing
