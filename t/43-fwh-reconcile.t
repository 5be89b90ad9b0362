#!/bin/bash
# Reconcile and restart, in a private network namespace: the kernel's
# rules are repaired after someone flushes the chain, deletes the jump,
# deletes the whole chain or adds a foreign rule (on SIGHUP and by the
# periodic reconcile); after kill -9 and a wiped firewall (a reboot), a
# new start puts every block back from the journal.
# Backend from FWH_BACKEND (default iptables).
cd "$(dirname "$0")/.." || exit 1
. t/lib/fwh.sh
fwh_netns "$@"
fwh_init

fwh_conf "ttl: 1h" "reconcile_interval: 1s"
fwh_start; ok $? "helper starts ($FWH_BACKEND)"
{ fwh_addrs 100; echo 2001:db8::1; echo 2001:db8::2; } | sed 's/^/add /' | fwh_send >/dev/null
fwh_kernel_count_is 102; ok $? "102 blocks in"

fwh_kernel_wipe
fwh_kernel_count_is 0; ok $? "wiped by hand"
fwh_hup
fwh_wait 3 fwh_kernel_count_is 102; ok $? "SIGHUP: reconcile restores all 102"
fwh_kernel_wipe
fwh_wait 4 fwh_kernel_count_is 102; ok $? "periodic reconcile restores them too"
grep -q 'chain POLICYD lacked\|restored\|re-created\|rewritten' "$FWH_DIR/log"; ok $? "repair logged"

# The hook (iptables: the jump from INPUT; nftset: the rules of the table's
# input chain; ipset: the INPUT rules matching the sets) removed by hand:
# the reconcile puts it back and says so.
case $FWH_BACKEND in
iptables) repaired='jump from INPUT to POLICYD was missing' ;;
nftset)   repaired='nftset: table inet .* rewritten' ;;
ipset)    repaired='ipset: .* INPUT rules written' ;;
*)        repaired='^$' ;;
esac
n0=$(grep -c "$repaired" "$FWH_DIR/log")
if fwh_kernel_unhook; then
	if [ "$FWH_BACKEND" = iptables ]; then
		fwh_wait 4 sh -c '[ "$(iptables-legacy -S INPUT | grep -c -- "-j POLICYD")" = 1 ]'
	else    # fwh_kernel_has: the address in its set and the set's rule in place
		both_refused() { fwh_kernel_has 198.18.0.1 && fwh_kernel_has 2001:db8::1; }
		fwh_wait 4 both_refused
	fi
	ok $? "hook removed by hand: restored"
	[ "$(grep -c "$repaired" "$FWH_DIR/log")" -gt "$n0" ]
	ok $? "its repair logged"
fi

if [ "$FWH_BACKEND" = iptables ]; then
	iptables-legacy -I INPUT -p tcp --dport 25 -j POLICYD       # a second, different jump
	iptables-legacy -A POLICYD -s 203.0.113.66/32 -j ACCEPT     # a foreign rule
	iptables-legacy -D POLICYD -s 198.18.0.5/32 -p tcp -j REJECT --reject-with tcp-reset
	fwh_hup
	fwh_wait 3 sh -c '[ "$(iptables-legacy -S INPUT | grep -c -- "-j POLICYD")" = 1 ]'
	ok $? "extra jump removed, one left"
	iptables-legacy -S INPUT | grep -q -- '--tcp-flags FIN,SYN,RST,ACK SYN -j POLICYD'; ok $? "and it is ours"
	! iptables-legacy -S POLICYD | grep -q 203.0.113.66; ok $? "foreign rule removed"
	fwh_kernel_has 198.18.0.5; ok $? "deleted rule restored"
	fwh_kernel_count_is 102; ok $? "still exactly 102"
	iptables-legacy -D INPUT -p tcp -m tcp --dport 25 --tcp-flags FIN,SYN,RST,ACK SYN -j POLICYD
	iptables-legacy -F POLICYD
	iptables-legacy -X POLICYD
	fwh_wait 4 fwh_kernel_count_is 102; ok $? "chain deleted by hand: re-created with every rule"
	grep -q 'chain POLICYD was missing, re-created' "$FWH_DIR/log"; ok $? "re-creation logged"
	[ "$(fwh_stat backend_repairs)" -ge 3 ]; ok $? "repairs counted"
fi

# restart: kill -9, a wiped firewall, start again
fwh add 198.51.100.77 reason=before the crash >/dev/null
fwh_kill9
fwh_kernel_wipe
fwh_kernel_unhook 2>/dev/null
fwh_kernel_count_is 0; ok $? "killed and wiped"
fwh_start; ok $? "starts again"
fwh_kernel_count_is 103; ok $? "every block back from the journal (103)"
fwh_kernel_has 2001:db8::2 && fwh_kernel_has 198.51.100.77; ok $? "IPv4 and IPv6 alike"
fwh list | grep -q '^198\.51\.100\.77 .*reason=before the crash$'; ok $? "with its reason"
grep -q 'journal: .* 103 live' "$FWH_DIR/log"; ok $? "restore logged"
if [ "$FWH_BACKEND" = iptables ]; then
	[ "$(fwh_stat backend_commits)" = 2 ]; ok $? "restored in one commit per family"
fi
fwh_stop
done_testing
