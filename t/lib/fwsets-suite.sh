# fwsets-suite.sh - run the backend-parameterised firewall-helper tests
# (t/41..44) under $backend and summarise them as TAP, one line per script
# (sourced by t/63-*.t and t/64-*.t, cwd = top of the tree).  A script
# that skips as a whole is reported as skipped.
n=0
fail=0
for t in t/41-fwh-rules.t t/42-fwh-packets.t t/43-fwh-reconcile.t t/44-fwh-security.t; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	out=$(FWH_BACKEND=$backend timeout 120 bash "$t" 2>/dev/null)
	rc=$?
	plan=$(echo "$out" | grep -E '^1\.\.[0-9]+' | tail -1)
	bad=$(echo "$out" | grep '^not ok')
	if echo "$plan" | grep -q '# *SKIP'; then
		echo "ok $n - $t under $backend # SKIP ${plan#*SKIP}"
	elif [ $rc = 0 ] && [ -z "$bad" ] && [ -n "$plan" ]; then
		echo "ok $n - $t under $backend (${plan#1..} tests)"
	else
		echo "not ok $n - $t under $backend (exit $rc)"
		echo "$bad" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
done
echo "1..$n"
[ $fail = 0 ]
