#!/bin/bash
# log: { requests: acted } logs the answers that refuse or warn, and in
# mode warn the ones that would have (DUNNO with would=), not those that
# pass anyway: a warn-mode trial must leave its lines.
. "$(dirname "$0")/lib/policyd.sh"

SPEC=inet:127.0.0.1:$PORT
conf() {        # MODE [CLASSES LINE]
	pd_conf "listen: [ $SPEC ]
tokens: $PWD/etc/tokens.yaml
mode: $1
${2:-}
log: { requests: acted }"
}
ask() { pd_req "$1" "$2" | pd_raw "$SPEC" | head -1; }
logged() { grep -c "client=$1 " "$PD_LOG"; }
DYN=c-198-51-100-9.hsd1.ca.comcast.net

conf enforce
pd_start
t_ok $? "policyd starts, log.requests: acted"
t_is "$(ask 198.51.100.9 "$DYN" | cut -c1-13)" "action=REJECT" "broadband client refused"
t_is "$(ask 192.0.2.25 mail.example.org)" "action=DUNNO" "mail server passes"
pd_wait_log 'client=198\.51\.100\.9 .*action="REJECT'
t_ok $? "the refusal is logged"
conf warn
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded'
t_ok $? "reloaded with mode: warn"
t_is "$(ask 198.51.100.10 c-198-51-100-10.hsd1.ca.comcast.net)" "action=DUNNO" "mode warn: the broadband client passes"
t_is "$(ask 192.0.2.26 mail.example.org)" "action=DUNNO" "the mail server passes"
pd_wait_log 'client=198\.51\.100\.10 .*would=REJECT'
t_ok $? "what would have been refused is logged, with would="
conf warn "classes: { dynamic: dunno }"      # DUNNO in any case passes
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded' 2
t_ok $? "reloaded: mode warn, class dynamic answered \"dunno\""
t_is "$(ask 198.51.100.11 c-198-51-100-11.hsd1.ca.comcast.net)" "action=dunno" "dynamic: dunno"
pd_stop
t_is "$(logged '192\.0\.2\.2[56]')" 0 "answers that pass anyway are not logged"
t_is "$(logged '198\.51\.100\.11')" 0 "... nor a \"dunno\" in mode warn"
t_is "$PD_RC" 0 "policyd exits 0"
t_done
