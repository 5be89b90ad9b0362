#!/bin/bash
# firewall-helper against a real kernel firewall, in a private network
# namespace: add, del, refresh, expiry, IPv6, batching (many adds, one
# commit), the scaffolding (chain, jump limited to SYN to port 25).
# Backend from FWH_BACKEND (default iptables).
cd "$(dirname "$0")/.." || exit 1
. t/lib/fwh.sh
fwh_netns "$@"
fwh_init
ip link set lo up

fwh_conf "ttl: 1h" "batch_window: 300ms"
fwh_start; ok $? "helper starts ($FWH_BACKEND)"

if [ "$FWH_BACKEND" = iptables ]; then
	jump=$(iptables-legacy -S INPUT | grep -- '-j POLICYD')
	[ "$jump" = "-A INPUT -p tcp -m tcp --dport 25 --tcp-flags FIN,SYN,RST,ACK SYN -j POLICYD" ]
	ok $? "one jump from INPUT: TCP SYN to port 25"
	[ "$(ip6tables-legacy -S INPUT | grep -c -- '-j POLICYD')" = 1 ]; ok $? "IPv6 jump too"
fi

fwh add 192.0.2.7 reason=test >/dev/null
fwh_kernel_has 192.0.2.7; ok $? "add: in the kernel when OK comes back"
fwh add 2001:db8::7 >/dev/null
fwh_kernel_has 2001:db8::7; ok $? "IPv6 add"
fwh add 192.0.2.7 reason=again >/dev/null
fwh_kernel_count_is 2; ok $? "re-add makes no second rule"
fwh del 192.0.2.7 >/dev/null
fwh_kernel_lacks 192.0.2.7; ok $? "del: gone from the kernel"
fwh_kernel_has 2001:db8::7; ok $? "the other stays"
fwh del 2001:db8::7 >/dev/null
fwh_kernel_count_is 0; ok $? "empty after both deleted"

fwh add 192.0.2.20 ttl=3 >/dev/null
fwh add 2001:db8::20 ttl=3 >/dev/null
fwh_kernel_has 192.0.2.20 && fwh_kernel_has 2001:db8::20; ok $? "ttl=3 blocks are in (3 s: checked before they go, even on a loaded machine)"
fwh_wait 8 fwh_kernel_count_is 0; ok $? "and expire out of the kernel"

# batching: 1000 adds sent at once land in one commit
c0=$(fwh_stat batches)
bc0=$(fwh_stat backend_commits)
fwh_addrs 1000 | sed 's/^/add /' | fwh_send > "$FWH_DIR/replies"
[ "$(grep -c '^OK added' "$FWH_DIR/replies")" = 1000 ]; ok $? "1000 adds answered OK"
fwh_kernel_count_is 1000; ok $? "1000 rules in the kernel once the replies are in"
c1=$(fwh_stat batches)
[ $((c1 - c0)) -le 2 ]; ok $? "committed in $((c1 - c0)) batch(es) (<= 2)"
if [ "$FWH_BACKEND" = iptables ]; then
	[ "$(iptables-legacy -S POLICYD | grep -c -- '-s 198\.18\.')" = 1000 ]; ok $? "iptables-legacy sees 1000 rules"
	bc1=$(fwh_stat backend_commits)
	[ $((bc1 - bc0)) -le 2 ]; ok $? "at most two libiptc commits for the 1000 ($((bc1 - bc0))): the first add goes out at once, the rest together"
fi
fwh_addrs 500 | sed 's/^/del /' | fwh_send > /dev/null
fwh_kernel_count_is 500; ok $? "500 deleted in a batch"
fwh_kernel_lacks 198.18.0.1 && fwh_kernel_has 198.18.3.231; ok $? "the right ones"

if [ "$FWH_BACKEND" = iptables ]; then
	# options: tcp-reset, log, interface, ports
	fwh_stop
	fwh_conf "reject_with: tcp-reset" "log: true" "log_prefix: 'fwh-test: '" \
		"interface: veth+" "ports: [ 25, 587, '2500:2600' ]"
	fwh_start
	out=$(iptables-legacy -S INPUT | grep -- '-j POLICYD')
	[ "$out" = "-A INPUT -i veth+ -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports 25,587,2500:2600 -j POLICYD" ]
	ok $? "jump rewritten for new ports and interface: $out"
	iptables-legacy -S POLICYD | grep -q -- '-s 198.18.3.231/32 -p tcp -m limit --limit 6/min --limit-burst 3 -j LOG --log-prefix "fwh-test: "'
	ok $? "LOG rule with prefix, rate-limited"
	iptables-legacy -S POLICYD | grep -q -- '-s 198.18.3.231/32 -p tcp -j REJECT --reject-with tcp-reset'
	ok $? "REJECT with tcp-reset"
	[ "$(iptables-legacy -S POLICYD | grep -c -- '-j LOG')" = 500 ]; ok $? "every address rewritten with LOG"
	ip6tables-legacy -S INPUT | grep -q -- '-i veth+ .*-j POLICYD'; ok $? "IPv6 jump with interface"
	fwh add 2001:db8::99 >/dev/null
	ip6tables-legacy -S POLICYD | grep -q -- '-s 2001:db8::99/128 -p tcp -j REJECT --reject-with tcp-reset'
	ok $? "IPv6 tcp-reset"
	fwh_stop
	fwh_conf "reject_with: drop" "interface: eth0"
	fwh_start
	iptables-legacy -S POLICYD | grep -q -- '-s 198.18.3.231/32 -p tcp -j DROP'; ok $? "DROP"
	[ "$(iptables-legacy -S POLICYD | grep -c -- '-j LOG')" = 0 ]; ok $? "LOG rules gone with log: false"
	[ "$(iptables-legacy -S INPUT | grep -c -- '-i eth0 -p tcp')" = 1 ]; ok $? "exact interface"
fi
fwh_stop
done_testing
