#!/bin/bash
# dns-bench.sh - `make bench-dns`: policyd's DNS path end to end, against a
# local unbound (t/lib/dns-room.sh, query log off) with PTR records for
# 10.77.0.0/16 and 10.78.0.0/16, and 10.99.0.0/16 forwarded to a server
# that never answers.  The load client is t/lib/pclient (64 connections,
# one request at a time each, as Postfix does); every request carries
# client_name=unknown, so policyd must find the name itself.
#
#   miss    every request a new address: one PTR query each (cache misses)
#           floor (issue 4): >= 10,000 requests/s
#   hit     the same addresses again: answered from the DNS cache
#   named   the same addresses with the names their PTRs give, carried in
#           the request (no DNS at all, the same classifying work)
#   rhythm  the same cached names in Postfix's rhythm, 3 requests per client
#           in a row (one message, 3 recipients): informational only
#   ceiling the do-nothing responder built from the same server code
#           floor: hit >= 85% of the ceiling, the foundation's floor
#           (issue 2), judged on the median of the rounds' ratios (hit,
#           named and ceiling run one after the other in each round);
#           hit/named says what the DNS stage itself costs
#   noise   a second ceiling, the same binary, run next to the first in
#           each round: how far two identical servers differ on this
#           machine (informational)
#   hang    hit again while 1,000 other connections each wait on a lookup
#           that never completes (answered at dns.timeout_ms, 2 s, with
#           tempfail_action, then the next address); each round measures
#           hits without them (base) and then with them
#           floor: hang >= 80% of base
#
# Each figure is the best of DNS_BENCH_ROUNDS (3) runs of DNS_BENCH_REQS
# (40,000) requests for the misses, DNS_BENCH_HIT_REQS (120,000) for the
# others; hit, named and the ceiling take turns in DNS_BENCH_HIT_ROUNDS (10)
# rounds: on this shared machine one round's ratio ranges from 45% to 95%,
# and the median of ten moves less than that of six.
# Not a test: numbers depend on the machine's load.
# Exit 1 when a floor is missed.
set -u
cd "$(dirname "$0")/../.." || exit 1
REQS=${DNS_BENCH_REQS:-40000}
HREQS=${DNS_BENCH_HIT_REQS:-120000}
ROUNDS=${DNS_BENCH_ROUNDS:-3}
HROUNDS=${DNS_BENCH_HIT_ROUNDS:-10}
CONNS=${DNS_BENCH_CONNS:-64}
HANG=${DNS_BENCH_HANG:-1000}
PCLIENT=./t/lib/pclient
. t/lib/dns-room.sh
dns_room_check || { echo "bench-dns: $DNS_ROOM_WHY"; exit 0; }
[ $((REQS * ROUNDS)) -le 131072 ] || { echo "bench-dns: REQS*ROUNDS > 131072"; exit 2; }
[ "$ROUNDS" -le 3 ] || { echo "bench-dns: at most 3 rounds"; exit 2; }
ulimit -n $((HANG * 2 + 1000)) 2>/dev/null

dns_room_init
T=$DNS_ROOM_DIR
# 131,072 PTR records, one line each (faster than dns_room_ptr per record).
perl -e 'for my $b (77, 78) { for my $c (0..255) { for my $d (0..255) {
	printf "local-data: \"%d.%d.%d.10.in-addr.arpa. 3600 IN PTR host-%d.example.net.\"\n",
	    $d, $c, $b, ($b - 77) * 65536 + $c * 256 + $d } } }' >> "$T/records.conf"
sinkport=$(room_free_port)
perl t/lib/dns-sink.pl drop "$sinkport" 2>/dev/null &       # no query log
sinkpid=$!
room_on_exit "kill $sinkpid 2>/dev/null"
room_wait_port "$sinkport" || { echo "bench-dns: sink did not start"; exit 2; }
dns_room_forward 99.10.in-addr.arpa "127.0.0.1@$sinkport"
DNS_ROOM_QUERY_LOG=0 dns_room_start || exit 2

pport=$($PCLIENT -P)
cport=$($PCLIENT -P)
c2port=$($PCLIENT -P)
cat > "$T/policyd.yaml" <<EOF
listen: [ "inet:127.0.0.1:$pport" ]
max_connections: $((HANG + CONNS + 100))
log: { requests: all }
dns:
  servers: [ "$DNS_ROOM_SERVER" ]
  timeout_ms: 2000             # the default
  cache_size: 300000
EOF
declare -A pid_of       # the server behind each port, for run()'s CPU figure
./policyd/policyd -c "$T/policyd.yaml" -f 2> "$T/policyd.log" &
pid_of[$pport]=$!
room_on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
for c in "ceiling $cport" "ceiling2 $c2port"; do       # the same binary twice
	read -r name port <<< "$c"
	printf 'listen: [ "inet:127.0.0.1:%s" ]\nmax_connections: 1000\n' "$port" > "$T/$name.yaml"
	./t/bench/ceiling -c "$T/$name.yaml" 2> "$T/$name.log" &
	pid_of[$port]=$!
	room_on_exit "kill $! 2>/dev/null"
done
for f in policyd ceiling ceiling2; do
	room_wait_file "$T/$f.log" 'started' || { cat "$T/$f.log"; exit 2; }
done

# Address files: "IP unknown" lines; round r of the misses gets its own slice.
perl -e 'my $i = 0; for my $b (77, 78) { for my $c (0..255) { for my $d (0..255) {
	print "10.$b.$c.$d unknown\n" } } }' > "$T/all.txt"
for r in $(seq 1 "$ROUNDS"); do
	sed -n "$(( (r - 1) * REQS + 1 )),$(( r * REQS ))p" "$T/all.txt" > "$T/miss.$r.txt"
done
# Hanging addresses: a slice per round, never asked twice (a lookup that
# timed out is cached for a few seconds and would answer at once).
perl -e 'for my $c (0..255) { for my $d (0..255) { print "10.99.$c.$d unknown\n" } }' > "$T/hang.txt"
for r in $(seq 1 "$ROUNDS"); do
	sed -n "$(( (r - 1) * 20000 + 1 )),$(( r * 20000 ))p" "$T/hang.txt" > "$T/hang.$r.txt"
done
# The same addresses with the names their PTRs give: the same classifying
# work, without DNS.
perl -e 'for my $c (0..255) { for my $d (0..255) {
	printf "10.77.$c.$d host-%d.example.net\n", $c * 256 + $d } }' > "$T/named.txt"

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 }
	END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ticks() {       # CPU clock ticks a process has used (user + system)
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
run() {         # spec file [requests [pclient options]] -> pclient line +
		# " cpu_ns=N", the server's CPU per request; the names
		# (host-N.example.net, as pclient's own) classify as none: DUNNO
	local pid=${pid_of[${1##*:}]} n=$(( ${3:-$REQS} / CONNS)) t0 l
	t0=$(ticks "$pid")
	# shellcheck disable=SC2086
	l=$($PCLIENT -s "$1" -c "$CONNS" -n "$n" -f "$2" -e DUNNO -t 120 ${4:-})
	echo "$l cpu_ns=$(( ($(ticks "$pid") - t0) * (1000000000 / $(getconf CLK_TCK)) / (n * CONNS) ))"
}
pick() {        # keep the better of $1 (old) and $2 (new) by rps
	if [ -z "$1" ] || awk -v a="$(field rps "$2")" -v b="$(field rps "$1")" 'BEGIN { exit !(a > b) }'; then
		echo "$2"
	else
		echo "$1"
	fi
}

miss= hit= named= ceil= hang=
for r in $(seq 1 "$ROUNDS"); do
	miss=$(pick "$miss" "$(run "inet:127.0.0.1:$pport" "$T/miss.$r.txt")")
done
# hit, named and the ceiling side by side, the order turned round every
# other round; each round's ratios compare runs a few seconds apart, so a
# slow phase of the shared machine weighs on both sides.
# The second ceiling runs on the far side of the first, so that hit and
# named keep their places next to it.
rhit= rnamed= rnoise=
for r in $(seq 1 "$HROUNDS"); do
	f=$T/miss.$(( (r - 1) % ROUNDS + 1 )).txt
	if [ $((r % 2)) = 1 ]; then
		h=$(run "inet:127.0.0.1:$pport" "$f" "$HREQS")
		n=$(run "inet:127.0.0.1:$pport" "$T/named.txt" "$HREQS")
		c=$(run "inet:127.0.0.1:$cport" "$T/named.txt" "$HREQS")
		c2=$(run "inet:127.0.0.1:$c2port" "$T/named.txt" "$HREQS")
	else
		c2=$(run "inet:127.0.0.1:$c2port" "$T/named.txt" "$HREQS")
		c=$(run "inet:127.0.0.1:$cport" "$T/named.txt" "$HREQS")
		n=$(run "inet:127.0.0.1:$pport" "$T/named.txt" "$HREQS")
		h=$(run "inet:127.0.0.1:$pport" "$f" "$HREQS")
	fi
	hit=$(pick "$hit" "$h"); named=$(pick "$named" "$n"); ceil=$(pick "$ceil" "$c")
	rhit="$rhit $(ratio "$(field rps "$h")" "$(field rps "$c")")"
	rnamed="$rnamed $(ratio "$(field rps "$n")" "$(field rps "$c")")"
	rnoise="$rnoise $(ratio "$(field rps "$c2")" "$(field rps "$c")")"
done
# Not the floor's measure, for the reader: the same cached names in
# Postfix's rhythm (pclient -m 3:0, one client asked 3 times in a row, as
# for a message with 3 recipients): the first request of each client is a
# DNS-cache hit, the next two hit the verdict cache.
rrhythm= rhythm=
for r in $(seq 1 "$ROUNDS"); do
	f=$T/miss.$r.txt
	h=$(run "inet:127.0.0.1:$pport" "$f" "$HREQS" "-m 3:0")
	c=$(run "inet:127.0.0.1:$cport" "$f" "$HREQS" "-m 3:0")
	rhythm=$(pick "$rhythm" "$h")
	rrhythm="$rrhythm $(ratio "$(field rps "$h")" "$(field rps "$c")")"
done
ptrs=$(grep -c 'ptr=host-' "$T/policyd.log")

# 1,000 connections, each waiting on a lookup that never completes; each
# round measures cache hits without them and then with them, so that both
# figures see the same moment of a shared machine.
base=
for r in $(seq 1 "$ROUNDS"); do
	f=$T/miss.$r.txt
	base=$(pick "$base" "$(run "inet:127.0.0.1:$pport" "$f" "$HREQS")")
	$PCLIENT -s "inet:127.0.0.1:$pport" -c "$HANG" -n 1000 \
	    -f "$T/hang.$r.txt" -e DUNNO -t 300 > /dev/null 2>&1 &
	hpid=$!
	room_on_exit "kill $hpid 2>/dev/null"
	sleep 2         # connected, and every one waiting on its lookup
	hang=$(pick "$hang" "$(run "inet:127.0.0.1:$pport" "$f" "$HREQS")")
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
	sleep 0.5
done

printf '%-7s | %10s %8s %8s %8s | %s\n' run "req/s" "p50 us" "p99 us" \
    "cpu ns" "what (cpu: the server's CPU time per request)"
line() { printf '%-7s | %10s %8s %8s %8s | %s\n' "$1" "$(field rps "$2")" \
    "$(field p50_us "$2")" "$(field p99_us "$2")" "$(field cpu_ns "$2")" "$3"; }
line miss "$miss" "new address each request: one PTR query each, $CONNS connections"
line hit "$hit" "the same addresses again: DNS cache"
line named "$named" "name given by Postfix: no DNS (foundation)"
line ceiling "$ceil" "do-nothing responder, same server code"
line rhythm "$rhythm" "cached names, 3 requests per client in a row (Postfix's rhythm)"
line base "$base" "cache hits, next to each run below"
line hang "$hang" "cache hits while $HANG lookups hang"
errs=$(grep -h -o 'errors=[0-9]*' <<< "$miss $hit $named $hang" | grep -v '=0$')
[ -z "$errs" ] || echo "  errors in some runs: $errs"

fail=0
mr=$(field rps "$miss")
if awk -v m="$mr" 'BEGIN { exit !(m < 10000) }'; then
	echo "  below the floor: cache-miss lookups $mr/s < 10,000/s"; fail=1
else
	echo "  cache-miss lookups: $mr/s (floor 10,000/s)"
fi
hr=$(median <<< "$rhit")
echo "  cache hits: $hr% of the ceiling, the median of the rounds'" \
    "ratios (floor 85%); each round:$rhit"
echo "  named requests: $(median <<< "$rnamed")% of the ceiling (each round:$rnamed);" \
    "best runs: hits $(ratio "$(field rps "$hit")" "$(field rps "$ceil")")% of the ceiling," \
    "$(ratio "$(field rps "$hit")" "$(field rps "$named")")% of named"
[ "$hr" -ge 85 ] || { echo "  below the floor: cache hits"; fail=1; }
echo "  the machine's noise: a second, identical ceiling against the first," \
    "the same way: median $(median <<< "$rnoise")% (each round:$rnoise)"
echo "  not the floor's measure: cached names in Postfix's rhythm (the first" \
    "request of a client a DNS-cache hit, the next two verdict-cache hits):" \
    "$(median <<< "$rrhythm")% of the ceiling given the same requests (each round:$rrhythm)"
gr=$(ratio "$(field rps "$hang")" "$(field rps "$base")")
echo "  with $HANG lookups hanging: $gr% of the cache-hit throughput (floor 80%);" \
    "policyd's CPU per request $(ratio "$(field cpu_ns "$base")" "$(field cpu_ns "$hang")")% of base's speed"
[ "$gr" -ge 80 ] || { echo "  below the floor: throughput with hanging lookups"; fail=1; }
echo "  answers with a PTR name policyd found (query or cache): $ptrs;" \
    "answered tempfail (the hanging ones): $(grep -c 'dns=tempfail' "$T/policyd.log")"
exit $fail
