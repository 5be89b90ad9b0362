#!/bin/bash
# t/bench/fwh_bench.sh - firewall-helper figures, in a private network
# namespace (never the host's firewall).  Run by `make bench`
# (bench-fwhelper in mk/fwhelper.mk), as root.
#
#   1. 10,000 additions through the command socket, pipelined on one
#      connection (the helper batches): time to the last reply, which comes
#      after the commit.  Floor: under 1 s.
#   2. The same 10,000 additions committed one by one, as the seed did
#      (batch_window: 0, each add waits for its reply, no journal): the
#      ratio of the two is the figure.  FWH_BENCH_ONEBYONE=N to shorten.
#   3. With 50,000 addresses in the chain, one more addition: time from
#      sending it to its reply (the reply follows the commit), 10 samples.
#      Floor: within 200 ms.
#   4. Restart restoring 50,000 from the journal into a wiped firewall:
#      from exec to the first answer of the status socket (the helper
#      answers only after its start-up reconcile committed).  Floor: 2 s.
#      Also a restart with the rules still in the kernel.
# Backend from FWH_BACKEND (default iptables).
cd "$(dirname "$0")/../.." || exit 1
. t/lib/fwh.sh
if [ -z "$FWH_IN_NETNS" ]; then
	[ "$(id -u)" = 0 ] || { echo "fwh_bench: needs root (network namespace); skipped"; exit 0; }
	FWH_IN_NETNS=1 exec unshare -n bash "$0" "$@"
fi
fwh_init
ONEBYONE=${FWH_BENCH_ONEBYONE:-10000}
fail=0
ms() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }
now_ns() { date +%s%N; }
floor() {       # floor NAME VALUE_MS LIMIT_MS
	if [ "$2" -lt "$3" ]; then echo "ok"; else fail=1; echo "MISSED (floor $3 ms)"; fi
}
load() { perl t/lib/fwh-load.pl "$FWH_DIR/cmd.sock" "$@"; }
# Start the helper and set START_MS to the time until its status socket
# answered.  Not in a $(...) subshell: FWH_PID must reach fwh_kill9 and the
# exit trap, or the helper outlives the bench.
start_timed() {
	local t0
	rm -f "$FWH_DIR/cmd.sock" "$FWH_DIR/status.sock"
	t0=$(now_ns)
	"$FWH_BIN" -c "$FWH_CONF" -f >> "$FWH_DIR/log" 2>&1 &
	FWH_PID=$!
	until "$FWH_BIN" -c "$FWH_CONF" status >/dev/null 2>&1; do
		kill -0 "$FWH_PID" 2>/dev/null || { echo "helper died"; tail "$FWH_DIR/log"; exit 1; }
		sleep 0.005
	done
	START_MS=$(now_ms_since "$t0")
}
now_ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

echo "firewall-helper bench: backend $FWH_BACKEND, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. batched
fwh_conf "ttl: 1d" "max_entries: 200000" "batch_window: 20ms"
fwh_start || exit 1
c0=$(fwh_stat backend_commits)
read -r t okn < <(load pipe 10000)
c1=$(fwh_stat backend_commits)
b_ms=$(ms "$t")
printf '  %-58s %6s ms  (%d OK, %s commits)  %s\n' "10,000 adds via the command socket, batched:" "$b_ms" \
	"$okn" "$((c1 - c0))" "$(floor batched "$b_ms" 1000)"
[ "$(fwh_kernel_count)" = 10000 ] || { echo "  kernel holds $(fwh_kernel_count), not 10000"; fail=1; }
fwh_stop

# 2. one by one
fwh_kernel_wipe
rm -f "$FWH_DIR/journal"
fwh_conf "ttl: 1d" "max_entries: 200000" "batch_window: 0" "journal: ~"
fwh_start || exit 1
c0=$(fwh_stat backend_commits)
read -r t okn < <(load lockstep "$ONEBYONE")
c1=$(fwh_stat backend_commits)
o_ms=$(ms "$t")
printf '  %-58s %6s ms  (%d OK, %s commits)\n' "$ONEBYONE adds committed one by one (seed-like):" "$o_ms" "$okn" "$((c1 - c0))"
if [ "$ONEBYONE" = 10000 ] && [ "$b_ms" -gt 0 ]; then
	printf '  %-58s %6sx\n' "ratio one-by-one / batched:" "$(awk -v a="$o_ms" -v b="$b_ms" 'BEGIN { printf "%.0f", a / b }')"
fi
fwh_stop

# 3. one more with 50,000 in the chain
fwh_kernel_wipe
rm -f "$FWH_DIR/journal"
fwh_conf "ttl: 1d" "max_entries: 200000" "batch_window: 20ms"
fwh_start || exit 1
read -r t okn < <(load pipe 50000)
printf '  %-58s %6s ms  (%d OK)\n' "50,000 adds, batched (setup):" "$(ms "$t")" "$okn"
samples=
for i in $(seq 1 10); do
	read -r t okn < <(load lockstep 1 $((60000 + i)))
	samples="$samples $(ms "$t")"
done
sorted=$(tr ' ' '\n' <<<"$samples" | grep . | sort -n)
med=$(sed -n 5p <<<"$sorted"); max=$(tail -1 <<<"$sorted")
printf '  %-58s %6s ms  (median; max %s ms; 10 samples)  %s\n' "one more add with 50,000 in the chain:" "$med" "$max" \
	"$(floor one-more "$med" 200)"
echo "    samples (ms):$samples" | sed 's/^/  /'
grep 'read .* ms, chain' "$FWH_DIR/log" 2>/dev/null | tail -1 | sed 's/.*debug: /    last transaction: /'

# 4. restart
n=$(fwh_kernel_count)
fwh_kill9
fwh_kernel_wipe
fwh_kernel_unhook 2>/dev/null
start_timed
r_ms=$START_MS
got=$(fwh_kernel_count)
printf '  %-58s %6s ms  (%s in the kernel)  %s\n' "restart restoring $n from the journal (firewall wiped):" "$r_ms" "$got" \
	"$(floor restart "$r_ms" 2000)"
[ "$got" = "$n" ] || fail=1
fwh_kill9
start_timed
r2_ms=$START_MS
printf '  %-58s %6s ms\n' "restart with the $n rules still in the kernel:" "$r2_ms"
fwh_stop
[ $fail = 0 ] && echo "  all floors met" || echo "  SOME FLOORS MISSED"
exit $fail
