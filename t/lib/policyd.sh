# policyd.sh - helpers for policyd's integration tests (sourced, bash).
#
#   t_ok, t_is              TAP lines (t/lib/tap.sh)
#   t_done                  the plan; exit 1 if anything failed
#   pd_conf TEXT            write $PD_CONF (a temp file) with TEXT
#   pd_start [ARGS]         start policyd -c $PD_CONF -f -v ARGS in the
#                           background (under $PD_WRAP when set, e.g.
#                           valgrind), log in $PD_LOG; waits for "started"
#   pd_stop                 SIGTERM, wait; sets PD_RC to its exit status
#   pd_wait_log PATTERN [N] wait until $PD_LOG has N (1) lines matching the
#                           extended regex PATTERN (10 s at most, or
#                           $PD_WAIT_TRIES x 50 ms)
#   pd_raw SPEC [PCLIENT-ARGS]  send stdin raw, print what comes back
#   pd_sanitizer_clean      0 when the log holds no sanitizer report
#
# $T_TMP is a fresh temp dir removed at exit, $PORT a free loopback port,
# $SOCK a unix socket path in $T_TMP.  policyd is killed at exit.

cd "$(dirname "$0")/.." || exit 1
POLICYD=./policyd/policyd
PCLIENT=./t/lib/pclient
T_TMP=$(mktemp -d /tmp/policyd-t.XXXXXX)
PD_CONF=$T_TMP/policyd.yaml
PD_LOG=$T_TMP/policyd.log
PD_PID=
PD_RC=
SOCK=$T_TMP/policyd.sock
. t/lib/tap.sh

_pd_cleanup() {
	[ -n "$PD_PID" ] && kill -KILL "$PD_PID" 2>/dev/null
	rm -rf "$T_TMP"
}
trap _pd_cleanup EXIT

if [ ! -x "$POLICYD" ] || [ ! -x "$PCLIENT" ]; then
	echo "1..0 # SKIP build first (make)"
	exit 0
fi
PORT=$($PCLIENT -P)

t_done() {
	echo "1..$t_n"
	if [ "$t_fail" != 0 ] && [ -f "$PD_LOG" ]; then
		echo "# policyd log (last lines):"
		tail -n 30 "$PD_LOG" | sed 's/^/#   /'
	fi
	[ "$t_fail" = 0 ]
	exit $?
}

pd_conf() {
	printf '%s\n' "$1" > "$PD_CONF"
}

pd_wait_log() {
	local pat=$1 want=${2:-1} i
	for ((i = 0; i < ${PD_WAIT_TRIES:-200}; i++)); do
		[ "$(grep -Ec -- "$pat" "$PD_LOG" 2>/dev/null)" -ge "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

pd_start() {
	: > "$PD_LOG"
	${PD_WRAP:-} "$POLICYD" -c "$PD_CONF" -f -v "$@" 2>> "$PD_LOG" &
	PD_PID=$!
	pd_wait_log 'started: |fatal' && grep -q 'started: ' "$PD_LOG"
}

pd_stop() {
	kill -TERM "$PD_PID" 2>/dev/null
	wait "$PD_PID"
	PD_RC=$?
	PD_PID=
}

pd_raw() {
	local spec=$1
	shift
	"$PCLIENT" -r -s "$spec" "$@"
}

pd_sanitizer_clean() {
	! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$PD_LOG"
}

# A minimal valid request; $1 = client_address, $2 = client_name.
pd_req() {
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nclient_name=%s\n\n' "$1" "${2:-unknown}"
}
