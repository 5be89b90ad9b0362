#!/bin/bash
# fw_sets.sh - `make bench-sets` (part of `make bench`): the firewall
# backends side by side, each in a network namespace of its own.  Root only.
#
#  1. t/bench/fw_sets_bench: through the backend ops - add N (one sync),
#     restore N (reconcile at start), cost of a connection attempt with 0 and
#     N blocked (see the header of t/bench/fw_sets_bench.c for the method);
#  2. the whole helper: N `add` commands pipelined into the command socket
#     (t/lib/fw-flood.pl; the helper answers after each commit, so the last
#     reply means the kernel holds them all), then kill -9 and a restart
#     restoring N from the journal, timed to the "ready" log line.  The null
#     backend is the helper's own cost (socket, block table, journal).
#
# FWS_SIZES (default "10000 100000"), FWS_IPT_CAP (default 10000: one rule per
# address; see fw_sets_bench.c).
set -u
cd "$(dirname "$0")/../.."
sizes=${FWS_SIZES:-10000 100000}
cap=${FWS_IPT_CAP:-10000}
if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
	echo "bench-sets: needs root and network namespaces; skipped"
	exit 0
fi
echo "== firewall backends, through their ops (t/bench/fw_sets_bench)"
err=$(mktemp)
if ! t/bench/fw_sets_bench -n "$(echo $sizes | tr ' ' ,)" -i "$cap" 2>"$err"; then
	tail -5 "$err"
fi
rm -f "$err"

echo
echo "== the whole helper: adds through the command socket, restart from the journal"
printf '%-9s %8s %12s %12s\n' backend N "add N s" "restart s"
dir=$(mktemp -d /tmp/fw_sets_bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
for b in null nftset ipset iptables; do
	for n in $sizes; do
		if [ "$b" = iptables ] && [ "$n" -gt "$cap" ]; then
			printf '%-9s %8s   (capped at %s)\n' "$b" "$n" "$cap"
			continue
		fi
		rm -f "$dir"/*
		cat >"$dir/h.yaml" <<-EOC
		backend: $b
		command_socket: $dir/cmd.sock
		status_socket: $dir/st.sock
		journal: $dir/journal
		xtables_lock: $dir/xt.lock
		max_entries: 200000
		ttl: 1h
		EOC
		unshare -n bash -c '
			d=$1; n=$2
			./firewall-helper/firewall-helper -c "$d/h.yaml" -f 2>"$d/log1" &
			p=$!
			for i in $(seq 100); do grep -q ready "$d/log1" && break; sleep 0.05; done
			add=$(perl t/lib/fw-flood.pl "$d/cmd.sock" "$n" | sed -n "s/^added [0-9]* in \([0-9.]*\) s.*/\1/p")
			kill -9 $p; wait $p 2>/dev/null
			: >"$d/log2"
			t0=$(date +%s.%N)
			./firewall-helper/firewall-helper -c "$d/h.yaml" -f 2>"$d/log2" &
			p=$!
			while ! grep -q "ready\|fatal" "$d/log2"; do sleep 0.005; done
			t1=$(date +%s.%N)
			kill $p; wait $p 2>/dev/null
			# leave nothing behind in the namespace: it dies with us anyway
			printf "%s %s\n" "${add:-fail}" "$(awk "BEGIN { print $t1 - $t0 }")"
		' _ "$dir" "$n" | while read -r add rst; do
			printf '%-9s %8s %12s %12.3f\n' "$b" "$n" "$add" "$rst"
		done
	done
done
