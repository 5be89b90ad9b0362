#!/bin/bash
# t/86-fault-journal-full.t - the helper's journal file system fills up.
#
# As root, inside a private mount namespace (unshare -m), the journal lives
# on a 256 KiB tmpfs.  With 10 blocks journaled, the file system is filled;
# 60 more blocks are added through the command socket: each is answered,
# (in six batches) the helper logs the failed journal writes and keeps every block in its
# table.  When space returns, the journal is written again without waiting
# for a command (the periodic reconcile, 1 s here, retries what was held
# back); after a restart the table, rebuilt from the journal, holds all 71
# blocks.  Skips when not root or when unshare -m or
# the tmpfs mount is not possible.
if [ -z "$HOSTILE_IN_NS" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root (mount namespace, tmpfs)"; exit 0
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "1..0 # SKIP unshare -m not possible here"; exit 0
	fi
	HOSTILE_IN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib/hostile.sh"

FWH=${HOSTILE_FWH:-./firewall-helper/firewall-helper}
if [ ! -x "$FWH" ]; then
	echo "1..0 # SKIP build first (make): $FWH missing"; exit 0
fi
F=$H_TMP/fwh
J=$H_TMP/jfs
mkdir -p "$F" "$J"
if ! mount -t tmpfs -o size=256k,mode=0755 hostile-journal "$J"; then
	echo "1..0 # SKIP cannot mount a tmpfs"; exit 0
fi
trap 'umount "$J" 2>/dev/null; _h_cleanup' EXIT
export XTABLES_LOCKFILE=$F/xtables.lock
h_fwh_conf "$F/fwh.yaml" "$F" "$J/journal" "reconcile_interval: 1s" "ttl: 1h"

FWH_PID=
fwh_start() {
	local i
	rm -f "$F/cmd.sock" "$F/status.sock"
	"$FWH" -c "$F/fwh.yaml" -f >> "$F/log" 2>&1 &
	FWH_PID=$!
	H_KILL+=("$FWH_PID")
	for ((i = 0; i < 200; i++)); do
		[ -S "$F/status.sock" ] && [ -S "$F/cmd.sock" ] && return 0
		kill -0 "$FWH_PID" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}
fwh_stop() { kill -TERM "$FWH_PID"; wait "$FWH_PID" 2>/dev/null; }
# add FIRST LAST: 198.51.100.FIRST..LAST in one connection; prints replies
# (one per command; the connection is closed after the last reply)
fwh_add() {
	local i
	for ((i = $1; i <= $2; i++)); do
		printf 'add 198.51.100.%d reason=journal-full test\n' "$i"
	done | perl -MIO::Socket::UNIX -e '
	    my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0])
	        or die "connect: $!\n";
	    my @l = <STDIN>; print $s @l;
	    for (@l) { my $r = <$s>; last unless defined $r; print $r }' "$F/cmd.sock"
}
listed() { "$FWH" -c "$F/fwh.yaml" list 2>/dev/null | grep -c '^198\.51\.100\.'; }
journaled() { grep -c ' add 198\.51\.100\.' "$J/journal" 2>/dev/null; }

fwh_start
t_ok $? "helper starts, journal on a 256 KiB tmpfs"
out=$(fwh_add 1 10)
t_ok $([ "$(grep -c '^OK' <<<"$out")" = 10 ]; echo $?) "10 blocks added"
t_ok $([ "$(journaled)" = 10 ]; echo $?) "and journaled"

dd if=/dev/zero of="$J/fill" bs=4k >/dev/null 2>&1
avail=$(df -k --output=avail "$J" | tail -1 | tr -d ' ')
t_ok $([ "$avail" = 0 ]; echo $?) "journal file system full"
out=$(for k in 11 21 31 41 51 61; do fwh_add $k $((k + 9)); sleep 0.05; done)
n=$(grep -c '^OK' <<<"$out")
t_ok $([ "$n" = 60 ]; echo $?) "60 blocks added while full: answered OK ($n)"
grep -q 'journal: write .*No space left on device' "$F/log"
t_ok $? "the failed journal write is logged"
t_diag "$(grep -c 'journal: write' "$F/log") journal write warnings"
t_ok $([ "$(listed)" = 70 ]; echo $?) "all 70 blocks in the table (in memory): $(listed)"
kill -0 "$FWH_PID"
t_ok $? "helper still runs"

rm -f "$J/fill"
for _ in $(seq 1 60); do [ "$(journaled)" = 70 ] && break; sleep 0.05; done
t_ok $([ "$(journaled)" = 70 ]; echo $?) "space back: the held journal lines written without a new command (at the next reconcile, 1 s): $(journaled) of 70"
out=$(fwh_add 71 71)
t_ok $([ "$(grep -c '^OK' <<<"$out")" = 1 ]; echo $?) "one more block once space is back"
t_ok $([ "$(journaled)" = 71 ]; echo $?) "journal holds all 71 blocks: $(journaled)"
fwh_stop
fwh_start
t_ok $? "helper restarts"
t_ok $([ "$(listed)" = 71 ]; echo $?) "after the restart the table holds all 71: $(listed)"
grep -q 'journal: .* 0 skipped' "$F/log"
t_ok $? "the journal replays without skipped lines"
fwh_stop
! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$F/log"
t_ok $? "no sanitizer report"
H_LOG=$F/log
t_done
