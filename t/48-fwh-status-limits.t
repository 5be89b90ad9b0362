#!/bin/bash
# The status socket under allowed peers that ask for `list` and never read
# it: all of them together hold at most 64 MiB of listings, after which a
# new `list` is answered "ERR busy" (32 of them held 32 copies of the
# table before); and when they take every one of the 32 status places,
# root still gets in (places of its own).  Null backend, private network
# namespace.
cd "$(dirname "$0")/.." || exit 1
FWH_BACKEND=null
. t/lib/fwh.sh
fwh_netns "$@"
getent passwd daemon >/dev/null || skip_all "no user daemon"
command -v setpriv >/dev/null || skip_all "setpriv missing"
fwh_init
ip link set lo up
fwh_conf "status_socket: { path: $FWH_DIR/status.sock, mode: '0666', allow_users: [ daemon ] }" \
    "max_entries: 100000"
fwh_start || { echo "Bail out! the helper did not start"; exit 1; }
# 60,000 blocks with reasons of 250 bytes: about 19 MB a listing
reason=$(printf 'r%.0s' $(seq 250))
n=$(fwh_fill 60000 "$reason")
[ "$n" = 60000 ]; ok $? "60,000 blocks in ($n OK)"
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$FWH_PID/status"; }
r0=$(rss)
# 32 peers (daemon) each ask for a list and do not read it
setpriv --reuid=daemon --regid="$(id -g daemon)" --clear-groups perl -MSocket -MIO::Socket::UNIX -e '
	my @s;
	for (1 .. 32) {
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or last;
		setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096);
		print $s "list\n"; $s->flush;
		push @s, $s;
	}
	print scalar(@s), "\n"; close STDOUT; sleep 6' "$FWH_DIR/status.sock" > "$FWH_DIR/hogs.out" &
hogs=$!
fwh_wait 5 test -s "$FWH_DIR/hogs.out"
sleep 1                         # every list asked for is answered
ok $([ "$(cat "$FWH_DIR/hogs.out")" = 32 ]; echo $?) "32 status peers asked for a list, reading nothing"
out=$(fwh status 2>&1); rc=$?
ok $rc "root's status still answered (places of its own)" || echo "# $out"
out=$(fwh list 2>&1 | tail -1)
[[ $out == *"ERR busy"* ]]; ok $? "root's list meanwhile: $out"
r1=$(rss)
# 32 listings would be 600 MiB; the budget lets about 80 in.  An ASan
# build keeps freed buffers in quarantine and pads every block: about
# three times as much, still far from 32 listings' worth.
limit=150000
ldd "$FWH_BIN" 2>/dev/null | grep -q libasan && limit=450000
[ $((r1 - r0)) -lt "$limit" ]; ok $? "the helper grew by $(( (r1 - r0) / 1024 )) MiB, not 32 listings' worth"
kill "$hogs" 2>/dev/null; wait "$hogs" 2>/dev/null
n=$(fwh list 2>/dev/null | grep -c ' until=')
[ "$n" = 60000 ]; ok $? "once they are gone, root's list is whole: $n entries"
fwh_stop
done_testing
