#!/bin/bash
# all.sh - `make bench`: run every sub-benchmark (make targets named on the
# command line, collected as BENCH_ALL += bench-NAME in mk/*.mk), each to
# its end whatever the others did, then print one summary.
#
#   bash t/bench/all.sh bench-server bench-classify ...
#
# A sub-benchmark exits 0 when its floors are met, 1 when one is missed
# (it ran: a report, not an error), anything else when it could not run.
# Its lines that name a floor (PASS, FAIL, "floor", MISSED) are repeated in
# the summary.  Exit 0 when every sub-benchmark ran, floors met or not;
# 2 when one could not run.  $MAKE (from the makefile) runs each target.
set -u
MAKE=${MAKE:-make}
tmp=$(mktemp -d /tmp/bench-all.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
summary=()
broken=0
for t in "$@"; do
	echo "=== $t"
	{ $MAKE --no-print-directory "$t" 2>&1; echo $? > "$tmp/rc"; } |
	    tee "$tmp/out"
	rc=$(cat "$tmp/rc")
	# make reports a failed recipe as "*** [FILE:LINE: TARGET] Error N"
	# (a prerequisite that failed to build names another target)
	err=$(sed -n "s/.*\*\*\* \[\(.*: \)\{0,1\}$t\] Error \([0-9]*\).*/\2/p" \
	    "$tmp/out" | tail -1)
	if [ "$rc" = 0 ]; then
		status="ran, floors met"
	elif [ "$err" = 1 ]; then
		status="ran, FAIL: a floor missed"
	else
		status="could not run (exit ${err:-$rc})"
		broken=1
	fi
	summary+=("$(printf '%-16s %s' "$t" "$status")")
	while IFS= read -r l; do
		summary+=("$(printf '%-16s   %s' "" "$l")")
	done < <(grep -E 'PASS|FAIL|MISSED|floor' "$tmp/out" |
	    grep -v '\*\*\*' | sed 's/^ *//')
done
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $((broken * 2))
