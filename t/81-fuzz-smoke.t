#!/bin/bash
# t/81-fuzz-smoke.t - every libFuzzer harness builds and survives a short run.
#
# Builds build-fuzz/bin/fuzz-* (make fuzz-build, serialised with flock so
# concurrent test runs do not race in build-fuzz/), then runs each harness
# for FUZZ_SMOKE_SECONDS (2; 14 harnesses) over a scratch copy of its seed corpus
# t/data/fuzz/NAME plus random input.  A crash, sanitizer report, leak or
# property failure fails that harness's test line and shows the log tail.
# Skips when clang or its libFuzzer runtime is missing.
set -u
cd "$(dirname "$0")/.." || exit 1
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE
secs=${FUZZ_SMOKE_SECONDS:-2}

tmp=$(mktemp -d /tmp/fuzz-smoke.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "1..0 # SKIP clang not installed"; exit 0
fi
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
if ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" \
    "$tmp/probe.c" >/dev/null 2>&1; then
	echo "1..0 # SKIP clang libFuzzer runtime missing (libclang-rt-dev)"; exit 0
fi

mkdir -p build-fuzz
names=$(make -s --no-print-directory fuzz-names)
n=$(echo $names | wc -w)
echo "1..$((n + 1))"
if flock build-fuzz/.lock make -s --no-print-directory fuzz-build \
    >"$tmp/build.log" 2>&1; then
	echo "ok 1 - make fuzz-build ($n harnesses)"
else
	echo "not ok 1 - make fuzz-build"
	sed 's/^/# /' "$tmp/build.log" | tail -30
	i=1
	for h in $names; do i=$((i + 1)); echo "not ok $i - $h (not built)"; done
	exit 1
fi

i=1
for h in $names; do
	i=$((i + 1))
	mkdir -p "$tmp/$h"
	[ -d "t/data/fuzz/$h" ] && cp -r "t/data/fuzz/$h/." "$tmp/$h/"
	dict=
	[ -f "t/data/fuzz/$h.dict" ] && dict=-dict=t/data/fuzz/$h.dict
	if "build-fuzz/bin/fuzz-$h" -max_total_time="$secs" -timeout=10 \
	    -print_final_stats=1 -artifact_prefix="$tmp/crash-$h-" $dict \
	    "$tmp/$h" >"$tmp/$h.log" 2>&1 </dev/null; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$h.log")
		echo "ok $i - fuzz-$h ${secs}s, ${execs:-?} executions"
	else
		echo "not ok $i - fuzz-$h"
		grep -v '^#\|^INFO\|^\[' "$tmp/$h.log" | tail -40 | sed 's/^/# /'
		for f in "$tmp"/crash-"$h"-*; do
			[ -e "$f" ] && echo "# crash input (base64): $(base64 -w0 <"$f" | cut -c1-400)"
		done
	fi
done
