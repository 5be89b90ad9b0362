#!/bin/bash
# dns-soak.sh - the DNS half of `make soak` (not part of make test).
#
#   bash t/lib/dns-soak.sh [REQUESTS]        from the top directory
#
# policyd's DNS stage kept busy for a long run against the private unbound
# of t/lib/dns-room.sh, its bounded tables churning the whole time.  The
# requests cycle through five kinds (hostile-load -k; @M@ and @N@ run from
# 1 to 250, and each kind gets every fifth N):
#   ptr    10.1.M.N   a PTR naming a DSL host, forward-confirmed  -> REJECT
#   nx     10.2.M.N   no PTR (NXDOMAIN, cached negatively)        -> DUNNO
#   listed 10.3.M.N   no PTR, listed by the DNSBL zone pbl.test   -> REJECT
#   hot    10.1.1.N   the same 50 addresses again: DNS-cache hits -> REJECT
#   mail   198.51.100.N, a mail server's name from Postfix        -> DUNNO
# That is 12,500 addresses for each of the first three kinds, about 87,500
# DNS answers (PTR, A, DNSBL) against a DNS cache of 20,000 and a verdict
# cache of 20: both evict all the time.  Meanwhile 16 more connections ask
# for 10.99.M.N, whose reverse zone unbound forwards to a server that never
# answers: each is answered with the tempfail action, at the 300 ms
# deadline (its lookup left to fail later), or at once while unbound holds
# that server for down and answers SERVFAIL.  Runs differ: some hang
# throughout, in others unbound answers SERVFAIL for 10-15 s at a time.
# 1. REQUESTS (1,000,000) after a 200,000-request warm-up, every answer
#    checked; policyd's resident memory sampled every second.  Fails on
#    any wrong answer or when policyd grew by more than SOAK_RSS_SLACK_KB
#    (2048) after the warm-up.
# 2. The same under valgrind (memcheck, full leak check): SOAK_VG_REQUESTS
#    (20,000), then SIGTERM with lookups still hanging.
# 3. The ASan+UBSan build (make fuzz-asan): SOAK_ASAN_REQUESTS (200,000).
# Figures go to stdout and build-fuzz/dns-soak-report.txt.  The pieces both
# soak runs use are in t/lib/soak-common.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
. t/lib/soak-common.sh
soak_init "DNS SOAK" build-fuzz/dns-soak-report.txt "${1:-}"   # its exit trap first
TMP=$SOAK_TMP
. t/lib/dns-room.sh
dns_room_check || { echo "dns-soak: $DNS_ROOM_WHY"; exit 1; }
dns_room_init || exit 1

# The records: one perl pass writes the 187,500 lines unbound loads.
perl -e 'for my $m (1..250) { for my $n (1..250) {
	my $h = "dsl-10-1-$m-$n.dyn.example.net";
	print "local-data: \"$n.$m.1.10.in-addr.arpa. 3600 IN PTR $h.\"\n";
	print "local-data: \"$h. 3600 IN A 10.1.$m.$n\"\n";
	print "local-data: \"$n.$m.3.10.pbl.test. 3600 IN A 127.0.0.10\"\n";
}}' >> "$DNS_ROOM_DIR/records.conf"
dns_room_sink drop || { echo "dns-soak: the sink did not start"; exit 1; }
dns_room_forward 99.10.in-addr.arpa "127.0.0.1@$DNS_ROOM_SINK_PORT"
DNS_ROOM_QUERY_LOG=0 dns_room_start || { echo "dns-soak: unbound did not start"; exit 1; }

PORT=$(room_free_port)
T=127.0.0.1:$PORT
cat > "$TMP/p.yaml" <<EOF
listen: [ "inet:$T" ]
log: { requests: none }
cache: { size: 20 }
status_socket: $TMP/status.sock
dns:
  servers: [ "$DNS_ROOM_SERVER" ]
  timeout_ms: 300
  forward_confirm: true
  dnsbl:
    - zone: pbl.test
      codes: { 127.0.0.10: dynamic }
EOF
kind() {        # kind NAME ADDRESS [CLIENT_NAME]
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nclient_name=%s\nreverse_client_name=%s\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' \
	    "$2" "${3:-unknown}" "${3:-unknown}" > "$TMP/k-$1"
}
kind ptr '10.1.@M@.@N@'
kind nx '10.2.@M@.@N@'
kind listed '10.3.@M@.@N@'
kind hot '10.1.1.@N@'
kind mail '198.51.100.@N@' 'mail@N@.example.org'
kind hang '10.99.@M@.@N@'

# load COUNT LABEL: the five kinds over 64 connections, every answer
# checked, while 16 connections keep asking for hanging lookups, in
# batches of 5 s.  A batch whose lookups all wait for the deadline answers
# about 53 requests/s (16 / 0.3 s); one that unbound answers SERVFAIL at
# once, thousands: the report lists each batch's rate.
load() {
	local hang=none hpid rates=
	$HL -c 64 -n "$1" -t 3600 "${KINDS[@]}" "$T" > "$TMP/load.out" 2>&1 &
	hpid=$!
	while kill -0 "$hpid" 2>/dev/null; do
		hang=$($HL -c 16 -T 5 -t 60 -k "$TMP/k-hang=DUNNO" "$T") ||
		    fail "$2, hanging lookups: $hang"
		rates="$rates $(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<< "$hang")"
	done
	wait "$hpid" || fail "$2: $(cat "$TMP/load.out")"
	say "$2: $(cat "$TMP/load.out")"
	say "$2, last hanging batch: $hang"
	say "$2, hanging batches, requests/s each:$rates"
}

start_pd "$TMP/policyd" "$TMP/p.yaml" "$TMP/pd.log" || { cat "$TMP/pd.log"; exit 1; }
# the answers to expect, from one client of each kind (unbound may take a
# moment to answer its first queries: a tempfail is asked again, for
# another client since a tempfail is cached)
probe() {       # probe KIND: REJECT... or nothing
	local i a
	for ((i = 1; i <= 20; i++)); do
		a=$(sed "s/@M@/250/g; s/@N@/$i/g" "$TMP/k-$1" | ask "$PORT")
		case $a in REJECT*) echo "$a"; return 0 ;; esac
		sleep 0.5
	done
	return 1
}
REJ=$(probe ptr) || fail "a DSL client not refused"
BL=$(probe listed) || fail "a listed client not refused"
KINDS=(-k "$TMP/k-ptr=$REJ" -k "$TMP/k-nx=DUNNO" -k "$TMP/k-listed=$BL"
    -k "$TMP/k-hot=$REJ" -k "$TMP/k-mail=DUNNO")

say "dns soak: policyd $(git rev-parse --short HEAD 2>/dev/null), $(nproc) CPUs, $(date -u +%FT%TZ)"
r0=$(rss "$PD")
load "$WARM" warm-up
r1=$(rss "$PD")
rss_watch "$TMP/peak" "$PD"
load "$N" soak
r2=$(rss "$PD")
rss_watch_stop
peak=$(cat "$TMP/peak" 2>/dev/null || echo "$r2")
say "policyd RSS kB: start $r0, after warm-up $r1, peak during soak $peak, end $r2"
say "policyd: $("$TMP/policyd" -c "$TMP/p.yaml" stats 2>/dev/null | grep -E '^(requests|dns_|vcache|answers?_|class_)' | tr '\n' ' ')"
[ $((r2 - r1)) -le "$SLACK" ] || fail "policyd grew by $((r2 - r1)) kB after the warm-up (slack $SLACK)"
stop_pd || fail "policyd exit status $?"
log_warnings "$TMP/pd.log"

if command -v valgrind >/dev/null; then
	start_pd "$TMP/policyd" "$TMP/p.yaml" "$TMP/vg.log" "${VALGRIND[@]}" \
	    --log-file="$TMP/vg.out" ||
	    { cat "$TMP/vg.log"; fail "policyd did not start under valgrind"; }
	load "$VGN" valgrind
	stop_pd; vrc=$?
	vg_verdict "valgrind" "$vrc" "$TMP/vg.out"
else
	say "valgrind: not installed, skipped"
fi

if make -s fuzz-asan >/dev/null 2>&1 && [ -x build-fuzz/bin/policyd ]; then
	start_pd build-fuzz/bin/policyd "$TMP/p.yaml" "$TMP/asan.log" ||
	    { cat "$TMP/asan.log"; fail "ASan policyd did not start"; }
	load "$ASN" asan
	stop_pd; arc=$?
	san_verdict "asan: policyd exit $arc" "$TMP/asan.log"
else
	say "asan: clang build not available, skipped"
fi
[ "$soak_rc" = 0 ] && say "dns soak: PASS" || say "dns soak: FAIL"
exit $soak_rc
