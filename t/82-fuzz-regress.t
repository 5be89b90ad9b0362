#!/bin/bash
# t/82-fuzz-regress.t - replay every seed and crash regression under t/data/fuzz/.
#
# t/lib/fuzz-replay (the harnesses of t/fuzz/ built by the ordinary build,
# so also under make SANITIZE=address,undefined) runs each file of
# t/data/fuzz/NAME/ once through harness NAME.  Files named crash-* there are
# inputs that once crashed a parser; they must now pass.
set -u
cd "$(dirname "$0")/.." || exit 1
tool=t/lib/fuzz-replay
if [ ! -x $tool ]; then
	echo "1..0 # SKIP $tool not built (run make)"; exit 0
fi
names=$($tool -l)
echo "1..$(echo $names | wc -w)"
i=0
for h in $names; do
	i=$((i + 1))
	if [ ! -d t/data/fuzz/$h ]; then
		echo "ok $i - $h # SKIP no t/data/fuzz/$h"
		continue
	fi
	if out=$($tool "$h" t/data/fuzz/$h 2>&1); then
		echo "ok $i - $out, $(ls t/data/fuzz/$h | grep -c '^crash-') crash regressions"
	else
		echo "not ok $i - $h"
		echo "$out" | tail -30 | sed 's/^/# /'
	fi
done
