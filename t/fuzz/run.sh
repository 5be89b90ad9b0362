#!/bin/sh
# t/fuzz/run.sh - run libFuzzer harnesses and print their figures.
#
#   FUZZ_SECONDS=60 sh t/fuzz/run.sh NAME...      (from the top directory)
#
# Each build-fuzz/bin/fuzz-NAME runs for FUZZ_SECONDS on its growing corpus
# build-fuzz/corpus/NAME plus the seeds t/data/fuzz/NAME (read only), with
# the dictionary t/data/fuzz/NAME.dict when there is one.  A crash leaves its
# input in build-fuzz/crashes/NAME/ and makes the script exit 1 after the
# other harnesses ran.  One line per harness is printed and appended to
# build-fuzz/fuzz-report.txt: executions, exec/s, CPU seconds, corpus files,
# coverage (cov: edges), peak RSS, result.
set -u
secs=${FUZZ_SECONDS:-60}
fz=build-fuzz
rc=0
printf '%-13s %11s %8s %7s %7s %6s %7s %s\n' harness execs exec/s cpu_s corpus cov rss_mb result |
    tee -a $fz/fuzz-report.txt
for h in "$@"; do
	bin=$fz/bin/fuzz-$h
	corpus=$fz/corpus/$h
	crashes=$fz/crashes/$h
	log=$fz/log/$h.log
	mkdir -p "$corpus" "$crashes" $fz/log
	seeds=t/data/fuzz/$h
	[ -d "$seeds" ] || seeds=
	dict=
	[ -f t/data/fuzz/$h.dict ] && dict=-dict=t/data/fuzz/$h.dict
	maxlen=
	case $h in
	policy_proto) maxlen=-max_len=40000 ;;   # past POLICY_REQ_MAX
	pconfig|fwconf|exceptions|yconf) maxlen=-max_len=8192 ;;
	esac
	/usr/bin/env time -f '%U %S' -o $fz/log/$h.time \
	    "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$crashes/" $dict $maxlen "$corpus" $seeds \
	    >"$log" 2>&1 </dev/null
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	cpu=$(tail -1 $fz/log/$h.time 2>/dev/null | awk '{ printf "%.1f", $1 + $2 }')
	n=$(ls "$corpus" | wc -l)
	if [ $st -eq 0 ]; then res=ok; else res="CRASH (exit $st, see $log)"; rc=1; fi
	printf '%-13s %11s %8s %7s %7s %6s %7s %s\n' "$h" "${execs:-?}" \
	    "${eps:-?}" "${cpu:-?}" "$n" "${cov:-?}" "${rss:-?}" "$res" |
	    tee -a $fz/fuzz-report.txt
done
exit $rc
