#!/bin/bash
# DNS through policyd itself, against unbound (t/lib/dns-room.sh), and
# through a real Postfix (t/lib/postfix-room.sh): names policyd finds (PTR,
# forward confirmation), DNSBL classes, class unknown for no PTR, the
# tempfail action at the DNS deadline; a client whose lookups hang does not
# hold up excepted, cached or named clients on other connections (the order
# of the answers is checked, not times); a repeated request sends no query;
# -q --dns; XCLIENT NAME=[UNAVAILABLE] for a broadband PTR is refused;
# reloads through configurations with and without dns: end with the last
# one's servers.
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/dns-room.sh
. t/lib/postfix-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"

dns_room_init
dns_room_fixtures
dns_room_ptr 192.0.2.44 dsl-192-0-2-44.dyn.example.net
dns_room_sink drop
dns_room_forward 3.0.198.in-addr.arpa "127.0.0.1@$DNS_ROOM_SINK_PORT"
dns_room_start || { echo "Bail out! unbound did not start"; exit 1; }

printf 'clients:\n  - 198.0.3.77\n' > "$T_TMP/exceptions.yaml"
pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
exceptions: exceptions.yaml
log: { requests: all }
dns:
  servers: [ \"$DNS_ROOM_SERVER\" ]
  timeout_ms: 1500
  forward_confirm: true
  tempfail_action: \"DEFER_IF_PERMIT dns lookups failed, try later\"
  dnsbl:
    - zone: pbl.test
      codes: { 127.0.0.10: dynamic, 127.0.0.11: static }"
pd_start
t_ok $? "policyd starts with a dns: section"

# req IP [NAME]: client_name and reverse_client_name as Postfix sends them
# when it has no name (both "unknown"), or NAME for both (verified).
req() {
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nclient_name=%s\nreverse_client_name=%s\nsender=a@example.org\nrecipient=b@example.net\n\n' \
	    "$1" "${2:-unknown}" "${2:-unknown}"
}
ask() { req "$@" | pd_raw "inet:127.0.0.1:$PORT" -t 10; }
logline() { pd_wait_log "client=$1 " "${2:-1}"; grep "client=$1 " "$PD_LOG" | tail -1; }

out=$(ask 192.0.2.21)
case $out in action=REJECT\ broadband-dynamic*) t_ok 0 "PTR found by policyd, classified dynamic: REJECT" ;;
*) t_ok 1 "PTR found by policyd, classified dynamic: REJECT"; echo "#   $out" ;; esac
l=$(logline 192\\.0\\.2\\.21)
grep -q 'ptr=dsl-192-0-2-21\.dyn\.example\.net fcrdns=confirmed' <<<"$l"
t_ok $? "log: the PTR name and its confirmation" || echo "#   $l"

out=$(ask 192.0.2.30)
t_is "$out" "$(printf 'action=DUNNO\n\n')" "PTR not confirmed, name says nothing: DUNNO"
l=$(logline 192\\.0\\.2\\.30)
grep -q 'fcrdns=forged' <<<"$l"
t_ok $? "log: the reason names forged" || echo "#   $l"

out=$(ask 192.0.2.40)
t_is "$out" "$(printf 'action=DUNNO\n\n')" "no PTR: class unknown, its action (DUNNO)"
l=$(logline 192\\.0\\.2\\.40)
grep -q 'class=unknown .*ptr=none' <<<"$l"
t_ok $? "log: class unknown, ptr=none" || echo "#   $l"

out=$(ask 192.0.2.51 mail.example.org)
case $out in action=REJECT\ broadband-static*) t_ok 0 "DNSBL 127.0.0.11 -> static: REJECT, even with a name" ;;
*) t_ok 1 "DNSBL 127.0.0.11 -> static: REJECT, even with a name"; echo "#   $out" ;; esac

# The cache: the same request again sends no query.
q1=$(dns_room_queries '21\.2\.0\.192')
ask 192.0.2.21 > /dev/null
logline 192\\.0\\.2\\.21 2 > /dev/null
q2=$(dns_room_queries '21\.2\.0\.192')
t_is "$q2" "$q1" "second identical request: no new query ($q1 in unbound's log)"

# A hanging client on one connection; excepted, cached and named clients on
# another, sent after it; theirs come back first, the hanging one gets the
# tempfail action at the DNS deadline.
order=$T_TMP/order
: > "$order"
{ ask 198.0.3.5 > "$T_TMP/hang.out"; echo hang >> "$order"; } &
hangjob=$!
sleep 0.2                             # the hanging request is in
{ req 198.0.3.77; req 192.0.2.21; req 192.0.2.99 mail.example.org; } |
    pd_raw "inet:127.0.0.1:$PORT" -t 10 > "$T_TMP/others.out"
echo others >> "$order"
wait "$hangjob"
t_is "$(tr '\n' ' ' < "$order")" "others hang " "excepted, cached and named clients answered before the hanging one"
t_is "$(grep -c '^action=' "$T_TMP/others.out")" 3 "three answers for the others"
t_is "$(cat "$T_TMP/hang.out")" "$(printf 'action=DEFER_IF_PERMIT dns lookups failed, try later\n\n')" \
    "the hanging client: tempfail_action at the deadline"
l=$(logline 198\\.0\\.3\\.5)
grep -q 'dns=tempfail .*dns_tempfail=PTR:deadline' <<<"$l"
t_ok $? "log: dns=tempfail, PTR deadline" || echo "#   $l"
l=$(logline 198\\.0\\.3\\.77)
grep -q 'exception=' <<<"$l"
t_ok $? "the excepted client passed by its exception" || echo "#   $l"
t_is "$(dns_room_queries '77\.3\.0\.198')" 0 "no lookup for the excepted client"

# -q --dns: live lookups, explained.
p1=$(dns_room_queries '21\.2\.0\.192\.in-addr\.arpa\. PTR')
f1=$(dns_room_queries 'dsl-192-0-2-21\.dyn\.example\.net\. A ')
out=$($POLICYD -c "$PD_CONF" -q - 192.0.2.21 --dns 2>/dev/null)
grep -q '^ptr: found dsl-192-0-2-21.dyn.example.net' <<<"$out" &&
    grep -q '^forward: confirmed' <<<"$out" && grep -q '^class: dynamic' <<<"$out"
t_ok $? "-q --dns: PTR, confirmation and class" || sed 's/^/#   /' <<<"$out"
# the explanation and the verdict after it share the answers: one query each
t_is "$(( $(dns_room_queries '21\.2\.0\.192\.in-addr\.arpa\. PTR') - p1 )) $((
    $(dns_room_queries 'dsl-192-0-2-21\.dyn\.example\.net\. A ') - f1 ))" "1 1" \
    "-q --dns: one PTR and one A query, explained and decided"
out=$($POLICYD -c "$PD_CONF" -q - 192.0.2.50 --dns 2>/dev/null)
grep -q '^dnsbl pbl.test: listed 127.0.0.10' <<<"$out"
t_ok $? "-q --dns: DNSBL listing" || sed 's/^/#   /' <<<"$out"
printf 'dns:\n  servers: [ "%s" ]\n  ptr: false\n  dnsbl:\n%s\n%s\n' \
    "$DNS_ROOM_SERVER" "    - { zone: pbl.test, codes: { 127.0.0.10: dynamic } }" \
    "    - { zone: bl.test, codes: { 127.0.0.10: dynamic } }" > "$T_TMP/q2.yaml"
out=$($POLICYD -c "$T_TMP/q2.yaml" -q - 192.0.2.50 --dns 2>/dev/null)
grep -q '^dnsbl pbl.test: listed 127.0.0.10' <<<"$out" &&
    grep -q '^dnsbl bl.test: not listed' <<<"$out"
t_ok $? "-q --dns: bl.test, the end of pbl.test's name, is not listed with it" ||
    sed 's/^/#   /' <<<"$out"
q1=$(dns_room_queries)
$POLICYD -c "$PD_CONF" -q unknown 192.0.2.60 > /dev/null 2>&1
t_is "$(dns_room_queries)" "$q1" "-q without --dns looks nothing up"

# SIGHUP with other servers: the channel is rebuilt (a SERVFAIL sink now).
dns_room_sink servfail
sed -i "s/servers: \[ \"$DNS_ROOM_SERVER\" \]/servers: [ \"127.0.0.1:$DNS_ROOM_SINK_PORT\" ]/" "$PD_CONF"
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded'
t_ok $? "SIGHUP: new dns servers"
out=$(ask 192.0.2.41)
t_is "$out" "$(printf 'action=DEFER_IF_PERMIT dns lookups failed, try later\n\n')" \
    "SERVFAIL from the new server: tempfail_action"
l=$(logline 192\\.0\\.2\\.41)
grep -q 'dns_tempfail=PTR:servfail' <<<"$l"
t_ok $? "log: PTR:servfail, not NXDOMAIN" || echo "#   $l"
sed -i "s/servers: \[ \"127.0.0.1:$DNS_ROOM_SINK_PORT\" \]/servers: [ \"$DNS_ROOM_SERVER\" ]/" "$PD_CONF"
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded' 2


# Through a real Postfix: NAME=[UNAVAILABLE] (client_name unknown), the PTR
# names a broadband host: refused.
if postfix_room_check; then
	postfix_room_start "inet:127.0.0.1:$PORT"
	t_ok $? "private Postfix starts"
	out=$(room_xclient 192.0.2.21 '[UNAVAILABLE]')
	t_is "$?" 24 "XCLIENT NAME=[UNAVAILABLE], PTR dsl-...dyn.example.net: RCPT refused"
	grep -q '^<\*\* *554 5.7.1 .*broadband-dynamic' <<<"$out"
	t_ok $? "554 5.7.1 broadband-dynamic" || sed 's/^/#   /' <<<"$out" | tail -4
	out=$(room_xclient 192.0.2.10 '[UNAVAILABLE]')
	t_is "$?" 0 "XCLIENT NAME=[UNAVAILABLE], PTR mail.example.net: accepted"
else
	echo "# skipped the Postfix part: $POSTFIX_ROOM_WHY"
fi
pd_stop
t_is "$PD_RC" 0 "policyd exits 0 on SIGTERM"
t_ok "$(pd_sanitizer_clean; echo $?)" "no sanitizer report"

# Reloads through configurations with and without dns:, on a policyd of
# its own: u (unbound), n (no dns:), s (the SERVFAIL sink).  The last one's
# servers are in force.  (A new configuration allocated where a freed one
# was is the case t/dnscache.c tests; here the allocator decides.)
printf 'listen: [ "inet:127.0.0.1:%s" ]\nlog: { requests: all }\n' "$PORT" > "$T_TMP/n.yaml"
for c in "u $DNS_ROOM_SERVER" "s 127.0.0.1:$DNS_ROOM_SINK_PORT"; do
	read -r c srv <<< "$c"
	printf 'dns:\n  servers: [ "%s" ]\n  timeout_ms: 500\n' "$srv" |
	    cat "$T_TMP/n.yaml" - > "$T_TMP/$c.yaml"
done
cp "$T_TMP/u.yaml" "$PD_CONF"
PD_LOG=$T_TMP/policyd-reloads.log
pd_start
n=0
for c in u n s n u n s n u n s; do
	cp "$T_TMP/$c.yaml" "$PD_CONF"
	kill -HUP "$PD_PID"
	n=$((n + 1))
	pd_wait_log 'configuration reloaded' $n
	ask 192.0.2.43 > /dev/null
done
ask 192.0.2.44 > /dev/null      # a new client, its PTR a DSL name
pd_wait_log 'client=192\.0\.2\.44 '
grep -q 'client=192.0.2.44 .*dns_tempfail=PTR:servfail' "$PD_LOG"
t_ok $? "11 reloads through configurations with and without dns:: the last one's servers" ||
    grep 'client=192.0.2.44 ' "$PD_LOG" | sed 's/^/#   /'

pd_stop
t_is "$PD_RC" 0 "that policyd exits 0 too"
t_ok "$(pd_sanitizer_clean; echo $?)" "no sanitizer report"
t_done
