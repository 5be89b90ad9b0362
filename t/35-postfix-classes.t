#!/bin/bash
# Real Postfix with the classifier on: a broadband client gets the
# configured 5xx text, a mail server passes, an excepted broadband client
# passes, mail to postmaster@ passes, and after SIGHUP to `mode: warn`
# everyone passes while policyd logs what enforce would have answered.
# Clients are impersonated with XCLIENT (t/lib/postfix-room.sh).
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/postfix-room.sh
postfix_room_check || room_skip "$POSTFIX_ROOM_WHY"

BB_TEXT="broadband-dynamic: relay through your ISP"
cat > "$T_TMP/exceptions.yaml" <<EOF
clients:
  - { value: 198.51.100.77, comment: "excepted broadband" }
EOF
conf() {
	pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
mode: $1
tokens: $PWD/etc/tokens.yaml
exceptions: exceptions.yaml
classes:
  dynamic: \"550 5.7.1 $BB_TEXT\"
dns: { servers: [ \"127.0.0.1:9\" ], timeout_ms: 300 }
log: { requests: all }"
}

conf enforce
pd_start
t_ok $? "policyd starts (classifier, tokens and exceptions files)"
postfix_room_start "inet:127.0.0.1:$PORT"
t_ok $? "private Postfix starts on 127.0.0.1:$POSTFIX_ROOM_PORT"

# a cable subscriber: refused with the configured text
out=$(room_xclient 73.47.72.35 c-73-47-72-35.hsd1.nh.comcast.net)
t_is "$?" 24 "broadband client: RCPT refused"
grep -q "^<\*\* *550 5.7.1 <user@room.test>: Recipient address rejected: $BB_TEXT" <<<"$out"
t_ok $? "SMTP reply is the configured 550 5.7.1 text" || sed 's/^/#   /' <<<"$out" | tail -4
pd_wait_log 'client=73\.47\.72\.35 .*class=dynamic .*ip=full-dashed'
t_ok $? "policyd logged class=dynamic with the signals"
grep -q 'NOQUEUE: reject: RCPT from c-73-47-72-35.hsd1.nh.comcast.net\[73.47.72.35\]: 550 5.7.1' "$POSTFIX_ROOM_LOG"
t_ok $? "Postfix logged the refusal"

# an ESP's outbound relay with the address in its name: passes
out=$(room_xclient 162.62.58.211 out162-62-58-211.mail.qq.com)
t_is "$?" 0 "mail server: RCPT accepted"
pd_wait_log 'client=162\.62\.58\.211 .*action="?DUNNO"? class=mail'
t_ok $? "policyd logged class=mail"

# a broadband client listed in the exceptions file: passes
out=$(room_xclient 198.51.100.77 c-198-51-100-77.hsd1.ca.comcast.net)
t_is "$?" 0 "excepted broadband client: RCPT accepted"
pd_wait_log 'client=198\.51\.100\.77 .*exception=client 198\.51\.100\.77/32 \(line 2: excepted broadband\)'
t_ok $? "policyd logged which exception matched"

# postmaster@ is always reachable, even from a refused client
out=$(room_xclient 73.47.72.36 c-73-47-72-36.hsd1.nh.comcast.net --to postmaster@room.test)
t_is "$?" 0 "broadband client to postmaster@: RCPT accepted"

# mode: warn - everyone passes, the log says what enforce would answer
conf warn
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded'
t_ok $? "SIGHUP: mode warn swapped in"
out=$(room_xclient 73.47.72.37 c-73-47-72-37.hsd1.nh.comcast.net)
t_is "$?" 0 "mode warn: broadband client accepted"
pd_wait_log "client=73\.47\.72\.37 .*action=\"?DUNNO\"? class=dynamic .*would=550 5\.7\.1 $BB_TEXT"
t_ok $? "mode warn: policyd logged would=<the enforce answer>"
out=$(room_xclient 73.47.72.35 c-73-47-72-35.hsd1.nh.comcast.net)
t_is "$?" 0 "mode warn: the client refused before is accepted (cache emptied)"

pd_stop
t_is "$PD_RC" 0 "policyd exits 0"
pd_sanitizer_clean
t_ok $? "no sanitizer report"
postfix_room_stop
t_done
