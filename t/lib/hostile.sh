# hostile.sh - helpers for the adversarial and fault tests t/8x-*.t
# (sourced, bash).
#
#   t_ok RC TEXT (t/lib/tap.sh) / t_todo TEXT WHY / t_diag TEXT / t_done
#                            TAP lines, plan
#   h_port                   a free loopback TCP port
#   h_conf FILE TEXT         write a config file
#   h_start CONF [NOFILE]    start policyd -c CONF -f (descriptor limit
#                            NOFILE, default 20000); log in $H_LOG; waits
#                            for "started"; sets H_PID
#   h_stop                   SIGTERM and wait; H_RC is the exit status
#   h_alive                  policyd still runs
#   h_fds                    descriptors policyd holds now
#   h_rss                    policyd's resident memory in kB
#   h_clean_log              0 when $H_LOG has no sanitizer report
#   h_finish [WHAT]          the last three tests: policyd still runs, exits
#                            0 on SIGTERM, its log has no sanitizer report
#                            (WHAT after that test's name)
#   h_fwh_conf FILE DIR JOURNAL [LINE...]
#                            a null-backend firewall-helper config with its
#                            sockets and lock in DIR, the lines appended
#   h_wait_log PATTERN [N]   wait (10 s at most) for N lines matching
#   h_ask HOST PORT          send the request on stdin, print the action
#   h_unix PATH TEXT         send TEXT to a unix socket, print the reply
#
# HOSTILE_KEEP_LOG=FILE keeps the log of a failed run.
# HOSTILE_POLICYD=PATH runs another policyd binary (e.g. build-fuzz/bin/policyd
# from make fuzz-asan).  $H_TMP is a fresh directory removed at exit; every process started
# through h_start is killed at exit.  Tools: $HL (hostile-load), $HC
# (hostile-conns), $HI (hostile-input).

cd "$(dirname "$0")/.." || exit 1
POLICYD=${HOSTILE_POLICYD:-./policyd/policyd}
HL=./t/lib/hostile-load
HC=./t/lib/hostile-conns
HI=./t/lib/hostile-input
H_TMP=$(mktemp -d /tmp/hostile-t.XXXXXX)
H_LOG=$H_TMP/policyd.log
H_PID=
H_RC=
H_KILL=()
. t/lib/tap.sh

_h_cleanup() {
	local p
	[ -n "$H_PID" ] && kill -KILL "$H_PID" 2>/dev/null
	for p in "${H_KILL[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$H_TMP"
}
trap _h_cleanup EXIT

for _t in "$POLICYD" "$HL" "$HC" "$HI"; do
	if [ ! -x "$_t" ]; then
		echo "1..0 # SKIP build first (make): $_t missing"
		exit 0
	fi
done

# t_todo TEXT WHY: a known failure (TAP TODO): reported, not counted.
t_todo() {
	t_n=$((t_n + 1))
	echo "not ok $t_n - $1 # TODO $2"
}

t_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

t_done() {
	echo "1..$t_n"
	if [ "$t_fail" != 0 ] && [ -f "$H_LOG" ]; then
		echo "# policyd log (last lines):"
		tail -n 20 "$H_LOG" | sed 's/^/#   /'
		[ -n "$HOSTILE_KEEP_LOG" ] && cp "$H_LOG" "$HOSTILE_KEEP_LOG"
	fi
	[ "$t_fail" = 0 ]
	exit $?
}

h_port() {
	perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(
	    LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1,
	    ReuseAddr => 1) or die; print $s->sockport, "\n"'
}

h_conf() {
	printf '%s\n' "$2" > "$1"
}

h_wait_log() {
	local pat=$1 want=${2:-1} i
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -Ec -- "$pat" "$H_LOG" 2>/dev/null)" -ge "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

h_start() {
	local conf=$1 nofile=${2:-20000}
	: > "$H_LOG"
	(ulimit -n "$nofile" && exec "$POLICYD" -c "$conf" -f) 2>> "$H_LOG" &
	H_PID=$!
	h_wait_log 'started: |fatal|rror' && grep -q 'started: ' "$H_LOG"
}

h_stop() {
	kill -TERM "$H_PID" 2>/dev/null
	wait "$H_PID"
	H_RC=$?
	H_PID=
}

h_alive() {
	[ -n "$H_PID" ] && kill -0 "$H_PID" 2>/dev/null
}

h_fds() {
	ls "/proc/$H_PID/fd" 2>/dev/null | wc -l
}

h_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$H_PID/status" 2>/dev/null
}

h_clean_log() {
	! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$H_LOG"
}

# h_finish [WHAT]: the closing tests (see the top).
h_finish() {
	h_alive
	t_ok $? "policyd still runs"
	h_stop
	t_ok "$H_RC" "exit 0 on SIGTERM"
	h_clean_log
	t_ok $? "no sanitizer report${1:+ $1}"
}

# h_fwh_conf FILE DIR JOURNAL [LINE...]: a null-backend helper config.
h_fwh_conf() {
	local file=$1 dir=$2 journal=$3
	shift 3
	h_conf "$file" "command_socket: $dir/cmd.sock
status_socket: $dir/status.sock
backend: null
journal: $journal
xtables_lock: $dir/xtables.lock
batch_window: 10ms
$(printf '%s\n' "$@")"
}

# h_ask HOST PORT: send the request on stdin, print the action answered.
h_ask() {
	local line
	exec 7<>"/dev/tcp/$1/$2" || return 1
	cat >&7
	IFS= read -r -t 5 line <&7
	exec 7<&-
	printf '%s\n' "${line#action=}"
}

# h_unix PATH TEXT: send TEXT to a unix stream socket, print the reply.
h_unix() {
	perl -MIO::Socket::UNIX -e '
	    my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0])
	        or exit 1;
	    print $s $ARGV[1]; shutdown($s, 1);
	    local $/; my $r = <$s>; print $r // "";' "$1" "$2"
}
