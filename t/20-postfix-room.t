#!/bin/bash
# Real Postfix: a private instance (t/lib/postfix-room.sh) asks the policyd
# under test through check_policy_service; clients are impersonated with
# XCLIENT.  The SMTP reply and policyd's log line for the request are
# checked, for a refusing and a passing default_action (changed by SIGHUP),
# and for Postfix's own fallback when policyd is gone; postconf reads the
# snippet in etc/postfix-main.cf.
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/postfix-room.sh
postfix_room_check || room_skip "$POSTFIX_ROOM_WHY"

conf() {
	pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
default_action: \"$1\"
classes: { none: \"$1\" }
log: { requests: all }"
}

conf "REJECT policyd room refusal"
pd_start
t_ok $? "policyd starts on 127.0.0.1:$PORT"
postfix_room_start "inet:127.0.0.1:$PORT"
t_ok $? "private Postfix starts on 127.0.0.1:$POSTFIX_ROOM_PORT"

out=$(room_xclient 192.0.2.7 host.example.net)
rc=$?
t_is "$rc" 24 "REJECT default_action: swaks sees RCPT refused"
grep -q '^<\*\* *554 5.7.1 <user@room.test>: Recipient address rejected: policyd room refusal' <<<"$out"
t_ok $? "SMTP reply is 554 5.7.1 with policyd's text" || sed 's/^/#   /' <<<"$out" | tail -5
pd_wait_log 'client=192\.0\.2\.7 .*action="?REJECT'
t_ok $? "policyd logged the request with client=192.0.2.7 and the action"
grep -q 'client=192\.0\.2\.7 .*name="\?host\.example\.net' "$PD_LOG"
t_ok $? "policyd's log line carries the XCLIENT name"
grep -q 'NOQUEUE: reject: RCPT from host.example.net\[192.0.2.7\]: 554 5.7.1' "$POSTFIX_ROOM_LOG"
t_ok $? "Postfix logged the refusal for the impersonated client"

conf DUNNO
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded'
t_ok $? "SIGHUP: DUNNO configuration swapped in"
out=$(room_xclient 192.0.2.8 other.example.net)
t_is "$?" 0 "DUNNO: RCPT accepted"
grep -q '^<-  *250 2.1.5 Ok' <<<"$out"
t_ok $? "SMTP reply is 250 2.1.5" || sed 's/^/#   /' <<<"$out" | tail -5
pd_wait_log 'client=192\.0\.2\.8 .*action="?DUNNO'
t_ok $? "policyd logged the DUNNO answer for 192.0.2.8"

# XCLIENT NAME=[UNAVAILABLE]: Postfix hands policyd client_name=unknown.
out=$(room_xclient 192.0.2.9 '[UNAVAILABLE]')
t_is "$?" 0 "NAME=[UNAVAILABLE] with DUNNO and no DNS: accepted"
pd_wait_log 'client=192\.0\.2\.9 '
t_ok $? "policyd logged the request without a name"

# policyd gone: Postfix falls back to smtpd_policy_service_default_action.
pd_stop
out=$(room_xclient 192.0.2.10 host.example.net)
t_is "$?" 0 "policyd down: Postfix's default_action DUNNO applies"
grep -q 'warning: connect to 127.0.0.1:'"$PORT"': Connection refused' "$POSTFIX_ROOM_LOG"
t_ok $? "Postfix logged that the policy service was unreachable"

postfix_room_stop
t_ok $? "private Postfix stops"

# etc/postfix-main.cf as a main.cf of its own: postconf reads it without a
# warning, and the restriction is the one the README gives.
mkdir "$T_TMP/snippet"
cp etc/postfix-main.cf "$T_TMP/snippet/main.cf"
: > "$T_TMP/snippet/master.cf"
out=$(postconf -c "$T_TMP/snippet" -h smtpd_recipient_restrictions 2>&1)
grep -q 'reject_unauth_destination, check_policy_service { unix:private/policyd, default_action=DUNNO }$' <<<"$out" &&
    ! grep -qi 'warning\|fatal' <<<"$out" &&
    grep -qF 'check_policy_service { unix:private/policyd, default_action=DUNNO }' README.rst
t_ok $? "etc/postfix-main.cf: postconf reads it, the README's restriction" || sed 's/^/#   /' <<<"$out"
t_done
