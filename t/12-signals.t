#!/bin/bash
# SIGHUP swaps in a good configuration and keeps the running one when the
# file is broken (logging every error); open connections are unaffected.
# SIGTERM stops accepting, answers what was already received, exits 0.
# Started in the background with a relative -c path, SIGHUP still finds it.
. "$(dirname "$0")/lib/policyd.sh"

SPEC=inet:127.0.0.1:$PORT
pd_conf "listen: [ $SPEC ]"
pd_start
t_ok $? "policyd starts"
printf 'action=DUNNO\n\n' > "$T_TMP/dunno"
pd_req 192.0.2.1 | pd_raw "$SPEC" > "$T_TMP/out"
cmp -s "$T_TMP/out" "$T_TMP/dunno"
t_ok $? "answers DUNNO"

# a connection that stays open across the reloads
$PCLIENT -s "$SPEC" -c 2 -n 30 -d 30 > "$T_TMP/bg" 2>&1 &
bg=$!
pd_wait_log 'request for client' 3

pd_conf "listen: [ $SPEC ]
classes: { unknown: REJECT test one }"
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded'
t_ok $? "SIGHUP with a good file: reloaded"
pd_req 192.0.2.2 | pd_raw "$SPEC" > "$T_TMP/out"
t_is "$(cat "$T_TMP/out")" "action=REJECT test one" "new classes: action answered"

pd_conf "listen: [ $SPEC ]
default_action: REJECTED
mode: maybe
colour: blue"
kill -HUP "$PD_PID"
pd_wait_log 'keeping the running configuration'
t_ok $? "SIGHUP with a broken file: keeps the running configuration"
for e in "$PD_CONF:2:17: default_action: unknown action" \
	"$PD_CONF:3:7: \"maybe\" is not one of" \
	"$PD_CONF:4:1: unknown key \"colour\""; do
	grep -qF -- "$e" "$PD_LOG"
	t_ok $? "error logged: ${e#$T_TMP/}"
done
pd_req 192.0.2.3 | pd_raw "$SPEC" > "$T_TMP/out"
t_is "$(cat "$T_TMP/out")" "action=REJECT test one" "still the previous configuration"

wait $bg
t_ok $? "connection open across the reloads unaffected: $(cat "$T_TMP/bg")"

# drain: answers take 300 ms; three requests pipelined on one connection
# and one more on another are in flight when SIGTERM comes.
pd_conf "listen: [ $SPEC ]
debug: { delay_ms: 300 }"
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded' 2
# a client that resets its connection while its answer waits: the job is
# cancelled (no answer, no log line for it), the others go on
pd_req 192.0.2.77 | pd_raw "$SPEC" -R
pd_wait_log "127\.0\.0\.1:[0-9]+: read: Connection reset by peer"
t_ok $? "client resets its connection while the answer waits: reset seen"
sleep 0.5
! grep -q 'client=192\.0\.2\.77 ' "$PD_LOG"
t_ok $? "its job was cancelled: never answered"
pd_req 192.0.2.78 | pd_raw "$SPEC" > "$T_TMP/out"
cmp -s "$T_TMP/out" "$T_TMP/dunno"
t_ok $? "the next client answered"

{ pd_req 192.0.2.10; pd_req 192.0.2.11; pd_req 192.0.2.12; } |
	pd_raw "$SPEC" -k -t 10 > "$T_TMP/drain1" &
r1=$!
pd_req 192.0.2.13 | pd_raw "$SPEC" -k -t 10 > "$T_TMP/drain2" &
r2=$!
pd_wait_log 'request for client (192\.0\.2\.10|192\.0\.2\.13)' 2
kill -TERM "$PD_PID"
pd_wait_log 'stopping: answering'
t_ok $? "SIGTERM: stopping"
wait $r1
t_ok $? "pipelined connection closed by the server after its answers"
printf 'action=DUNNO\n\naction=DUNNO\n\naction=DUNNO\n\n' > "$T_TMP/want3"
cmp -s "$T_TMP/drain1" "$T_TMP/want3"
t_ok $? "all three requests in flight answered"
wait $r2
cmp -s "$T_TMP/drain2" "$T_TMP/dunno"
t_ok $? "the other connection's request answered"
wait "$PD_PID"
PD_RC=$?
PD_PID=
t_is "$PD_RC" 0 "exit 0 after the drain"
grep -q 'client=192\.0\.2\.13 name="unknown" .* state=RCPT .*duration_ms=' "$PD_LOG"
t_ok $? "an answer that waited is logged with the request's names"
pd_sanitizer_clean
t_ok $? "no sanitizer report"

# In the background (daemon(), which moves to "/") with -c a relative path:
# SIGHUP still reloads that file (the new status socket appears).
name=reload-$$.yaml
printf 'listen: [ %s ]\nstatus_socket: %s/s1.sock\n' "$SPEC" "$T_TMP" > "$T_TMP/$name"
top=$PWD
(cd "$T_TMP" && "$top/$POLICYD" -c "$name" 2> "$T_TMP/bg.err")
t_is "$?" 0 "started in the background with -c $name"
for _ in $(seq 1 100); do [ -S "$T_TMP/s1.sock" ] && break; sleep 0.05; done
bgpid=$(pgrep -f -- "-c $name\$")
sed -i "s|s1.sock|s2.sock|" "$T_TMP/$name"
kill -HUP "$bgpid"
for _ in $(seq 1 100); do [ -S "$T_TMP/s2.sock" ] && break; sleep 0.05; done
[ -S "$T_TMP/s2.sock" ]
t_ok $? "SIGHUP reloaded the relative path (cwd is now $(readlink "/proc/$bgpid/cwd"))"
kill -TERM "$bgpid"
for _ in $(seq 1 100); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.05; done
! kill -0 "$bgpid" 2>/dev/null
t_ok $? "and stops on SIGTERM"
t_done
