#!/bin/bash
# hostile-soak.sh - the soak run behind `make soak` (not part of make test).
#
#   sh t/lib/hostile-soak.sh [REQUESTS]        from the top directory
#
# 1. policyd (a copy of the plain build, checked to carry no sanitizer) and
#    firewall-helper (backend null) side by side; REQUESTS (1,000,000)
#    requests over 64 connections after a 200,000-request warm-up (SOAK_WARMUP; enough to fill every
#    bounded table: 62,500 addresses of the dynamic kind), cycling
#    through an excepted client (DUNNO), a dynamic client with a new address
#    each time until 62,500 are used (REJECT, handed to the helper) and a
#    mail server name (DUNNO); every answer checked.  Resident memory of
#    both is sampled at start, after the warm-up, every second of the run
#    and at the end.  Fails on any error or when policyd grew by more than
#    SOAK_RSS_SLACK_KB (2048) after the warm-up.
# 2. policyd and the helper under valgrind (memcheck, full leak check):
#    SOAK_VG_REQUESTS (20,000) requests, SIGTERM; fails on any error or
#    leaked block.
# 3. policyd and the helper built by clang with ASan+UBSan (make
#    fuzz-asan): SOAK_ASAN_REQUESTS (200,000) requests, SIGTERM; fails on
#    any report (LeakSanitizer runs at exit).
# Figures go to stdout and build-fuzz/soak-report.txt.  The pieces both
# soak runs use are in t/lib/soak-common.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
. t/lib/soak-common.sh
soak_init SOAK build-fuzz/soak-report.txt "${1:-}"
TMP=$SOAK_TMP
cp firewall-helper/firewall-helper "$TMP/fwh"
port() {
	perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(LocalAddr =>
	    "127.0.0.1", LocalPort => 0, Listen => 1)->sockport, "\n"'
}

PORT=$(port)
T=127.0.0.1:$PORT
F=$TMP/fwh.d
mkdir -p "$F"
export XTABLES_LOCKFILE=$F/xtables.lock
printf 'clients: [ 192.0.2.0/24 ]\n' > "$TMP/exc.yaml"
cat > "$F/fwh.yaml" <<EOF
command_socket: $F/cmd.sock
status_socket: $F/status.sock
backend: null
journal: $F/journal
xtables_lock: $F/xtables.lock
ttl: 1h
EOF
conf() {        # conf FIREWALL(yes|no)
	printf 'listen: [ "inet:%s" ]\nexceptions: %s\nlog: { requests: none }\ndns: { ptr: false }\n' \
	    "$T" "$TMP/exc.yaml"
	[ "$1" = yes ] && printf 'firewall: { socket: %s, queue_size: 100000 }\n' "$F/cmd.sock"
}
conf yes > "$TMP/p.yaml"
conf no > "$TMP/p-nofw.yaml"
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.@N@\nclient_name=dsl-192-0-2-@N@.dyn.example.net\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' > "$TMP/k-exc"
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=100.@M@.@N@.7\nclient_name=dsl-100-@M@-@N@-7.dyn.example.net\nreverse_client_name=dsl-100-@M@-@N@-7.dyn.example.net\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' > "$TMP/k-dyn"
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=198.51.100.@N@\nclient_name=mail@N@.example.org\nreverse_client_name=mail@N@.example.org\nhelo_name=mail@N@.example.org\nsender=a@example.org\nrecipient=b@example.net\n\n' > "$TMP/k-mail"

start_fwh() {   # start_fwh BINARY LOG [WRAPPER...]: a fresh journal each time
	local bin=$1 log=$2 i
	shift 2
	rm -f "$F/cmd.sock" "$F/status.sock" "$F/journal"
	: > "$log"
	"$@" "$bin" -c "$F/fwh.yaml" -f 2>"$log" &
	FWH=$!
	PIDS+=("$FWH")
	for ((i = 0; i < 600; i++)); do
		[ -S "$F/cmd.sock" ] && [ -S "$F/status.sock" ] && return 0
		kill -0 "$FWH" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
stop_fwh() { kill -TERM "$FWH"; wait "$FWH"; }

# ---------------------------------------------------------------- 1. soak
start_fwh "$TMP/fwh" "$F/log" || { cat "$F/log"; exit 1; }
start_pd "$TMP/policyd" "$TMP/p.yaml" "$TMP/pd.log" || { cat "$TMP/pd.log"; exit 1; }
REJ=$(sed 's/@[MN]@/1/g' "$TMP/k-dyn" | ask "$PORT")
case $REJ in REJECT*) ;; *) fail "dynamic client not refused: $REJ" ;; esac
KINDS=(-k "$TMP/k-exc=DUNNO" -k "$TMP/k-dyn=$REJ" -k "$TMP/k-mail=DUNNO")
[ "$(sed 's/@N@/1/g' "$TMP/k-mail" | ask "$PORT")" = DUNNO ] || fail "mail client not DUNNO"

say "soak: policyd $(git rev-parse --short HEAD 2>/dev/null), $(nproc) CPUs, $(date -u +%FT%TZ)"
r0=$(rss "$PD"); h0=$(rss "$FWH")
out=$($HL -c 64 -n "$WARM" -t 600 "${KINDS[@]}" "$T") || fail "warm-up: $out"
say "warm-up:  $out"
r1=$(rss "$PD"); h1=$(rss "$FWH")
rss_watch "$TMP/peak" "$PD" "$FWH"
out=$($HL -c 64 -n "$N" -t 3600 "${KINDS[@]}" "$T") || fail "soak: $out"
say "soak:     $out"
r2=$(rss "$PD"); h2=$(rss "$FWH")
rss_watch_stop
read -r peak hpeak < "$TMP/peak" 2>/dev/null || { peak=$r2; hpeak=$h2; }
say "policyd RSS kB: start $r0, after warm-up $r1, peak during soak $peak, end $r2"
say "helper  RSS kB: start $h0, after warm-up $h1, peak during soak $hpeak, end $h2"
say "helper table: $("$TMP/fwh" -c "$F/fwh.yaml" status 2>/dev/null | grep -i 'entries\|blocked' | head -2 | tr '\n' ' ')"
[ $((r2 - r1)) -le "$SLACK" ] || fail "policyd grew by $((r2 - r1)) kB after the warm-up (slack $SLACK)"
stop_pd || fail "policyd exit status $?"
log_warnings "$TMP/pd.log"

# ---------------------------------------------------------------- 2. valgrind
stop_fwh
if command -v valgrind >/dev/null; then
	start_fwh "$TMP/fwh" "$F/vg.log" "${VALGRIND[@]}" --log-file="$F/vg.out" ||
	    { cat "$F/vg.log"; fail "helper did not start under valgrind"; }
	start_pd "$TMP/policyd" "$TMP/p.yaml" "$TMP/vg.log" "${VALGRIND[@]}" \
	    --log-file="$TMP/vg.out" ||
	    { cat "$TMP/vg.log"; fail "policyd did not start under valgrind"; }
	out=$($HL -c 64 -n "$VGN" -t 600 "${KINDS[@]}" "$T") || fail "valgrind run: $out"
	say "valgrind: $out"
	stop_pd; vrc=$?
	vg_verdict "valgrind" "$vrc" "$TMP/vg.out"
	stop_fwh; vrc=$?
	vg_verdict "valgrind (helper)" "$vrc" "$F/vg.out"
else
	say "valgrind: not installed, skipped"
fi

# ---------------------------------------------------------------- 3. ASan
if make -s fuzz-asan >/dev/null 2>&1 && [ -x build-fuzz/bin/policyd ]; then
	start_fwh build-fuzz/bin/firewall-helper "$F/asan.log" ||
	    { cat "$F/asan.log"; fail "ASan helper did not start"; }
	start_pd build-fuzz/bin/policyd "$TMP/p.yaml" "$TMP/asan.log" ||
	    { cat "$TMP/asan.log"; fail "ASan policyd did not start"; }
	out=$($HL -c 64 -n "$ASN" -t 600 "${KINDS[@]}" "$T") || fail "ASan run: $out"
	say "asan:     $out"
	stop_pd; arc=$?
	stop_fwh; hrc=$?
	san_verdict "asan:     policyd exit $arc, helper exit $hrc" "$TMP/asan.log" "$F/asan.log"
else
	say "asan: clang build not available, skipped"
fi
[ "$soak_rc" = 0 ] && say "soak: PASS" || say "soak: FAIL"
exit $soak_rc
