# room-common.sh - helpers shared by the test rooms (sourced, bash).
#
#   room_free_port          print a loopback port that is free for TCP and UDP
#                           right now (small race: bind soon after)
#   room_wait_port PORT [TRIES]  wait until something accepts on
#                           127.0.0.1:PORT (TCP); 0 or 1 after ~TRIES*0.05 s
#   room_wait_file FILE PATTERN [TRIES]  wait until FILE has a line matching
#                           the extended regex PATTERN
#   room_skip WHY           print "1..0 # SKIP WHY" and exit 0 (only before
#                           any test output)
#   room_on_exit CMD...     run CMD at exit (EXIT, INT, TERM), last added
#                           first; the rooms register their stop functions
#                           here, so a test adds its own cleanups the same
#                           way instead of replacing the trap; an EXIT trap
#                           set before the first call is kept and runs last
#
# Nothing here touches anything outside loopback or the caller's
# temp directories.

room_free_port() {
	perl -MIO::Socket::INET -e '
		for (1..50) {
			my $t = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
			    LocalPort => 0, Proto => "tcp", Listen => 1) or next;
			my $p = $t->sockport;
			my $u = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
			    LocalPort => $p, Proto => "udp") or next;
			print "$p\n"; exit 0;
		}
		exit 1;'
}

room_wait_port() {
	local port=$1 tries=${2:-200} i
	for ((i = 0; i < tries; i++)); do
		if perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(
		    PeerAddr => "127.0.0.1", PeerPort => $ARGV[0], Proto => "tcp")' "$port"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

room_wait_file() {
	local file=$1 pat=$2 tries=${3:-200} i
	for ((i = 0; i < tries; i++)); do
		[ -f "$file" ] && grep -Eq -- "$pat" "$file" && return 0
		sleep 0.05
	done
	return 1
}

room_skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

_room_exit_cmds=()
_room_trap_set=

_room_run_exit() {
	local i
	for ((i = ${#_room_exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${_room_exit_cmds[$i]}" || true
	done
	_room_exit_cmds=()
}

room_on_exit() {
	local prev
	if [ -z "$_room_trap_set" ]; then
		_room_trap_set=1
		# An EXIT trap set before (t/lib/policyd.sh's) runs last.
		prev=$(trap -p EXIT)
		prev=${prev#trap -- \'}
		prev=${prev%\' EXIT}
		[ -n "$prev" ] && _room_exit_cmds+=("$prev")
		trap _room_run_exit EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
	fi
	_room_exit_cmds+=("$*")
}
