#!/bin/bash
# policyd's DNS counters in `stats`, against a real unbound on a loopback
# port (t/lib/dns-room.sh): lookups, queries and NXDOMAIN move as clients
# without a name are looked up, cache hits when the same PTR is asked
# again, failures against a server that answers SERVFAIL.
cd "$(dirname "$0")/.." || exit 1
. t/lib/dns-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"
[ -x policyd/policyd ] && [ -x t/lib/pclient ] || room_skip "build first (make)"

. t/lib/tap.sh
PD_PID=
pd_kill() { [ -n "$PD_PID" ] && kill "$PD_PID" 2>/dev/null && wait "$PD_PID" 2>/dev/null; PD_PID=; }
room_on_exit pd_kill

dns_room_init
dns_room_fixtures
dns_room_sink servfail
SERVFAIL=$DNS_ROOM_SINK_PORT
dns_room_start || { echo "Bail out! unbound did not start"; exit 1; }
D=$DNS_ROOM_DIR
PORT=$(t/lib/pclient -P)
ST=$D/status.sock

# pd_run SERVER: policyd with that name server, waiting until it answers
pd_run() {
	pd_kill
	cat > "$D/p.yaml" <<EOC
listen: [ "inet:127.0.0.1:$PORT" ]
status_socket: $ST
tokens: $PWD/etc/tokens.yaml
cache: { size: 0 }
dns: { servers: [ "$1" ], timeout_ms: 400 }
EOC
	: > "$D/policyd.log"
	policyd/policyd -c "$D/p.yaml" -f 2>>"$D/policyd.log" &
	PD_PID=$!
	room_wait_file "$D/policyd.log" 'started: |fatal'
}
req() {
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nclient_name=unknown\nreverse_client_name=unknown\n\n' "$1"
}
val() { printf 'stats\n' | t/lib/pclient -r -s "unix:$ST" | awk -v k="$1" '$1 == k { print $2 }'; }

pd_run "$DNS_ROOM_SERVER"
ok $? "policyd with the DNS room"
ok "$([ "$(val dns_lookups)" = 0 ]; echo $?)" "no lookup before a request"
{ req 192.0.2.20; req 192.0.2.40; } | t/lib/pclient -r -s "inet:127.0.0.1:$PORT" > "$D/out"
grep -q '^action=REJECT' "$D/out"; ok $? "the client with a dynamic PTR is refused"
l=$(val dns_lookups) q=$(val dns_queries) nf=$(val dns_notfound)
ok "$([ "${l:-0}" -ge 2 ]; echo $?)" "dns_lookups moved ($l)"
ok "$([ "${q:-0}" -ge 2 ]; echo $?)" "dns_queries moved ($q)"
ok "$([ "${nf:-0}" -ge 1 ]; echo $?)" "dns_notfound counts the missing PTR ($nf)"
ok "$([ "$(val dns_failures)" = 0 ]; echo $?)" "no DNS failure"
h0=$(val dns_cache_hits)
req 192.0.2.20 | t/lib/pclient -r -s "inet:127.0.0.1:$PORT" >/dev/null
h1=$(val dns_cache_hits)
ok "$([ "${h1:-0}" -gt "${h0:-0}" ]; echo $?)" "the same PTR again: a DNS cache hit ($h0 -> $h1)"

pd_run "127.0.0.1:$SERVFAIL"
ok $? "policyd with a server answering SERVFAIL"
req 192.0.2.20 | t/lib/pclient -r -s "inet:127.0.0.1:$PORT" > "$D/out"
grep -q '^action=' "$D/out"; ok $? "answered all the same"
f=$(val dns_failures)
ok "$([ "${f:-0}" -ge 1 ]; echo $?)" "dns_failures moved ($f)"
grep -qx 'policyd_dns_failures_total [1-9][0-9]*' <<<"$(printf 'stats prometheus\n' | t/lib/pclient -r -s "unix:$ST")"
ok $? "prometheus: policyd_dns_failures_total"
pd_kill
! grep -Eq 'AddressSanitizer|runtime error:' "$D/policyd.log"; ok $? "no sanitizer report"
tap_plan
[ "$t_fail" = 0 ]
