#!/bin/bash
# policyd on a loopback port and a unix socket: exact replies, 1000
# requests on one connection, 200 connections at once, pipelining, the log
# line, -n, and a clean exit on SIGTERM.
. "$(dirname "$0")/lib/policyd.sh"

out=$($POLICYD -c etc/policyd.yaml -n 2>&1)
t_is "$out" "configuration OK" "-n: etc/policyd.yaml is OK"
out=$($POLICYD -c t/data/config/bad-sections.yaml -n 2>&1)
rc=$?
t_is "$rc" 78 "-n: bad file exits 78 (EX_CONFIG)"
t_is "$out" "$(cat t/data/config/bad-sections.err)" "-n: every error, FILE:LINE:COL"

pd_conf "listen:
  - inet:127.0.0.1:$PORT
  - { address: \"unix:$SOCK\", mode: \"0600\" }
log: { requests: all }"
pd_start
t_ok $? "policyd starts on inet:127.0.0.1:$PORT and unix:$SOCK"

pd_req 192.0.2.1 host.example > "$T_TMP/req"
pd_raw "inet:127.0.0.1:$PORT" < "$T_TMP/req" > "$T_TMP/out"
printf 'action=DUNNO\n\n' > "$T_TMP/want"
cmp -s "$T_TMP/out" "$T_TMP/want"
t_ok $? "inet: reply is exactly action=DUNNO and an empty line"
pd_raw "unix:$SOCK" < "$T_TMP/req" > "$T_TMP/out"
cmp -s "$T_TMP/out" "$T_TMP/want"
t_ok $? "unix: reply is exactly action=DUNNO and an empty line"
t_is "$(stat -c %a "$SOCK")" 600 "unix socket mode as configured"

# two requests in one write, CRLF line ends on the second
{ pd_req 192.0.2.2; printf 'request=smtpd_access_policy\r\nclient_address=2001:db8::7\r\n\r\n'; } |
	pd_raw "inet:127.0.0.1:$PORT" > "$T_TMP/out"
printf 'action=DUNNO\n\naction=DUNNO\n\n' > "$T_TMP/want"
cmp -s "$T_TMP/out" "$T_TMP/want"
t_ok $? "two requests in one write (LF, CRLF): two replies"

$PCLIENT -s "inet:127.0.0.1:$PORT" -c 1 -n 1000 -e DUNNO > "$T_TMP/p1"
t_ok $? "1000 requests on one connection: $(cat "$T_TMP/p1")"
$PCLIENT -s "inet:127.0.0.1:$PORT" -c 200 -n 5 -e DUNNO > "$T_TMP/p2"
t_ok $? "200 concurrent connections: $(cat "$T_TMP/p2")"
$PCLIENT -s "unix:$SOCK" -c 4 -n 500 -p 32 -e DUNNO > "$T_TMP/p3"
t_ok $? "pipelined, 32 in flight per connection: $(cat "$T_TMP/p3")"
$PCLIENT -s "inet:127.0.0.1:$PORT" -c 2 -n 50 -f ../shared/corpus/rdns-dev.tsv \
	> "$T_TMP/p4" 2>&1 || [ ! -f ../shared/corpus/rdns-dev.tsv ]
t_ok $? "requests built from the corpus"

# the log line: escaped, cut, key=value
printf 'request=smtpd_access_policy\nclient_address=192.0.2.66\nclient_name=evil"name\\\001x\nhelo_name=%s\n\n' \
	"$(head -c 3000 /dev/zero | tr '\0' h)" | pd_raw "inet:127.0.0.1:$PORT" > /dev/null
pd_wait_log 'client=192\.0\.2\.66 '
t_ok $? "one log line for the request"
line=$(grep 'client=192\.0\.2\.66 ' "$PD_LOG")
case $line in
*'name="evil\x22name\x5c\x01x"'*) t_ok 0 "client_name escaped" ;;
*) t_ok 1 "client_name escaped"; echo "# $line" ;;
esac
case $line in
*'helo="hhhh'*'..."'*) t_ok 0 "long helo_name cut" ;;
*) t_ok 1 "long helo_name cut" ;;
esac
grep -Eq ' state=- action="[^"]+" class=[a-z-]+ reason="[^"]*" fw=[^ ]+ duration_ms=[0-9]+\.[0-9]{3}$' <<< "$line"
t_ok $? "action, class, reason, fw, duration" || echo "# $line"
[ ${#line} -lt 600 ]
t_ok $? "log line bounded (${#line} bytes)"

pd_stop
t_is "$PD_RC" 0 "SIGTERM: exit 0"
grep -q 'stopped' "$PD_LOG"
t_ok $? "logged its stop"
pd_sanitizer_clean
t_ok $? "no sanitizer report"
[ ! -e "$SOCK" ]
t_ok $? "unix socket removed at exit"

t_done
