#!/bin/bash
# Coexistence with another iptables writer, in a private network
# namespace: while the helper commits batch after batch, iptables-legacy
# (which takes the same xtables lock, $XTABLES_LOCKFILE) adds and deletes
# rules of its own in INPUT and in another chain.  Afterwards nobody's rules
# are lost: the writer's, the helper's, the helper's jump.  Also: the lock
# really is held (the helper waits for another holder).  iptables backend only.
cd "$(dirname "$0")/.." || exit 1
. t/lib/fwh.sh
[ "$FWH_BACKEND" = iptables ] || skip_all "iptables backend only"
fwh_netns "$@"
fwh_init

fwh_conf "ttl: 1h" "batch_window: 1ms"
fwh_start; ok $? "helper starts"
iptables-legacy -w -N OTHER

writer() {
	local i
	for i in $(seq 1 150); do
		iptables-legacy -w -A INPUT -s "10.99.$((i / 250)).$((i % 250 + 1))" -p udp -j ACCEPT || echo "fail A $i"
		iptables-legacy -w -A OTHER -s "10.98.0.$((i % 250 + 1))" -j DROP || echo "fail O $i"
		if [ $((i % 3)) = 0 ]; then
			iptables-legacy -w -D OTHER -s "10.98.0.$((i % 250 + 1))" -j DROP || echo "fail D $i"
		fi
	done > "$FWH_DIR/writer.out" 2>&1
}
writer &
wpid=$!
# the helper: 40 batches of 50 adds, each waited for
for b in $(seq 0 39); do
	fwh_addrs 50 $((b * 50)) | sed 's/^/add /' | fwh_send > /dev/null
done
wait $wpid
[ ! -s "$FWH_DIR/writer.out" ]; ok $? "the other writer never failed"
cat "$FWH_DIR/writer.out" | diag
[ "$(iptables-legacy -S INPUT | grep -c -- '-s 10\.99\..* -p udp -j ACCEPT')" = 150 ]; ok $? "all 150 of its INPUT rules there"
[ "$(iptables-legacy -S OTHER | grep -c -- '-j DROP')" = 100 ]; ok $? "its other chain as it left it (100)"
fwh_kernel_count_is 2000; ok $? "all 2000 of the helper's rules there"
[ "$(iptables-legacy -S INPUT | grep -c -- '-j POLICYD')" = 1 ]; ok $? "the helper's jump there, once"
[ "$(fwh_stat backend_repairs)" = 0 ]; ok $? "no repairs were needed (nothing was lost)"

# the lock is really taken: while someone else holds it the helper's
# commit waits (the rule is not in the kernel), and it lands once released
flock "$XTABLES_LOCKFILE" sh -c "touch '$FWH_DIR/locked'; while [ ! -e '$FWH_DIR/release' ]; do sleep 0.05; done" &
lpid=$!
fwh_wait 3 test -e "$FWH_DIR/locked"
fwh add 192.0.2.77 > "$FWH_DIR/add.out" &
apid=$!
sleep 0.3
! iptables-legacy-save | grep -q -- '-s 192.0.2.77/32'; ok $? "no commit while another program holds the lock"
touch "$FWH_DIR/release"
wait $lpid
wait $apid
grep -q '^OK added 192.0.2.77' "$FWH_DIR/add.out"; ok $? "the add is answered"
fwh_wait 5 fwh_kernel_has 192.0.2.77; ok $? "and committed once the lock is free"

# the lock file replaced under the helper (deleted and created anew, as a
# cleanup of /run might): the helper follows the path again
rm -f "$XTABLES_LOCKFILE"
touch "$XTABLES_LOCKFILE"
flock "$XTABLES_LOCKFILE" sh -c "touch '$FWH_DIR/locked2'; while [ ! -e '$FWH_DIR/release2' ]; do sleep 0.05; done" &
lpid=$!
fwh_wait 3 test -e "$FWH_DIR/locked2"
fwh add 192.0.2.78 > /dev/null &
apid=$!
sleep 0.3
! iptables-legacy-save | grep -q -- '-s 192.0.2.78/32'; ok $? "a replaced lock file is followed: the helper waits for the new lock"
touch "$FWH_DIR/release2"
wait $lpid $apid
fwh_wait 5 fwh_kernel_has 192.0.2.78; ok $? "and commits after"
grep -q 'was replaced, opened again' "$FWH_DIR/log"; ok $? "logged"
fwh_stop
done_testing
