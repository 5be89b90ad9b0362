#!/bin/bash
# t/85-fault-helper.t - the firewall helper (backend: null) killed and
# restarted again and again while policyd is under load.
#
# 16 connections send 3,000 requests a second for 5 seconds, cycling
# through three kinds: two kinds of dynamic-looking clients, each request a
# new address (refused and handed to the helper), and an excepted range
# (DUNNO).  Meanwhile the helper is killed (SIGKILL and SIGTERM in turn) and
# restarted every ~0.4 s, and every third time frozen (SIGSTOP) for 0.4 s
# instead.  Checked: every request answered right (policyd
# never waits for the helper); policyd's helper queue never exceeds its
# queue_size; nothing was dropped; once the helper stays up, the queue
# drains and the helper's table holds every address policyd queued (its
# journal kept what it acknowledged, policyd re-sent the rest); no
# sanitizer report.  HOSTILE_KEEP=DIR keeps the temporary files; HOSTILE_FWH
# runs another helper binary.
. "$(dirname "$0")/lib/hostile.sh"

FWH=${HOSTILE_FWH:-./firewall-helper/firewall-helper}
if [ ! -x "$FWH" ]; then
	echo "1..0 # SKIP build first (make): $FWH missing"; exit 0
fi
PORT=$(h_port)
T=127.0.0.1:$PORT
F=$H_TMP/fwh
mkdir -p "$F"
chmod 0755 "$H_TMP" "$F"
export XTABLES_LOCKFILE=$F/xtables.lock
QSIZE=2000
h_fwh_conf "$F/fwh.yaml" "$F" "$F/journal" "ttl: 1h"
printf 'clients: [ 192.0.2.0/24 ]\n' > "$H_TMP/exc.yaml"
h_conf "$H_TMP/p.yaml" "listen: [ \"inet:$T\" ]
status_socket: $H_TMP/status.sock
exceptions: $H_TMP/exc.yaml
log: { requests: none }
dns: { ptr: false }
firewall:
  socket: $F/cmd.sock
  queue_size: $QSIZE
  backoff: { min: 20ms, max: 100ms }
  reply_timeout: 2s"

for a in 100 101; do
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s.@M@.@N@.7\nclient_name=dsl-%s-@M@-@N@-7.dyn.example.net\nreverse_client_name=dsl-%s-@M@-@N@-7.dyn.example.net\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' \
	    "$a" "$a" "$a" > "$H_TMP/dyn-$a"
done
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.@N@\nclient_name=dsl-192-0-2-@N@.dyn.example.net\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' > "$H_TMP/excepted"

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
fwh_list() { "$FWH" -c "$F/fwh.yaml" list 2>/dev/null; }
pd_stat() { h_unix "$H_TMP/status.sock" $'stats\n' | awk -v k="$1" '$1 == k { print $2 }'; }

fwh_start
t_ok $? "helper starts (null backend)"
h_start "$H_TMP/p.yaml"
t_ok $? "policyd starts with the firewall section"
sed 's/@[MN]@/7/g' "$H_TMP/dyn-100" | h_ask 127.0.0.1 "$PORT" > "$H_TMP/want"
want=$(cat "$H_TMP/want")
case $want in REJECT*) r=0 ;; *) r=1 ;; esac
t_ok $r "a dynamic client is refused: ${want:0:40}..."

$HL -c 16 -r 3000 -T 5 -t 60 -k "$H_TMP/dyn-100=$want" \
    -k "$H_TMP/dyn-101=$want" -k "$H_TMP/excepted=DUNNO" \
    "$T" > "$H_TMP/load.out" 2>&1 &
lpid=$!
H_KILL+=("$lpid")
kills=0 qmax=0 restarts_ok=0 freezes=0 cycles=0
while kill -0 "$lpid" 2>/dev/null; do
	sleep 0.2
	q=$(pd_stat fw_queue)
	[ -n "$q" ] && [ "$q" -gt "$qmax" ] && qmax=$q
	if [ $((cycles % 3)) = 2 ]; then        # frozen, not dead
		kill -STOP "$FWH_PID"
		sleep 0.4
		q=$(pd_stat fw_queue)
		[ -n "$q" ] && [ "$q" -gt "$qmax" ] && qmax=$q
		kill -CONT "$FWH_PID"
		freezes=$((freezes + 1))
		cycles=$((cycles + 1))
		continue
	fi
	if [ $((kills % 2)) = 0 ]; then sig=KILL; else sig=TERM; fi
	kill -$sig "$FWH_PID" 2>/dev/null
	wait "$FWH_PID" 2>/dev/null
	kills=$((kills + 1))
	cycles=$((cycles + 1))
	sleep 0.1
	q=$(pd_stat fw_queue)
	[ -n "$q" ] && [ "$q" -gt "$qmax" ] && qmax=$q
	fwh_start && restarts_ok=$((restarts_ok + 1))
done
wait "$lpid"
t_ok $? "every request answered right while the helper was killed $kills times and frozen $freezes times"
t_diag "$(cat "$H_TMP/load.out")"
[ "$restarts_ok" = "$kills" ] && [ "$kills" -ge 5 ]
t_ok $? "the helper restarted each time ($restarts_ok of $kills)"
[ "$qmax" -le "$QSIZE" ]
t_ok $? "policyd's helper queue stayed bounded (max seen $qmax, queue_size $QSIZE)"

for _ in $(seq 1 200); do
	[ "$(pd_stat fw_queue)" = 0 ] && [ "$(pd_stat fw_connected)" = 1 ] && break
	sleep 0.05
done
t_ok $([ "$(pd_stat fw_queue)" = 0 ]; echo $?) "the queue drains once the helper stays up"
t_ok $([ "$(pd_stat fw_dropped)" = 0 ]; echo $?) "nothing dropped from the queue"
fwh_list > "$H_TMP/list"
n=$(grep -Ec '^10[01]\.[0-9.]* until=' "$H_TMP/list")
n3=$(grep -c '^192\.0\.2\.' "$H_TMP/list")
queued=$(pd_stat fw_queued)
[ "$n" = "$queued" ] && [ "$n" -ge 1000 ]
t_ok $? "every address policyd queued is in the helper's table ($n of $queued): nothing lost"
t_ok $([ "$n3" = 0 ]; echo $?) "no excepted address reached the helper"
[ -n "$HOSTILE_KEEP" ] && cp -r "$H_TMP" "$HOSTILE_KEEP"
t_diag "policyd: fw_queued=$(pd_stat fw_queued) fw_acked=$(pd_stat fw_acked) fw_reconnects=$(pd_stat fw_reconnects)"

h_finish "(policyd)"
kill -TERM "$FWH_PID"; wait "$FWH_PID" 2>/dev/null
! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$F/log"
t_ok $? "no sanitizer report (helper)"
t_done
