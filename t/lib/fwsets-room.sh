# fwsets-room.sh - a firewall room for the helper (sourced, bash): two
# network namespaces made here and joined by a veth pair, a TCP listener on
# port 25 in the server namespace, and firewall-helper running there with
# the backend under test.  Nothing outside the two namespaces and the temp
# directory is touched; everything is removed at exit.
#
#   fwroom_require BACKEND  skip the test unless root, ip netns and the
#                           backend's tools (nft / ipset / iptables-legacy)
#   fwroom_setup            namespaces, veth, addresses, listener; $FWROOM is
#                           the temp dir.  Server 10.231.0.1, fd31::1; the
#                           client has 10.231.0.2 .3 and fd31::2 ::3
#   fwroom_conf BACKEND [YAML LINE]...   write $FWROOM/helper.yaml
#   fwroom_start / fwroom_stop / fwroom_kill9 / fwroom_hup
#   fwroom_ctl ARGS...      firewall-helper -c helper.yaml ARGS
#   fwroom_srv CMD...       run CMD in the server namespace
#   fwroom_try SRC DST      connect from SRC to DST port 25, print
#                           accepted | refused | timeout
#   fwroom_expect WANT SRC DST NAME     a TAP line; retried for ~3 s while
#                           the answer differs (the helper commits in
#                           batches and repairs on a timer)
#   ok COND NAME / fwroom_done          TAP
#
# Uses room_on_exit etc. from room-common.sh.

. "$(dirname "${BASH_SOURCE[0]}")/room-common.sh"

FWH_BIN=${FWH_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/firewall-helper/firewall-helper}
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

fwroom_done() {
	tap_plan
	[ "$t_fail" = 0 ]
}

fwroom_require() {
	[ "$(id -u)" = 0 ] || room_skip "needs root (network namespaces)"
	[ -x "$FWH_BIN" ] || room_skip "no $FWH_BIN (run make)"
	command -v ip >/dev/null || room_skip "no ip(8)"
	case $1 in
	nftset) command -v nft >/dev/null || room_skip "no nft(8)" ;;
	ipset) command -v ipset >/dev/null && command -v iptables-legacy-save \
	    >/dev/null || room_skip "no ipset(8) or iptables-legacy" ;;
	esac
	unshare -n true 2>/dev/null || room_skip "cannot make a network namespace"
}

fwroom_srv() { ip netns exec "$FW_SRV" "$@"; }

fwroom_setup() {
	FWROOM=$(mktemp -d /tmp/fwsets-room.XXXXXX)
	FW_SRV=h5s$$
	FW_CLI=h5c$$
	room_on_exit rm -rf "$FWROOM"
	room_on_exit ip netns del "$FW_CLI"
	room_on_exit ip netns del "$FW_SRV"
	ip netns add "$FW_SRV" && ip netns add "$FW_CLI" || room_skip "ip netns add failed"
	ip -n "$FW_SRV" link add vs type veth peer name vc netns "$FW_CLI"
	ip -n "$FW_SRV" link set lo up
	ip -n "$FW_CLI" link set lo up
	ip -n "$FW_SRV" addr add 10.231.0.1/24 dev vs
	ip -n "$FW_SRV" addr add fd31::1/64 dev vs nodad
	ip -n "$FW_CLI" addr add 10.231.0.2/24 dev vc
	ip -n "$FW_CLI" addr add 10.231.0.3/24 dev vc
	ip -n "$FW_CLI" addr add fd31::2/64 dev vc nodad
	ip -n "$FW_CLI" addr add fd31::3/64 dev vc nodad
	ip -n "$FW_SRV" link set vs up
	ip -n "$FW_CLI" link set vc up
	# ip netns exec execs the program: $! is the listener itself
	ip netns exec "$FW_SRV" perl -MIO::Socket::IP -e '
		my $l = IO::Socket::IP->new(LocalHost => "::", LocalPort => 25,
		    Listen => 128, ReuseAddr => 1, V6Only => 0) or die "listen: $!";
		print "listening\n";
		close STDOUT;
		close STDERR;
		while (my $c = $l->accept) { close $c }' >"$FWROOM/listener.out" &
	local lpid=$!
	room_on_exit kill "$lpid" 2>/dev/null
	room_wait_file "$FWROOM/listener.out" listening || room_skip "no listener"
}

fwroom_conf() {
	local backend=$1 line
	shift
	{
		echo "backend: $backend"
		echo "command_socket: $FWROOM/cmd.sock"
		echo "status_socket: $FWROOM/status.sock"
		echo "journal: $FWROOM/journal"
		echo "xtables_lock: $FWROOM/xtables.lock"
		echo "reject_with: tcp-reset"
		echo "reconcile_interval: 1s"
		echo "batch_window: 5ms"
		for line in "$@"; do echo "$line"; done
	} >"$FWROOM/helper.yaml"
}

fwroom_start() {
	: >"$FWROOM/helper.log.new"
	ip netns exec "$FW_SRV" "$FWH_BIN" -c "$FWROOM/helper.yaml" -f \
	    >/dev/null 2>"$FWROOM/helper.log.new" &
	FW_PID=$!
	[ -n "$_fw_stop_set" ] || room_on_exit fwroom_stop
	_fw_stop_set=1
	room_wait_file "$FWROOM/helper.log.new" 'ready|fatal' 100
	cat "$FWROOM/helper.log.new" >>"$FWROOM/helper.log"
	grep -q ready "$FWROOM/helper.log.new"
}

fwroom_stop() {
	[ -n "$FW_PID" ] || return 0
	kill "$FW_PID" 2>/dev/null && wait "$FW_PID" 2>/dev/null
	FW_PID=
	return 0
}

fwroom_kill9() {
	kill -9 "$FW_PID" 2>/dev/null
	wait "$FW_PID" 2>/dev/null
	FW_PID=
}

fwroom_hup() { kill -HUP "$FW_PID"; }

fwroom_ctl() { "$FWH_BIN" -c "$FWROOM/helper.yaml" "$@"; }

fwroom_try() {
	ip netns exec "$FW_CLI" perl -MIO::Socket::IP -e '
		my ($src, $dst) = @ARGV;
		my $s = IO::Socket::IP->new(PeerHost => $dst, PeerPort => 25,
		    LocalHost => $src, Timeout => 1);
		if ($s) { print "accepted\n" }
		elsif ($!{ECONNREFUSED}) { print "refused\n" }
		elsif ($!{ETIMEDOUT} || "$@" =~ /time/i) { print "timeout\n" }
		else { print "error: $! $@\n" }' "$1" "$2"
}

fwroom_expect() {
	local want=$1 src=$2 dst=$3 name=$4 got i
	for ((i = 0; i < 15; i++)); do
		got=$(fwroom_try "$src" "$dst")
		[ "$got" = "$want" ] && break
		sleep 0.2
	done
	ok "$([ "$got" = "$want" ]; echo $?)" "$name"
	[ "$got" = "$want" ] || echo "#   got $got, want $want"
}

# The checks every backend must pass, with the helper running: blocks
# refuse real connections over the veth pair and others pass, IPv6 alike;
# del; expiry and refresh on re-add; restart from the journal after kill -9
# with the kernel state wiped by WIPE (a command run in the server
# namespace).  Leaves the helper running with 10.231.0.2 and fd31::2 blocked.
fwroom_common_checks() {
	local wipe=$1
	fwroom_expect accepted 10.231.0.2 10.231.0.1 "nothing blocked: accepted"
	fwroom_ctl add 10.231.0.2 reason=test >/dev/null
	fwroom_expect refused 10.231.0.2 10.231.0.1 "blocked address: refused"
	fwroom_expect accepted 10.231.0.3 10.231.0.1 "other address: accepted"
	fwroom_ctl add fd31::2 reason=test6 >/dev/null
	fwroom_expect refused fd31::2 fd31::1 "IPv6 blocked address: refused"
	fwroom_expect accepted fd31::3 fd31::1 "IPv6 other address: accepted"
	fwroom_ctl del 10.231.0.2 >/dev/null
	fwroom_expect accepted 10.231.0.2 10.231.0.1 "after del: accepted"

	# expiry and refresh share one wait: .2 expires, .3 was refreshed
	fwroom_ctl add 10.231.0.2 ttl=2 >/dev/null
	fwroom_ctl add 10.231.0.3 ttl=2 >/dev/null
	fwroom_ctl add 10.231.0.3 ttl=60 >/dev/null
	fwroom_expect refused 10.231.0.2 10.231.0.1 "short ttl: refused at first"
	sleep 2.5
	fwroom_expect accepted 10.231.0.2 10.231.0.1 "short ttl: accepted after expiry"
	fwroom_expect refused 10.231.0.3 10.231.0.1 "re-added with a longer ttl: still refused"
	fwroom_ctl del 10.231.0.3 >/dev/null
	fwroom_ctl add 10.231.0.2 >/dev/null

	fwroom_kill9
	fwroom_srv sh -c "$wipe" 2>/dev/null
	fwroom_expect accepted 10.231.0.2 10.231.0.1 "helper killed, kernel wiped: accepted"
	fwroom_start
	ok $? "restart"
	fwroom_expect refused 10.231.0.2 10.231.0.1 "restart from the journal: refused again"
	fwroom_expect refused fd31::2 fd31::1 "restart from the journal: IPv6 refused again"
}
