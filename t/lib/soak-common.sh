# soak-common.sh - what the two runs of `make soak` share (sourced, bash):
# t/lib/hostile-soak.sh and t/lib/dns-soak.sh.
#
#   soak_init NAME REPORT [REQUESTS]
#                           from the top directory: the report emptied, the
#                           plain build made and copied to $SOAK_TMP/policyd
#                           (refused if it carries a sanitizer); SOAK_TMP is
#                           a fresh directory, removed at exit with every
#                           process in PIDS killed.  Sets the run's sizes:
#                           N       REQUESTS, default 1,000,000
#                           WARM    SOAK_WARMUP, default 200,000
#                           SLACK   SOAK_RSS_SLACK_KB, default 2048
#                           VGN     SOAK_VG_REQUESTS, default 20,000
#                           ASN     SOAK_ASAN_REQUESTS, default 200,000
#                           HL      the checking load client
#   say TEXT                to stdout and the report
#   fail TEXT               "NAME FAIL: TEXT"; the run fails (soak_rc=1)
#   rss PID                 resident memory in kB
#   ask PORT                the action answered for the request on stdin
#   start_pd BIN CONF LOG [WRAPPER...]
#                           policyd -c CONF -f with 4096 descriptors, waits
#                           for "started"; sets PD, added to PIDS
#   stop_pd                 SIGTERM and wait: policyd's exit status
#   rss_watch FILE PID...   every second, the peak RSS of each PID (in that
#                           order, one line) into FILE, starting from now;
#                           rss_watch_stop ends it
#   VALGRIND                memcheck with a full leak check; add
#                           --log-file=FILE
#   vg_verdict LABEL RC FILE  valgrind's error and leak lines (FILE, its
#                           --log-file) in the report; fails unless RC is 0
#   san_verdict TEXT LOG... "TEXT, no ... report" in the report when no
#                           ASan/LSan/UBSan report is in the logs, else a
#                           failure and the reports' heads
#   log_warnings LOG        policyd's first warnings, if any, in the report

soak_rc=0
PIDS=()
_soak_name=
_soak_watch=

soak_init() {
	_soak_name=$1
	REPORT=$2
	N=${3:-1000000}
	WARM=${SOAK_WARMUP:-200000}
	SLACK=${SOAK_RSS_SLACK_KB:-2048}
	VGN=${SOAK_VG_REQUESTS:-20000}
	ASN=${SOAK_ASAN_REQUESTS:-200000}
	HL=./t/lib/hostile-load
	SOAK_TMP=$(mktemp -d "/tmp/soak.XXXXXX") || exit 1
	trap 'for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	    rm -rf "$SOAK_TMP"' EXIT
	mkdir -p "$(dirname "$REPORT")"
	: > "$REPORT"
	unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE
	make -s all t/lib/hostile-load >/dev/null || { echo "make failed"; exit 1; }
	cp policyd/policyd "$SOAK_TMP/policyd"
	if ldd "$SOAK_TMP/policyd" | grep -q 'libasan\|libubsan'; then
		echo "policyd/policyd is a sanitizer build: run make (without SANITIZE) first"
		exit 1
	fi
}

say() { echo "$*" | tee -a "$REPORT"; }
fail() { echo "$_soak_name FAIL: $*"; soak_rc=1; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

ask() {
	local line
	exec 7<>"/dev/tcp/127.0.0.1/$1" || return 1
	cat >&7
	IFS= read -r -t 5 line <&7
	exec 7<&-
	printf '%s\n' "${line#action=}"
}

start_pd() {
	local bin=$1 conf=$2 log=$3 i
	shift 3
	: > "$log"
	(ulimit -n 4096; exec "$@" "$bin" -c "$conf" -f) 2>"$log" &
	PD=$!
	PIDS+=("$PD")
	for ((i = 0; i < 600; i++)); do
		grep -q 'started: ' "$log" && return 0
		kill -0 "$PD" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
stop_pd() { kill -TERM "$PD"; wait "$PD"; }

rss_watch() {
	local file=$1
	shift
	( peaks=()
	  while :; do
		line=
		for ((i = 1; i <= $#; i++)); do
			r=$(rss "${!i}")
			[ -n "$r" ] && [ "$r" -gt "${peaks[i]:-0}" ] && peaks[i]=$r
			line+="${line:+ }${peaks[i]:-0}"
		done
		echo "$line" > "$file"
		sleep 1
	  done ) &
	_soak_watch=$!
	PIDS+=("$_soak_watch")
}
rss_watch_stop() {
	[ -n "$_soak_watch" ] && { kill "$_soak_watch" 2>/dev/null; wait "$_soak_watch" 2>/dev/null; }
	_soak_watch=
}

VALGRIND=(valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99)
vg_verdict() {
	say "$1: exit $2; $(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|in use at exit|All heap' "$3" |
	    sed 's/^==[0-9]*== *//' | tr '\n' ';')"
	[ "$2" = 0 ] || { fail "$1 reported errors or leaks (exit $2)"; sed -n '1,60p' "$3"; }
}
san_verdict() {
	local text=$1
	shift
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$@"; then
		fail "ASan/UBSan/LSan report"
		grep -A20 'Sanitizer\|runtime error' "$@" | head -40
	else
		say "$text, no AddressSanitizer/LeakSanitizer/UBSan report"
	fi
}
log_warnings() {
	grep -q 'warning\|error' "$1" &&
	    { say "policyd warnings:"; grep 'warning\|error' "$1" | head -5 | tee -a "$REPORT"; }
	return 0
}
