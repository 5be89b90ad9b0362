#!/bin/bash
# Security of the helper, in a private network namespace: started as root
# it runs as the configured user with CAP_NET_ADMIN alone (CapEff, CapPrm,
# CapBnd, CapAmb, NoNewPrivs read from /proc) and still writes the
# firewall; started as a user with ambient CAP_NET_ADMIN (systemd) likewise;
# without it, exit 77; started as root without user:, it warns that it
# stays uid 0.  Peers with a uid not allowed are refused on both
# sockets; loopback, own and never_block addresses are refused; malformed
# commands change nothing.  Backend from FWH_BACKEND.
cd "$(dirname "$0")/.." || exit 1
. t/lib/fwh.sh
fwh_netns "$@"
command -v setpriv >/dev/null || skip_all "setpriv missing"
getent passwd nobody >/dev/null || skip_all "no user nobody"
getent passwd daemon >/dev/null || skip_all "no user daemon"
fwh_init
ip link set lo up
NOBODY=$(id -u nobody)
NOGROUP=$(id -g nobody)
CAP_NET_ADMIN_MASK=0000000000001000
# the helper runs as nobody (always allowed: its own user); the peer is daemon
PEER=$(id -u daemon)
PEERG=$(id -g daemon)
as_nobody() { setpriv --reuid="$NOBODY" --regid="$NOGROUP" --clear-groups "$@"; }
as_peer() { setpriv --reuid="$PEER" --regid="$PEERG" --clear-groups "$@"; }
capfield() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$FWH_PID/status"; }

# a directory the unprivileged helper can write: sockets, journal
mkdir -m 0755 "$FWH_DIR/run" && chown "$NOBODY" "$FWH_DIR/run"
fwh_conf "user: nobody" "command_socket: { path: $FWH_DIR/run/cmd.sock, mode: '0666' }" \
	"status_socket: { path: $FWH_DIR/run/status.sock, mode: '0666' }" \
	"journal: $FWH_DIR/run/journal" "never_block: [ 198.51.100.0/24 ]"
start_run() {
	"$FWH_BIN" -c "$FWH_CONF" -f -v >> "$FWH_DIR/log" 2>&1 &
	FWH_PID=$!
	fwh_wait 5 sh -c "'$FWH_BIN' -c '$FWH_CONF' status >/dev/null 2>&1"
}
start_run; ok $? "helper starts as root with user: nobody"
! grep -q 'still uid 0' "$FWH_DIR/log"; ok $? "no uid-0 warning"
[ "$(capfield Uid | awk '{print $1, $2, $3, $4}')" = "$NOBODY $NOBODY $NOBODY $NOBODY" ]; ok $? "runs as nobody (real, effective, saved, fs)"
[ "$(capfield CapEff)" = $CAP_NET_ADMIN_MASK ]; ok $? "CapEff is CAP_NET_ADMIN alone ($(capfield CapEff))"
[ "$(capfield CapPrm)" = $CAP_NET_ADMIN_MASK ]; ok $? "CapPrm is CAP_NET_ADMIN alone"
[ "$(capfield CapInh)" = 0000000000000000 ]; ok $? "CapInh empty"
[ "$(capfield CapBnd)" = 0000000000000000 ]; ok $? "bounding set cleared"
[ "$(capfield CapAmb)" = 0000000000000000 ]; ok $? "ambient set empty"
[ "$(capfield NoNewPrivs)" = 1 ]; ok $? "NoNewPrivs"
[ -z "$(capfield Groups)" ]; ok $? "no supplementary groups"
fwh add 192.0.2.7 >/dev/null && fwh_kernel_has 192.0.2.7; ok $? "writes the firewall with CAP_NET_ADMIN alone"
fwh del 192.0.2.7 >/dev/null && fwh_kernel_lacks 192.0.2.7; ok $? "and deletes"

# peers
out=$(echo "add 192.0.2.8" | as_peer perl t/lib/fwh-send.pl "$FWH_DIR/run/cmd.sock")
[ "$out" = "ERR not allowed" ]; ok $? "uid $PEER not allowed on the command socket: $out"
fwh_kernel_lacks 192.0.2.8; ok $? "nothing blocked by it"
grep -q "command socket: peer pid=[0-9]*,uid=$PEER,gid=$PEERG not allowed" "$FWH_DIR/log"; ok $? "refusal logged with pid, uid, gid"
out=$(as_peer "$FWH_BIN" -c "$FWH_CONF" status 2>&1); [[ $out == *"ERR not allowed"* ]]; ok $? "status socket refuses it too"
out=$(echo "add 192.0.2.8" | as_nobody perl t/lib/fwh-send.pl "$FWH_DIR/run/cmd.sock")
[[ $out == "OK added"* ]]; ok $? "the helper's own user is allowed"
fwh del 192.0.2.8 >/dev/null
[ "$(fwh_stat peers_refused)" = 2 ]; ok $? "refusals counted"
# a stranger opening connections by the hundred: refused peers linger
# apart from allowed ones (16 at most), so root still gets in, and the
# refusals are not logged one by one
as_peer perl -MIO::Socket::UNIX -e '
	my @s;
	for (1 .. 300) { push @s, IO::Socket::UNIX->new(Peer => $ARGV[0]) // next }
	for (1 .. 40) { push @s, IO::Socket::UNIX->new(Peer => $ARGV[1]) // next }
	print scalar(@s), "\n"; close STDOUT; sleep 3' \
	"$FWH_DIR/run/cmd.sock" "$FWH_DIR/run/status.sock" > "$FWH_DIR/flood.out" &
flood=$!
fwh_wait 5 test -s "$FWH_DIR/flood.out"
sleep 0.3                       # all accepted and refused by now
"$FWH_BIN" -c "$FWH_CONF" status >/dev/null 2>&1
ok $? "root's status among $(cat "$FWH_DIR/flood.out") refused connections"
out=$(echo "add 192.0.2.8" | perl t/lib/fwh-send.pl "$FWH_DIR/run/cmd.sock")
[[ $out == "OK added"* ]]; ok $? "root's add too: $out"
fwh del 192.0.2.8 >/dev/null
wait "$flood"
n=$(grep -c 'not allowed' "$FWH_DIR/log")
[ "$n" -le 4 ]; ok $? "refusals logged at most once per 10 s and socket: $n lines"
fwh_stop

fwh_conf "user: nobody" "command_socket: { path: $FWH_DIR/run/cmd.sock, mode: '0666', allow_groups: [ $(id -gn daemon) ] }" \
	"status_socket: { path: $FWH_DIR/run/status.sock, mode: '0666', allow_users: [ daemon ] }" \
	"journal: $FWH_DIR/run/journal" "never_block: [ 198.51.100.0/24 ]"
start_run
out=$(echo "add 192.0.2.8" | as_peer perl t/lib/fwh-send.pl "$FWH_DIR/run/cmd.sock")
[[ $out == "OK added 192.0.2.8"* ]]; ok $? "allowed by group: $out"
as_peer "$FWH_BIN" -c "$FWH_CONF" status >/dev/null; ok $? "allowed by user on the status socket"
out=$(echo "add 192.0.2.9" | setpriv --reuid="$PEER" --regid=4242 --clear-groups perl t/lib/fwh-send.pl "$FWH_DIR/run/cmd.sock")
[ "$out" = "ERR not allowed" ]; ok $? "same uid, group not listed: refused"
out=$(echo "add 192.0.2.9" | setpriv --reuid="$PEER" --regid=4242 --groups="$PEERG" perl t/lib/fwh-send.pl "$FWH_DIR/run/cmd.sock")
[[ $out == "OK added"* ]]; ok $? "allowed by a supplementary group (SO_PEERGROUPS)"
# a reload that allows the peer no more: its open connection is told so
# and closed, and what it sends next is not done
as_peer perl -MIO::Socket::UNIX -e '
	$| = 1; $SIG{PIPE} = "IGNORE"; alarm 10;
	my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!";
	print $s "add 192.0.2.10\n"; print "first: ", scalar <$s>;
	select(undef, undef, undef, 0.05) until -e $ARGV[1];
	print $s "add 192.0.2.11\n";
	print "then: ", join("|", map { chomp; $_ } <$s>), "\n";' \
	"$FWH_DIR/run/cmd.sock" "$FWH_DIR/go" > "$FWH_DIR/held.out" &
held=$!
fwh_wait 5 grep -q '^first: OK' "$FWH_DIR/held.out"; ok $? "an open connection of the peer, allowed"
fwh_conf "user: nobody" "command_socket: { path: $FWH_DIR/run/cmd.sock, mode: '0666' }" \
	"status_socket: { path: $FWH_DIR/run/status.sock, mode: '0666' }" \
	"journal: $FWH_DIR/run/journal" "never_block: [ 198.51.100.0/24 ]"
kill -HUP "$FWH_PID"
fwh_wait 5 grep -q "command socket: peer pid=[0-9]*,uid=$PEER,.* no longer allowed after the reload" "$FWH_DIR/log"
ok $? "reloaded without the peer's group: its connection closed, logged"
touch "$FWH_DIR/go"
wait "$held"
grep -qx 'then: ERR not allowed' "$FWH_DIR/held.out"; ok $? "the peer read: $(sed -n 's/^then: //p' "$FWH_DIR/held.out")"
fwh_kernel_has 192.0.2.10 && fwh_kernel_lacks 192.0.2.11; ok $? "its command after the reload was not done"
# ... and one that reads nothing (its replies pile up) is closed 2 s on
by_group() {    # [ALLOW_GROUPS] -> the configuration, the peer's group allowed or not
	fwh_conf "user: nobody" "command_socket: { path: $FWH_DIR/run/cmd.sock, mode: '0666'${1:+, allow_groups: [ $1 ]} }" \
		"status_socket: { path: $FWH_DIR/run/status.sock, mode: '0666' }" \
		"journal: $FWH_DIR/run/journal" "never_block: [ 198.51.100.0/24 ]"
}
reloaded() { [ "$(grep -c 'reload: .* applied' "$FWH_DIR/log")" -ge "$1" ]; }
by_group "$(id -gn daemon)"; kill -HUP "$FWH_PID"; fwh_wait 5 reloaded 2
as_peer perl -MIO::Socket::UNIX -e '$SIG{PIPE} = "IGNORE"; alarm 20;
	my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!";
	print $s "x\n" x 100000; sleep 10' "$FWH_DIR/run/cmd.sock" &
hog=$!
sleep 1                         # its ERR replies pile up, unread
nfd0=$(ls "/proc/$FWH_PID/fd" | wc -l)
by_group; kill -HUP "$FWH_PID"; fwh_wait 5 reloaded 3
fwh_wait 5 sh -c "[ \$(grep -c 'no longer allowed after the reload' '$FWH_DIR/log') -ge 2 ]"
sleep 2.5
nfd1=$(ls "/proc/$FWH_PID/fd" | wc -l)
[ "$nfd1" -lt "$nfd0" ]; ok $? "a revoked peer that reads nothing is closed 2 s on ($nfd0 -> $nfd1 descriptors)"
kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null

# addresses that must never be blocked; the host's own ones as soon as
# they appear (netlink), with no SIGHUP and no reconcile (60 s away)
ip link add fwhdummy type veth peer name fwhdummy1 && ip addr add 203.0.113.5/24 dev fwhdummy && ip link set fwhdummy up
ip addr add 2001:db8:44::5/64 dev fwhdummy nodad
for a in 127.0.0.1 ::1 203.0.113.5 2001:db8:44::5 169.254.1.1 fe80::1 198.51.100.9 0.0.0.0 224.0.0.1; do
	out=$(fwh add $a 2>&1); rc=$?
	[ $rc = 1 ] && [[ $out == ERR* ]] && fwh_kernel_lacks $a; ok $? "$a refused: $out"
done
fwh add 203.0.113.6 >/dev/null; fwh_kernel_has 203.0.113.6; ok $? "a neighbour is blocked"
ip addr add 203.0.113.6/24 dev fwhdummy
fwh_wait 3 fwh_kernel_lacks 203.0.113.6; ok $? "an address that became our own is unblocked"
grep -q 'action=unblock addr=203.0.113.6 reason="protected (own_address)"' "$FWH_DIR/log"; ok $? "logged"

# malformed commands change nothing
n0=$(fwh_kernel_count)
printf 'add\nadd 192.0.2.1.5\nadd 192.0.2.77 ttl=-1\nadd 192.0.2.77 ttl=99999999999\nADD 192.0.2.77\ndel 192.0.2.77 extra\nadd 192.0.2.77 reason=\033[31m\n' | fwh_send "$FWH_DIR/run/cmd.sock" > "$FWH_DIR/mal"
[ "$(grep -c '^ERR' "$FWH_DIR/mal")" = 7 ]; ok $? "7 malformed lines, 7 ERR"
[ "$(fwh_kernel_count)" = "$n0" ]; ok $? "kernel unchanged"
fwh_stop

# systemd style: started as nobody with ambient CAP_NET_ADMIN
chmod 0666 "$FWH_DIR/xtables.lock"
fwh_conf "command_socket: { path: $FWH_DIR/run/cmd.sock, mode: '0666' }" \
	"status_socket: { path: $FWH_DIR/run/status.sock }" "journal: $FWH_DIR/run/journal"
setpriv --reuid="$NOBODY" --regid="$NOGROUP" --clear-groups --inh-caps=-all,+net_admin \
	--ambient-caps=+net_admin --bounding-set=-all,+net_admin \
	"$FWH_BIN" -c "$FWH_CONF" -f -v >> "$FWH_DIR/log" 2>&1 &
FWH_PID=$!
fwh_wait 5 sh -c "'$FWH_BIN' -c '$FWH_CONF' status >/dev/null 2>&1"; ok $? "starts as nobody with ambient CAP_NET_ADMIN"
[ "$(capfield CapEff)" = $CAP_NET_ADMIN_MASK ] && [ "$(capfield CapPrm)" = $CAP_NET_ADMIN_MASK ] &&
	[ "$(capfield CapAmb)" = 0000000000000000 ]; ok $? "CAP_NET_ADMIN alone, ambient cleared"
fwh add 192.0.2.30 >/dev/null && fwh_kernel_has 192.0.2.30; ok $? "writes the firewall"
fwh_kernel_has 192.0.2.8; ok $? "restored the earlier blocks from the journal"
fwh_stop
as_nobody "$FWH_BIN" -c "$FWH_CONF" -f >> "$FWH_DIR/log" 2>&1; rc=$?
[ $rc = 77 ] || [ "$FWH_BACKEND" = null ]; ok $? "without CAP_NET_ADMIN: exit 77 ($rc)"
mkdir -m 0700 "$FWH_DIR/root"          # root's, not writable by nobody
fwh_conf "command_socket: $FWH_DIR/root/cmd.sock" \
	"status_socket: $FWH_DIR/root/status.sock" "journal: $FWH_DIR/root/journal"
start_run; ok $? "starts as root without user:"
grep -q 'caps: no user: set, so still uid 0' "$FWH_DIR/log"; ok $? "and warns that it stays uid 0"
fwh_stop
ip link del fwhdummy 2>/dev/null
done_testing
