#!/bin/bash
# Under systemd, stderr is the journal's stream (JOURNAL_STREAM=DEV:INO):
# lines are then "<N>text", N the syslog priority that journald files
# them under, without "policyd[PID]: ", which journald adds itself (it
# was there twice).  Any other stderr keeps "policyd[PID]: text".  Here
# the log file plays the stream: JOURNAL_STREAM names its device and inode.
. "$(dirname "$0")/lib/policyd.sh"

SPEC=inet:127.0.0.1:$PORT
pd_conf "listen: [ $SPEC ]
tokens: $PWD/etc/tokens.yaml
log: { requests: all }"
: > "$PD_LOG"
export JOURNAL_STREAM=$(stat -c '%d:%i' "$PD_LOG")
pd_start
t_ok $? "policyd starts with stderr as the journal's stream"
pd_req 198.51.100.9 c-198-51-100-9.hsd1.ca.comcast.net | pd_raw "$SPEC" >/dev/null
printf 'request=smtpd_access_policy\nbogus line\n\n' | pd_raw "$SPEC" >/dev/null
pd_wait_log '^<6>client=198\.51\.100\.9 .*action="REJECT'
t_ok $? "a request's line: <6> (info), the text at once"
pd_wait_log '^<4>warning: .*malformed request'
t_ok $? "a warning: <4>warning: ..."
grep -q '^<6>started: ' "$PD_LOG"
t_ok $? "the start-up line: <6>started: ..."
t_is "$(grep -c 'policyd\[' "$PD_LOG")" 0 "no policyd[PID]: prefix anywhere"
pd_stop
t_is "$PD_RC" 0 "policyd exits 0"

# a configuration that does not load: its errors as errors (<3>), so
# that journalctl -p err shows why the service did not start
printf 'bogus: 1\n' > "$T_TMP/bad.yaml"
: > "$T_TMP/err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T_TMP/err") \
    $POLICYD -c "$T_TMP/bad.yaml" -f 2>> "$T_TMP/err"
t_is "$?" 78 "a bad configuration: exit 78"
grep -q "^<3>$T_TMP/bad.yaml:1:1: unknown key" "$T_TMP/err"
t_ok $? "its error line starts with <3>: $(head -1 "$T_TMP/err")"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T_TMP/err") ./firewall-helper/firewall-helper \
    -c "$T_TMP/bad.yaml" -f 2> "$T_TMP/err"
grep -q "^<3>$T_TMP/bad.yaml:1:1: " "$T_TMP/err"
t_ok $? "the helper's too: $(head -1 "$T_TMP/err")"

JOURNAL_STREAM=1:2              # not this stderr's
pd_start
t_ok $? "policyd starts, JOURNAL_STREAM naming another stream"
grep -Eq '^policyd\[[0-9]+\]: started: ' "$PD_LOG"
t_ok $? "plain lines then: policyd[PID]: started: ..."
pd_stop
unset JOURNAL_STREAM
t_done
