#!/bin/bash
# The DNS test room itself: unbound on a loopback port answers the shared
# fixtures, refuses to recurse, logs every query; the sinks misbehave as
# promised.  Other DNS tests rely on all of this.
cd "$(dirname "$0")/.." || exit 1
. t/lib/dns-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"

. t/lib/tap.sh
q() { t/lib/dnsq.pl "$DNS_ROOM_SERVER" "$@"; }

dns_room_init
dns_room_fixtures
dns_room_record 'short.example.net. 5 IN A 192.0.2.5'
dns_room_start || { echo "Bail out! unbound did not start"; exit 1; }

out=$(q 20.2.0.192.in-addr.arpa PTR)
grep -q 'PTR dsl-192-0-2-20.dyn.example.net.$' <<<"$out"; ok $? "IPv4 PTR"
out=$(q "$(dns_room_revname 2001:db8::77)" PTR)
grep -q 'PTR cpe-2001-db8--77.cable.example.net.$' <<<"$out"; ok $? "IPv6 PTR (nibbles)"
out=$(q forged.example.net A)
grep -q ' 300 A 192.0.2.99$' <<<"$out"; ok $? "A with the default TTL"
out=$(q short.example.net A)
grep -q ' 5 A 192.0.2.5$' <<<"$out"; ok $? "A with its own TTL"
out=$(q 40.2.0.192.in-addr.arpa PTR)
[ "$out" = NXDOMAIN ]; ok $? "no PTR is NXDOMAIN"
out=$(q "$(dns_room_revname 192.0.2.51 pbl.test)" A)
grep -q 'A 127.0.0.11$' <<<"$out"; ok $? "DNSBL listing"
out=$(q "$(dns_room_revname 2001:db8::77 pbl.test.)" A)
grep -q 'A 127.0.0.10$' <<<"$out"; ok $? "IPv6 DNSBL listing"
out=$(q www.example.com A)
[ "$out" = NXDOMAIN ]; ok $? "no recursion: other names are NXDOMAIN"
[ "$(dns_room_queries '40\.2\.0\.192\.in-addr\.arpa\. PTR')" = 1 ]; ok $? "query log counts"

dns_room_sink servfail
out=$(t/lib/dnsq.pl "127.0.0.1:$DNS_ROOM_SINK_PORT" x.test A)
[ "$out" = SERVFAIL ]; ok $? "servfail sink"
dns_room_sink drop
drop=$DNS_ROOM_SINK_PORT
out=$(DNSQ_TIMEOUT=0.3 t/lib/dnsq.pl "127.0.0.1:$drop" x.test A)
[ "$out" = TIMEOUT ]; ok $? "drop sink never answers"
[ "$(wc -l < "$DNS_ROOM_DIR/sink.$drop.log")" = 1 ]; ok $? "drop sink logs the query"
tap_plan
