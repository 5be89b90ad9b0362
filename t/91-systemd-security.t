#!/bin/bash
# systemd-analyze security --offline=true on the installed services: prints
# the overall exposure of each (the figures quoted in README.rst) and fails
# when one gets worse than its ceiling.
cd "$(dirname "$0")/.." || exit 1
command -v systemd-analyze >/dev/null || { echo "1..0 # SKIP no systemd-analyze"; exit 0; }
systemd-analyze security --help 2>/dev/null | grep -q -- --offline ||
	{ echo "1..0 # SKIP systemd-analyze has no --offline (systemd < 252)"; exit 0; }
[ -x policyd/policyd ] && [ -x firewall-helper/firewall-helper ] ||
	{ echo "1..0 # SKIP programs not built"; exit 0; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. t/lib/tap.sh

make -s --no-print-directory install-nobuild PREFIX="$tmp/usr" >"$tmp/make.out" 2>&1
ok $? "make install-nobuild" || sed 's/^/# /' "$tmp/make.out"
u=$tmp/usr/lib/systemd/system

# unit  ceiling (0.0 best .. 10.0 worst; "OK" ends at 4.9)
for pair in policyd.service:1.2 firewall-helper.service:1.6; do
	unit=${pair%%:*} max=${pair#*:}
	out=$(cd "$u" && SYSTEMD_LOG_COLOR=0 systemd-analyze security --offline=true \
		--no-pager "$unit" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
	[ -n "$score" ]; ok $? "$unit: exposure level reported"
	echo "# exposure $unit $score"
	awk -v s="${score:-99}" -v m="$max" 'BEGIN { exit !(s <= m) }'
	ok $? "$unit: exposure ${score:-?} <= $max"
	grep '✗' <<<"$out" | sed 's/  */ /g; s/^/#   /'
done
tap_plan
