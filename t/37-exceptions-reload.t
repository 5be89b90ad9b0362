#!/bin/bash
# The exceptions file is loaded with the configuration: on SIGHUP a good
# file replaces the list, a bad one is logged as FILE:LINE:COL and the
# running list stays; until: dates are honoured.  Through the policy
# protocol.
. "$(dirname "$0")/lib/policyd.sh"

SPEC=inet:127.0.0.1:$PORT
EXC=$T_TMP/exceptions.yaml
cat > "$EXC" <<EOF2
clients:
  - 198.51.100.7
  - { value: 198.51.100.8, until: 2001-01-01, comment: "long gone" }
EOF2
pd_conf "listen: [ $SPEC ]
tokens: $PWD/etc/tokens.yaml
exceptions: $EXC"
pd_start
t_ok $? "policyd starts with an exceptions file"
pd_wait_log 'classifier: exceptions=2 expired=1'
t_ok $? "start-up logs the entries and the expired ones"

ask() {         # addr -> the action line
	pd_req "$1" "c-${1//./-}.hsd1.ca.comcast.net" | pd_raw "$SPEC"
}
t_is "$(ask 198.51.100.7)" "action=DUNNO" "excepted broadband client: DUNNO"
t_is "$(ask 198.51.100.8 | cut -c1-13)" "action=REJECT" "expired entry: refused"
t_is "$(ask 198.51.100.9 | cut -c1-13)" "action=REJECT" "unlisted broadband client: refused"

# a broken file: every error logged, the running list kept
cat > "$EXC" <<EOF2
clients:
  - 198.51.100.9/24
  - { value: 198.51.100.7, until: someday }
EOF2
kill -HUP "$PD_PID"
pd_wait_log 'keeping the running configuration'
t_ok $? "SIGHUP with a bad exceptions file: running configuration kept"
grep -qF "$EXC:2:5: client: host bits set below the prefix length" "$PD_LOG"
t_ok $? "error logged as FILE:LINE:COL"
grep -qF "$EXC:3:35: bad until: date" "$PD_LOG"
t_ok $? "... every error"
t_is "$(ask 198.51.100.7)" "action=DUNNO" "old list still in force"

# a good file again: the new list applies, the cache is emptied
cat > "$EXC" <<EOF2
domains:
  - hsd1.ca.comcast.net
EOF2
kill -HUP "$PD_PID"
pd_wait_log 'classifier reloaded: exceptions=1'
t_ok $? "SIGHUP with a good file: new list"
t_is "$(ask 198.51.100.9)" "action=DUNNO" "cached refusal gone, domain exception applies"
pd_stop
t_is "$PD_RC" 0 "policyd exits 0"
t_done
