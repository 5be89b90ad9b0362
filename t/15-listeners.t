#!/bin/bash
# Listeners: IPv6 loopback, a stale unix socket file replaced after a
# crash, a live one (another policyd) refused, a non-socket file refused.
. "$(dirname "$0")/lib/policyd.sh"

printf 'action=DUNNO\n\n' > "$T_TMP/want"

if $PCLIENT -P > /dev/null && perl -MIO::Socket::IP -e \
    'IO::Socket::IP->new(LocalHost => "::1", Listen => 1) or exit 1' 2>/dev/null; then
	pd_conf "listen: [ \"inet:[::1]:$PORT\" ]"
	pd_start
	t_ok $? "starts on inet:[::1]:$PORT"
	pd_req 2001:db8::1 | pd_raw "inet:[::1]:$PORT" > "$T_TMP/out"
	cmp -s "$T_TMP/out" "$T_TMP/want"
	t_ok $? "answers over IPv6"
	pd_stop
	t_is "$PD_RC" 0 "exit 0"
else
	t_ok 0 "# SKIP no IPv6 loopback"
fi

pd_conf "listen: [ \"unix:$SOCK\" ]"
pd_start
t_ok $? "starts on unix:$SOCK"
kill -KILL "$PD_PID"
wait "$PD_PID" 2>/dev/null
PD_PID=
[ -S "$SOCK" ]
t_ok $? "killed: the socket file stays"
pd_start
t_ok $? "restarts over the stale socket file"
pd_req 192.0.2.1 | pd_raw "unix:$SOCK" > "$T_TMP/out"
cmp -s "$T_TMP/out" "$T_TMP/want"
t_ok $? "answers"

"$POLICYD" -c "$PD_CONF" -f 2> "$T_TMP/second.log"
rc=$?
[ $rc != 0 ] && grep -q 'another process is listening' "$T_TMP/second.log"
t_ok $? "a second policyd on the live socket refuses to start (exit $rc)"
pd_req 192.0.2.2 | pd_raw "unix:$SOCK" > "$T_TMP/out"
cmp -s "$T_TMP/out" "$T_TMP/want"
t_ok $? "the first one still answers"
pd_stop
t_is "$PD_RC" 0 "exit 0"

echo "not a socket" > "$T_TMP/file"
pd_conf "listen: [ \"unix:$T_TMP/file\" ]"
"$POLICYD" -c "$PD_CONF" -f 2> "$T_TMP/third.log"
rc=$?
[ $rc != 0 ] && grep -q 'not a socket' "$T_TMP/third.log" && [ -f "$T_TMP/file" ]
t_ok $? "a regular file in the way is an error, left alone (exit $rc)"
pd_sanitizer_clean
t_ok $? "no sanitizer report"
t_done
