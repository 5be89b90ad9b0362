#!/bin/bash
# policyd's status socket: `stats` and `stats prometheus` answer, and the
# counters move as requests are made (requests, answers per action and per
# class, malformed requests, connections); the summary line is logged; a
# reload moves the socket; an unusable socket path does not stop policyd.
. "$(dirname "$0")/lib/policyd.sh"

ST=$T_TMP/status.sock
stats() { printf '%s\n' "${1:-stats}" | pd_raw "unix:$ST"; }
val() { stats | awk -v k="$1" '$1 == k { print $2 }'; }
# the value once it settles (closes are seen a loop turn later): 5 s at most
val_settled() {
	local i v
	for ((i = 0; i < 100; i++)); do
		v=$(val "$1"); [ "$v" = "$2" ] && break; sleep 0.05
	done
	echo "$v"
}

pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
status_socket: $ST
stats_interval: 1s"
pd_start
t_ok $? "policyd starts with a status socket"
t_ok "$([ -S "$ST" ]; echo $?)" "status socket created"

out=$(stats)
t_ok "$(grep -Evc '^[a-z_]+ [0-9]+$' <<<"$out")" "stats: every line is \"name value\""
for k in requests requests_malformed connections_open connections_accepted \
    answer_reject answer_dunno class_dynamic class_unclassified vcache_hits \
    dns_cache_hits dns_failures fw_queue fw_errors uptime_seconds; do
	grep -q "^$k " <<<"$out"; t_ok $? "stats: $k"
done
t_is "$(val requests)" 0 "no request yet"

pd_req 192.0.2.1 host.example | pd_raw "inet:127.0.0.1:$PORT" >/dev/null
$PCLIENT -s "inet:127.0.0.1:$PORT" -c 2 -n 10 -e DUNNO >/dev/null
t_is "$(val requests)" 21 "requests counted (1 + 2 x 10)"
t_is "$("$POLICYD" -c "$PD_CONF" stats | awk '$1 == "requests" { print $2 }')" 21 "policyd -c FILE stats asks the running daemon"
"$POLICYD" -c "$PD_CONF" stats prometheus | grep -q '^policyd_requests_total 21$'
t_ok $? "policyd -c FILE stats prometheus"
"$POLICYD" -c "$PD_CONF" stats bogus 2>/dev/null; t_is $? 64 "stats with a bad form is a usage error"
t_is "$(val answer_dunno)" 21 "answers per action (DUNNO)"
t_is "$(val class_none)" 21 "answers per class (every name here classifies as none)"
t_is "$(val connections_accepted)" 3 "connections accepted"
t_is "$(val_settled connections_open 0)" 0 "connections open: none left"

printf 'no equals sign here\n\n' | pd_raw "inet:127.0.0.1:$PORT" >/dev/null
t_is "$(val requests_malformed)" 1 "malformed request counted"
t_is "$(val requests)" 21 "... and not as a request"

out=$(stats "stats prometheus")
bad=$(grep -Ev '^# (HELP|TYPE) policyd_[a-z_]+ |^policyd_[a-z_]+(\{[a-z_]+="[a-z_]+"\})? [0-9]+$' <<<"$out")
t_is "$bad" "" "prometheus: every line a comment or a sample"
grep -qx 'policyd_requests_total 21' <<<"$out"; t_ok $? "prometheus: policyd_requests_total 21"
grep -qx 'policyd_answers_total{action="dunno"} 21' <<<"$out"
t_ok $? "prometheus: answers by action"
grep -qx '# TYPE policyd_connections_open gauge' <<<"$out"; t_ok $? "prometheus: gauge type"
if command -v promtool >/dev/null; then
	promtool check metrics <<<"$out" >/dev/null 2>&1; t_ok $? "promtool check metrics"
fi

t_is "$(stats hello)" "ERR unknown command (stats, stats prometheus)" "unknown command: ERR"
pd_wait_log 'stats: requests=21 ' ; t_ok $? "summary line logged every stats_interval"
# the summary line after the requests above: 21 answered DUNNO (class
# none), 1 malformed, no connection left open, nothing queued
sum='requests=21 reject=0 defer=0 defer_if_permit=0 warn=0 dunno=21 dynamic=0 static=0 exceptions=0 deadline=0 malformed=1 conns=0 dns_failures=0 fw_queued=0 fw_errors=0 fw_queue=0'
pd_wait_log "stats: $sum\$"       # the next line, if one was logged before
t_is "$(grep -o 'stats: .*' "$PD_LOG" | tail -1)" "stats: $sum" \
    "summary line: every field as counted"

# reload onto another path: the old socket goes, the new one answers
ST2=$T_TMP/status2.sock
pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
status_socket: $ST2
stats_interval: 0"
kill -HUP "$PD_PID"
pd_wait_log "status socket on $ST2"; t_ok $? "SIGHUP: status socket moved"
t_ok "$([ ! -e "$ST" ]; echo $?)" "old socket file removed"
ST=$ST2
t_is "$(val requests)" 21 "counters kept across a reload"
pd_stop
t_is "$PD_RC" 0 "clean exit"
t_ok "$([ ! -e "$ST2" ]; echo $?)" "socket file removed at exit"

# classification: answers per class, exceptions, the verdict cache
ST=$T_TMP/status3.sock
printf 'clients: [ 192.0.2.50 ]\n' > "$T_TMP/exceptions.yaml"
pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
status_socket: $ST
tokens: $PWD/etc/tokens.yaml
exceptions: $T_TMP/exceptions.yaml"
pd_start
t_ok $? "policyd starts with classes and exceptions"
for r in "192.0.2.1 dsl-192-0-2-1.dyn.example.net" "192.0.2.1 dsl-192-0-2-1.dyn.example.net" \
    "192.0.2.2 mail.example.com" "192.0.2.50 dsl-192-0-2-50.dyn.example.net"; do
	pd_req $r
done | pd_raw "inet:127.0.0.1:$PORT" > "$T_TMP/out"
t_is "$(grep -c '^action=REJECT' "$T_TMP/out")" 2 "two refusals answered"
t_is "$(val answer_reject)" 2 "answer_reject 2"
t_is "$(val answer_dunno)" 2 "answer_dunno 2"
t_is "$(val class_dynamic)" 2 "class_dynamic 2 (one from the cache)"
t_is "$(val class_mail)" 1 "class_mail 1"
t_is "$(val class_unclassified)" 1 "the exception has no class"
t_is "$(val exceptions)" 1 "exceptions 1"
t_is "$(val vcache_hits)" 1 "vcache_hits 1"
t_is "$(val vcache_misses)" 2 "vcache_misses 2 (an exception asks no cache)"
grep -qx 'policyd_verdicts_total{class="dynamic"} 2' <<<"$(stats "stats prometheus")"
t_ok $? "prometheus: verdicts by class"
pd_stop

# a status socket that cannot be made: logged, policyd serves anyway
pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
status_socket: $T_TMP/no/such/dir/status.sock"
pd_start
t_ok $? "policyd starts although the status socket cannot be made"
grep -q 'status socket .* not available' "$PD_LOG"; t_ok $? "... and says so"
t_is "$(pd_req 192.0.2.9 | pd_raw "inet:127.0.0.1:$PORT")" "action=DUNNO" "... and answers"
pd_stop
pd_sanitizer_clean; t_ok $? "no sanitizer report"
t_done
