#!/bin/bash
# policyd's DNS layer (c-ares in libev, cache, merged lookups, deadline)
# against a real unbound on a loopback port (t/lib/dns-room.sh), driven by
# t/lib/dnsprobe: PTR found and forward-confirmed (also by the last of a
# cluster's 41 addresses), not confirmed, none, IPv6;
# DNSBL codes -> classes, not listed, IPv6; SERVFAIL, REFUSED and a server
# that never answers -> tempfail by the deadline; a hanging lookup does not
# hold up other clients (order of answers, not time); cached answers send
# no query.
cd "$(dirname "$0")/.." || exit 1
. t/lib/dns-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"
[ -x t/lib/dnsprobe ] || room_skip "build first (make)"

. t/lib/tap.sh
# has FILE IP REGEX TEXT: a line for client IP matches REGEX
has() {
	if grep "^$2 " "$1" | grep -Eq -- "$3"; then
		ok 0 "$2: $4"
	else
		ok 1 "$2: $4"
		grep "^$2 " "$1" | sed 's/^/#   /'
	fi
}

dns_room_init
dns_room_fixtures
# A mail cluster: 41 addresses under one name, the client's the last (an
# answer too long for UDP: over TCP).
dns_room_ptr 192.0.2.77 cluster.example.net
for i in $(seq 100 139); do dns_room_addr cluster.example.net "192.0.2.$i"; done
dns_room_addr cluster.example.net 192.0.2.77
# A zone of 126 bytes: an IPv6 client's query name is 190.
LONGZ=$(printf 'a%.0s' $(seq 60)).$(printf 'b%.0s' $(seq 60)).long.test
dns_room_dnsbl "$LONGZ" 2001:db8::77 127.0.0.10
dns_room_sink drop
DROP=$DNS_ROOM_SINK_PORT
dns_room_forward 3.0.198.in-addr.arpa "127.0.0.1@$DROP"
dns_room_start || { echo "Bail out! unbound did not start"; exit 1; }
D=$DNS_ROOM_DIR

cat > "$D/p.yaml" <<EOC
dns:
  servers: [ "$DNS_ROOM_SERVER" ]
  timeout_ms: 400
  forward_confirm: true
  dnsbl:
    - zone: pbl.test
      codes: { 127.0.0.10: dynamic, 127.0.0.11: static }
EOC

q0=$(dns_room_queries)
t/lib/dnsprobe "$D/p.yaml" 192.0.2.10 192.0.2.20 192.0.2.30 192.0.2.40 \
    2001:db8::25 2001:db8::77 192.0.2.50 192.0.2.51 192.0.2.99=foo.example \
    192.0.2.10==mail.example.net 192.0.2.77 > "$D/r1"
q1=$(dns_room_queries)
has "$D/r1" 192.0.2.10 'ptr=found name=mail\.example\.net fc=confirmed dnsbl=- .*decision=name' "PTR found and forward-confirmed, not listed"
has "$D/r1" 192.0.2.30 'ptr=found name=forged\.example\.net fc=forged .*decision=name' "PTR not confirmed: forged"
has "$D/r1" 192.0.2.77 'ptr=found name=cluster\.example\.net fc=confirmed' "confirmed by the last of 41 addresses"
has "$D/r1" 192.0.2.40 'ptr=none .*decision=class class=unknown' "no PTR: class unknown"
has "$D/r1" 2001:db8::25 'ptr=found name=mail6\.example\.net fc=confirmed' "IPv6 PTR (nibbles) and AAAA confirmation"
has "$D/r1" 192.0.2.50 'dnsbl=pbl\.test:127\.0\.0\.10 .*class=dynamic' "DNSBL 127.0.0.10 -> dynamic"
has "$D/r1" 192.0.2.51 'dnsbl=pbl\.test:127\.0\.0\.11 .*class=static' "DNSBL 127.0.0.11 -> static"
has "$D/r1" 192.0.2.20 'name=dsl-192-0-2-20\.dyn\.example\.net fc=confirmed dnsbl=pbl\.test:127\.0\.0\.10 .*class=dynamic' "listed and named: the DNSBL class decides"
has "$D/r1" 2001:db8::77 'dnsbl=pbl\.test:127\.0\.0\.10 .*class=dynamic' "IPv6 DNSBL listing (nibbles)"
has "$D/r1" 192.0.2.99 'ptr=given name=foo\.example fc=forged' "Postfix's unverified name that does not resolve: forged"
l=$(grep -c '^192\.0\.2\.10 ptr=given name=mail\.example\.net fc=verified' "$D/r1")
ok $((l != 1)) "a verified client_name is used as is"
ok $(($(dns_room_queries '10\.2\.0\.192\.in-addr\.arpa\. PTR') != 1)) "one PTR query for 192.0.2.10"
ok $(($(dns_room_queries '10\.2\.0\.192\.pbl\.test\. A') != 1)) "two clients, one DNSBL query (merged in flight)"
ok $(($(dns_room_queries 'pbl\.test\. AAAA|ip6\.arpa\. A ') != 0)) "no query of the wrong type"

# The cache: a second round in the same process sends nothing new.
t/lib/dnsprobe -r 2 "$D/p.yaml" 192.0.2.10 192.0.2.20 192.0.2.30 192.0.2.40 \
    2001:db8::25 2001:db8::77 192.0.2.50 192.0.2.51 192.0.2.99=foo.example \
    192.0.2.10==mail.example.net 192.0.2.77 > "$D/r2"
q2=$(dns_room_queries)
ok $(((q2 - q1) != (q1 - q0))) "two rounds send the queries of one ($((q1 - q0)) = $((q2 - q1)))"
grep -q 'stats lookups=[0-9]* cache_hits=[1-9]' "$D/r2"
ok $? "second round answered from the cache: $(tail -1 "$D/r2")"
cmp -s <(sed -n '/round 1/,/round 2/p' "$D/r2" | grep -v round | sort) \
    <(sed -n '/round 2/,/stats/p' "$D/r2" | grep -v 'round\|stats' | sort)
ok $? "cached answers give the same facts"

# A lookup that hangs (its zone forwarded to a server that never answers)
# does not hold up other clients: its answer comes last, in both rounds
# (the second joins the query still in flight), by the deadline.
t/lib/dnsprobe -r 2 "$D/p.yaml" 198.0.3.5 192.0.2.10==mail.example.net \
    192.0.2.40 192.0.2.20 > "$D/r3"
for r in 1 2; do
	last=$(sed -n "/round $r/,/round $((r + 1))\|stats/p" "$D/r3" | grep -v 'round\|stats' | tail -1)
	case $last in
	198.0.3.5\ *) ok 0 "round $r: hanging client answered last" ;;
	*) ok 1 "round $r: hanging client answered last"; sed 's/^/#   /' "$D/r3" ;;
	esac
done
has "$D/r3" 198.0.3.5 'ptr=tempfail .*decision=tempfail .*late=1 why=PTR:deadline' "never answered: tempfail at the deadline"
grep -q 'merged=[1-9]' "$D/r3"
ok $? "second round joined the query in flight: $(tail -1 "$D/r3")"

# Misbehaving servers as the only resolver.
for mode in servfail refused drop; do
	dns_room_sink $mode
	printf 'dns: { servers: [ "127.0.0.1:%s" ], timeout_ms: 300 }\n' \
	    "$DNS_ROOM_SINK_PORT" > "$D/$mode.yaml"
	t/lib/dnsprobe "$D/$mode.yaml" 192.0.2.10 > "$D/$mode.out"
	case $mode in
	servfail) want='ptr=tempfail .*decision=tempfail .*late=0 why=PTR:servfail' ;;
	refused) want='ptr=tempfail .*decision=tempfail .*late=0 why=PTR:refused' ;;
	drop) want='ptr=tempfail .*decision=tempfail .*late=1 why=PTR:deadline' ;;
	esac
	has "$D/$mode.out" 192.0.2.10 "$want" "$mode server: tempfail, not NXDOMAIN"
done
# A long zone name is asked for IPv6 clients too.
cat > "$D/long.yaml" <<EOC
dns:
  servers: [ "$DNS_ROOM_SERVER" ]
  ptr: false
  dnsbl:
    - zone: $LONGZ
      codes: { 127.0.0.10: dynamic }
EOC
t/lib/dnsprobe "$D/long.yaml" 2001:db8::77 > "$D/long.out"
has "$D/long.out" 2001:db8::77 "dnsbl=a{60}\\.b{60}\\.long\\.test:127\\.0\\.0\\.10" \
    "a zone of 126 bytes: an IPv6 client asked and listed"
# A late answer still fills the cache: the server answers after 500 ms, the
# deadline is 250 ms; the same client later is answered from the cache.
dns_room_sink slow 500 late.example.net
printf 'dns: { servers: [ "127.0.0.1:%s" ], timeout_ms: 250 }\n' \
    "$DNS_ROOM_SINK_PORT" > "$D/slow.yaml"
t/lib/dnsprobe -r 2 -w 800 "$D/slow.yaml" 192.0.2.10 > "$D/slow.out"
l1=$(sed -n '/round 1/,/round 2/p' "$D/slow.out" | grep '^192')
l2=$(sed -n '/round 2/,/stats/p' "$D/slow.out" | grep '^192')
grep -q 'ptr=tempfail .*late=1 why=PTR:deadline' <<<"$l1"
ok $? "slow server: tempfail at the deadline" || echo "#   $l1"
grep -q 'ptr=found name=late\.example\.net .*late=0' <<<"$l2"
ok $? "its late answer was cached and used" || echo "#   $l2"
grep -q 'stats lookups=2 cache_hits=1 merged=0 queries=1 answers=1' "$D/slow.out"
ok $? "one query for both: $(tail -1 "$D/slow.out")"
tap_plan
[ "$t_fail" = 0 ]
