#!/bin/bash
# t/82-fuzz-regress.t - replay every seed and crash regression under t/data/fuzz/.
#
# The harnesses of t/fuzz/ built by the ordinary compiler and flags (make
# fuzz-replay: build/fuzz-replay, or build-san/ under SANITIZE) run each
# file of t/data/fuzz/NAME/ once through harness NAME.  Files named crash-*
# there are inputs that once crashed a parser or broke a property; they
# must now pass.  Needs no clang.
set -u
cd "$(dirname "$0")/.." || exit 1
unset MAKEFLAGS MFLAGS MAKELEVEL
san=${SANITIZE:-}
if ! out=$(make -s --no-print-directory SANITIZE="$san" fuzz-replay 2>&1); then
	echo "1..1"
	echo "not ok 1 - make fuzz-replay (a harness does not build against its module)"
	echo "$out" | grep -E 'error|undefined' | head -20 | sed 's/^/# /'
	exit 1
fi
tool=$(make -s --no-print-directory SANITIZE="$san" fuzz-replay-path)
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
