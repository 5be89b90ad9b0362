#!/bin/bash
# The verdict cache answers a client again with the class it had, for the
# same name only: a name that came as "unknown" (a DNS hiccup on Postfix's
# side) or a PTR that changed decides anew instead of being stuck for the
# cache's TTL.  Through the policy protocol.
. "$(dirname "$0")/lib/policyd.sh"

SPEC=inet:127.0.0.1:$PORT
pd_conf "listen: [ $SPEC ]
log: { requests: all }
tokens: $PWD/etc/tokens.yaml"
pd_start; t_ok $? "policyd starts"

# ask ADDR NAME N: the action, then the reason of the Nth log line for ADDR
ask() {
	local a
	a=$(pd_req "$1" "$2" | pd_raw "$SPEC" | cut -c1-13)
	pd_wait_log "client=${1//./\\.} " "$3"
	echo "$a $(grep "client=${1//./\\.} " "$PD_LOG" | sed -n "$3s/.* reason=\"\\([^\"]*\\)\".*/\\1/p")"
}
dyn=c-198-51-100-20.hsd1.ca.comcast.net
r=$(ask 198.51.100.20 mail.example.org 1)
[[ $r == *"by=server-word"* ]]; t_ok $? "a mail server name: class mail ($r)"
r=$(ask 198.51.100.20 mail.example.org 2)
[[ $r == "action=DUNNO"*"cached by=server-word"* ]]; t_ok $? "asked again: from the cache"
r=$(ask 198.51.100.20 "$dyn" 3)
[[ $r == "action=REJECT"* && $r != *cached* ]]; t_ok $? "the same address, another name: decided anew ($r)"
r=$(ask 198.51.100.20 "$dyn" 4)
[[ $r == "action=REJECT"*"cached by=access"* ]]; t_ok $? "... and that cached"

r=$(ask 198.51.100.21 unknown 1)
[[ $r == "action=DUNNO"*"by=no-ptr"* ]]; t_ok $? "no name (a hiccup): class unknown, DUNNO"
r=$(ask 198.51.100.21 c-198-51-100-21.hsd1.ca.comcast.net 2)
[[ $r == "action=REJECT"* && $r != *cached* ]]; t_ok $? "the name back: refused, not the cached unknown ($r)"

# a reload empties the cache: a changed classifier decides at once
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded'
t_ok $? "SIGHUP: configuration reloaded"
r=$(ask 198.51.100.20 "$dyn" 5)
[[ $r == "action=REJECT"* && $r != *cached* ]]; t_ok $? "after the reload: decided anew ($r)"
pd_stop
t_is "$PD_RC" 0 "policyd exits 0"
t_done
