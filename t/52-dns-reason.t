#!/bin/bash
# The DNS facts in the log are exactly the facts, on both paths: the first
# request for an address waits for its lookups (check_done), a repeated one
# is answered from the DNS cache at once (policy_dns_try); the verdict
# cache is off, so every repeat takes the DNS path.  The reason field of
# each line is compared whole, so nothing before or after the words may
# creep in (an outcome buffer appended to without being emptied first once
# put stack bytes there), and so is the class a DNSBL listing gives.  policyd runs under valgrind's memcheck when it
# is installed and the build has no sanitizer: an uninitialised read in
# these paths is then an error of its own.  Last, names are cached
# lowercased: capitals and small letters share one entry.
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/dns-room.sh
dns_room_fixtures_up

pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
log: { requests: all }
cache: { size: 0 }
dns:
  servers: [ \"$DNS_ROOM_SERVER\" ]
  forward_confirm: true
  dnsbl:
    - zone: pbl.test
      codes: { 127.0.0.10: dynamic, 127.0.0.11: static }"

vg=
if command -v valgrind > /dev/null && ! grep -qa -e __asan_init -e __ubsan_handle "$POLICYD"; then
	vg="valgrind -q --error-exitcode=99 --log-file=$T_TMP/valgrind.log"
	PD_WAIT_TRIES=600
fi
PD_WRAP=$vg pd_start
t_ok $? "policyd starts${vg:+ (under valgrind)}"

ask() {
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nclient_name=unknown\nreverse_client_name=unknown\nsender=a@example.org\nrecipient=b@example.net\n\n' \
	    "$1" | pd_raw "inet:127.0.0.1:$PORT" -t 30 > /dev/null
}
# reasons IP: the reason field of every log line for IP, one per line
reasons() {
	grep "client=$1 " "$PD_LOG" | sed -n 's/.* reason="\([^"]*\)" fw=.*/\1/p'
}
# check IP REASON WHAT: three requests, the first looked up, the others
# from the DNS cache; each line's reason must be REASON exactly.
check() {
	local ip=$1 want=$2 what=$3 got n
	for n in 1 2 3; do
		ask "$ip"
		pd_wait_log "client=${ip//./\\.} " "$n" || break
	done
	got=$(reasons "${ip//./\\.}")
	t_is "$got" "$(printf '%s\n%s\n%s' "$want" "$want" "$want")" \
	    "$what: the same reason, whole, looked up and from the DNS cache"
}
check 192.0.2.21 "by=access+ip ip=full-dashed(4/4) access=dsl,dyn ptr=dsl-192-0-2-21.dyn.example.net fcrdns=confirmed" \
    "PTR found and confirmed"
check 192.0.2.30 "by=nothing ptr=forged.example.net fcrdns=forged" "PTR not confirmed"
check 192.0.2.40 "by=dns ptr=none" "no PTR"
check 192.0.2.50 "by=dns ptr=none dnsbl=pbl.test:127.0.0.10" "DNSBL listed, no PTR"
# The class a DNSBL code gives, on both paths (the cache path once pointed
# at a buffer gone by the time the class was read).
got=$(grep 'client=192\.0\.2\.50 ' "$PD_LOG" | sed -n 's/.* class=\([a-z]*\) .*/\1/p' | tr '\n' ' ')
t_is "$got" "dynamic dynamic dynamic " "DNSBL 127.0.0.10 -> class dynamic, looked up and from the DNS cache"

# Names are looked up and cached lowercased: Postfix's unverified name in
# capitals is confirmed, and the same name in small letters then sends no
# query of its own.
ask_named() {
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nclient_name=unknown\nreverse_client_name=%s\nsender=a@example.org\nrecipient=b@example.net\n\n' \
	    "$1" "$2" | pd_raw "inet:127.0.0.1:$PORT" -t 30 > /dev/null
}
ask_named 192.0.2.20 DSL-192-0-2-20.DYN.Example.NET
pd_wait_log 'client=192\.0\.2\.20 ' 1
grep 'client=192\.0\.2\.20 ' "$PD_LOG" | grep -q 'fcrdns=confirmed'
t_ok $? "a name in capitals is looked up (lowercased) and confirmed"
q1=$(dns_room_queries 'dsl-192-0-2-20\.dyn\.example\.net\. A ')
ask_named 192.0.2.20 dsl-192-0-2-20.dyn.example.net
pd_wait_log 'client=192\.0\.2\.20 ' 2
q2=$(dns_room_queries 'dsl-192-0-2-20\.dyn\.example\.net\. A ')
t_is "$q1:$q2" "1:1" "the same name in small letters: answered from the cache (one A query in all)"

pd_stop
t_is "$PD_RC" 0 "policyd exits 0 on SIGTERM"
t_ok "$(pd_sanitizer_clean; echo $?)" "no sanitizer report"
if [ -n "$vg" ]; then
	errs=$(grep -c '' "$T_TMP/valgrind.log")
	t_is "$errs" 0 "valgrind: no error in policyd" || sed 's/^/#   /' "$T_TMP/valgrind.log" | head -40
fi
t_done
