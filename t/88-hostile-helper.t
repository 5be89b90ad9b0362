#!/bin/bash
# t/88-hostile-helper.t - adversarial clients of the firewall helper's
# command socket (the helper holds CAP_NET_ADMIN; backend null here), with
# t/lib/hostile-fwh.pl.  After each, a witness command must be answered OK:
#  - 200 connections of random bytes (raw, printable, mutated commands):
#    every reply line starts with OK or ERR
#  - a 100 KB line: one ERR, then the connection is closed
#  - a command sent one byte at a time
#  - commands followed by a half-close: every command still answered
#  - 300 connections at once (more than the helper serves at a time): each
#    answered or closed, none left hanging
#  - a client that sends 60,000 commands and never reads its replies: the
#    helper stops reading it, others are served, its memory stays bounded
#  - 300 idle connections to the status socket: the command socket is
#    still served (the two are counted apart)
#  - 8 status clients each asking for the list 1,000 times in one write,
#    never reading: the helper answers one list at a time per client, a
#    command is answered meanwhile, its memory stays bounded
#  - a helper with 24 descriptors and 40 waiting connections: accept
#    pauses (logged once) instead of spinning, and serves again after
#  - status_socket idle_timeout 1s: silent status peers are closed, silent
#    command peers (no idle_timeout) are not
# The helper never exits; its table holds nothing but valid addresses; no
# sanitizer report.
. "$(dirname "$0")/lib/hostile.sh"

FWH=${HOSTILE_FWH:-./firewall-helper/firewall-helper}
if [ ! -x "$FWH" ]; then
	echo "1..0 # SKIP build first (make): $FWH missing"; exit 0
fi
F=$H_TMP/fwh
mkdir -p "$F"
chmod 0755 "$H_TMP" "$F"
export XTABLES_LOCKFILE=$F/xtables.lock
h_fwh_conf "$F/fwh.yaml" "$F" "$F/journal" "ttl: 1h"
H_LOG=$F/log
"$FWH" -c "$F/fwh.yaml" -f >> "$H_LOG" 2>&1 &
FWH_PID=$!
H_KILL+=("$FWH_PID")
for _ in $(seq 1 200); do [ -S "$F/cmd.sock" ] && [ -S "$F/status.sock" ] && break; sleep 0.02; done
HF="perl t/lib/hostile-fwh.pl $F/cmd.sock"
alive() { kill -0 "$FWH_PID" 2>/dev/null; }
# more_helper DIR NOFILE: another helper on DIR/fwh.yaml with NOFILE
# descriptors; MORE_PID once its sockets are there
more_helper() {
	(ulimit -n "$2"; exec "$FWH" -c "$1/fwh.yaml" -f >> "$1/log" 2>&1) &
	MORE_PID=$!
	H_KILL+=("$MORE_PID")
	for _ in $(seq 1 200); do
		[ -S "$1/cmd.sock" ] && [ -S "$1/status.sock" ] && break
		sleep 0.02
	done
}

out=$($HF witness 198.51.100.1 2>&1)
t_ok $? "helper answers a command: $out"

out=$($HF garbage 200 "${HOSTILE_SEED:-20261128}" 2>&1)
t_ok $? "random bytes on 200 connections"
t_diag "$out"
out=$($HF longline 2>&1)
t_ok $? "a 100 KB line"
t_diag "$out"
out=$($HF slow 198.51.100.2 2>&1)
t_ok $? "a command one byte at a time"
t_diag "$out"
r=0
for i in 1 2 3 4 5; do          # whether the EOF comes with the lines is timing
	out=$($HF halfclose 198.51.100.$((10 * i)) 198.51.100.$((10 * i + 1)) 2>&1) || { r=1; break; }
done
t_ok $r "commands then a half-close (5 times): all answered"
[ $r = 0 ] || t_diag "$out"
out=$($HF many 300 2>&1)
t_ok $? "300 connections at once"
t_diag "$out"
r0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$FWH_PID/status")
out=$($HF noread 60000 2>&1)
t_ok $? "a client that never reads its replies"
t_diag "$out"
r1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$FWH_PID/status")
[ "$r1" -le $((r0 + 24576)) ]
t_ok $? "helper memory bounded (RSS $r0 -> $r1 kB)"

out=$($HF statuscrowd "$F/status.sock" 300 2>&1)
t_ok $? "300 idle status connections: commands still served"
t_diag "$out"
r0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$FWH_PID/status")
HOSTILE_HOLD=1 $HF statuslist "$F/status.sock" 8 1000 > "$H_TMP/sl.out" 2>&1 &
slpid=$!
for _ in $(seq 1 300); do grep -q 'mode=statuslist\|FAIL' "$H_TMP/sl.out" && break; sleep 0.1; done
r1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$FWH_PID/status")
kill "$slpid" 2>/dev/null; wait "$slpid" 2>/dev/null
grep -q 'mode=statuslist' "$H_TMP/sl.out" && [ "$r1" -le $((r0 + 32768)) ]
t_ok $? "status clients that never read 1,000 lists each: a command answered, memory bounded (RSS $r0 -> $r1 kB)"
t_diag "$(cat "$H_TMP/sl.out")"

alive
t_ok $? "helper still runs"

# A second helper with 24 descriptors and 40 connections waiting: accept
# fails (EMFILE), pauses, is logged once, does not spin; served after.
F2=$H_TMP/fwh2
mkdir -p "$F2"
chmod 0755 "$F2"
h_fwh_conf "$F2/fwh.yaml" "$F2" "$F2/journal"
more_helper "$F2" 24
pid2=$MORE_PID
$HF hold "$F2/cmd.sock" 40 3 > "$H_TMP/hold.out" 2>&1 &
hpid=$!
for _ in $(seq 1 100); do grep -q mode=hold "$H_TMP/hold.out" && break; sleep 0.05; done
sleep 0.3
ticks() { awk '{ print $14 + $15 }' "/proc/$pid2/stat"; }
t0=$(ticks); sleep 1; t1=$(ticks)
[ $((t1 - t0)) -lt 30 ] && [ "$(grep -c 'command socket: accept (pausing' "$F2/log")" = 1 ]
t_ok $? "EMFILE: accept paused, logged once, not spinning ($((t1 - t0)) ticks in 1 s)" ||
    grep -m3 accept "$F2/log" | sed 's/^/#   /'
wait "$hpid"
out=$(perl t/lib/hostile-fwh.pl "$F2/cmd.sock" witness 198.51.100.247 2>&1)
t_ok $? "EMFILE over: served again: $out"
kill -TERM "$pid2"; wait "$pid2"
t_ok $? "that helper exits 0 on SIGTERM"

# idle_timeout: status peers silent for 1 s are closed; command peers
# (idle_timeout 0, the default) stay.
F3=$H_TMP/fwh3
mkdir -p "$F3"
chmod 0755 "$F3"
h_conf "$F3/fwh.yaml" "command_socket: $F3/cmd.sock
status_socket: { path: $F3/status.sock, idle_timeout: 1s }
backend: null
journal: $F3/journal
xtables_lock: $F3/xtables.lock"
more_helper "$F3" "$(ulimit -n)"
pid3=$MORE_PID
out=$($HF idle "$F3/status.sock" 5 2.5 2>&1)
[[ $out == *" closed=5"* ]]; t_ok $? "status peers silent past idle_timeout: closed ($out)"
out=$($HF idle "$F3/cmd.sock" 5 2.5 2>&1)
[[ $out == *" closed=0"* ]]; t_ok $? "command peers (no idle_timeout): kept ($out)"
out=$(perl t/lib/hostile-fwh.pl "$F3/cmd.sock" witness 198.51.100.246 2>&1)
t_ok $? "and served: $out"
kill -TERM "$pid3"; wait "$pid3"
t_ok $? "that helper exits 0 on SIGTERM"
"$FWH" -c "$F/fwh.yaml" list > "$H_TMP/list" 2>&1
bad=$(grep -v -E '^(198\.51\.10[0-2]\.[0-9]+|2001:db8::[0-9a-f]+) until=|^OK' "$H_TMP/list" | head -3)
t_ok $([ -z "$bad" ]; echo $?) "table holds only valid addresses ($(grep -c ' until=' "$H_TMP/list") entries)"
[ -n "$bad" ] && t_diag "$bad"
kill -TERM "$FWH_PID"; wait "$FWH_PID"
t_ok $? "helper exits 0 on SIGTERM"
h_clean_log
t_ok $? "no sanitizer report"
t_done
