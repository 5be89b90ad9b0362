# t/lib/fwh.sh - run firewall-helper in tests, whatever the backend.
#
# Source from a t/4N-*.t script (cwd = top of the tree).  The backend is a
# parameter: FWH_BACKEND=iptables (default) | null | nftset | ipset.  What
# the kernel holds is asked through fwh_kernel_* functions; those for a
# backend other than iptables/null live in t/lib/fwh-BACKEND.sh (sourced
# when present) and define:
#   fwh_kernel_has_BACKEND ADDR       0 when the kernel blocks ADDR
#   fwh_kernel_count_BACKEND          number of blocked addresses
#   fwh_kernel_wipe_BACKEND           destroy the backend's objects (as an
#                                     admin's flush would), for reconcile tests
#   fwh_kernel_unhook_BACKEND         remove only the hook (jump rule / base
#                                     chain rule); optional
# Root tests call fwh_netns first: it re-runs the script inside a new
# network namespace (unshare -n), so only that namespace's firewall is
# touched, and skips when that is not possible.  Every test gets its own
# directory (FWH_DIR), xtables lock (XTABLES_LOCKFILE) and sockets; the
# helper and anything started with fwh_bg are killed on exit.

FWH_BACKEND=${FWH_BACKEND:-iptables}
FWH_BIN=${FWH_BIN:-$PWD/firewall-helper/firewall-helper}
FWH_PID=
FWH_BG_PIDS=
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/conf.sh"
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
diag() { sed 's/^/# /' >&2; }
done_testing() { tap_plan; }

[ -f "t/lib/fwh-$FWH_BACKEND.sh" ] && . "t/lib/fwh-$FWH_BACKEND.sh"

fwh_cleanup() {
	local p
	for p in $FWH_PID $FWH_BG_PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ -n "$FWH_DIR" ] && [ -d "$FWH_DIR" ]; then
		if [ -n "$FWH_KEEP" ]; then echo "# kept $FWH_DIR" >&2; else rm -rf "$FWH_DIR"; fi
	fi
}

fwh_init() {
	FWH_DIR=$(mktemp -d /tmp/fwh-test.XXXXXX) || exit 1
	chmod 0755 "$FWH_DIR"
	export XTABLES_LOCKFILE=$FWH_DIR/xtables.lock
	trap fwh_cleanup EXIT
	[ -x "$FWH_BIN" ] || { echo "Bail out! $FWH_BIN not built"; exit 1; }
}

# Re-run this script in a private network namespace (as root).
fwh_netns() {
	[ -n "$FWH_IN_NETNS" ] && return 0
	[ "$(id -u)" = 0 ] || skip_all "needs root (network namespace, firewall)"
	unshare -n true 2>/dev/null || skip_all "cannot create a network namespace"
	if [ "$FWH_BACKEND" = iptables ]; then
		command -v iptables-legacy >/dev/null || skip_all "iptables-legacy missing"
		unshare -n iptables-legacy -S >/dev/null 2>&1 ||
			skip_all "kernel without legacy iptables"
	fi
	FWH_IN_NETNS=1 exec unshare -n "$0" "$@"
}

# Write $FWH_DIR/fwh.yaml: defaults for tests plus the lines given.
# A key given in the arguments replaces the test default.
fwh_conf() {
	FWH_CONF=$FWH_DIR/fwh.yaml
	printf '%s\n' "command_socket: $FWH_DIR/cmd.sock" \
	    "status_socket: $FWH_DIR/status.sock" "backend: $FWH_BACKEND" \
	    "journal: $FWH_DIR/journal" "xtables_lock: $FWH_DIR/xtables.lock" \
	    "batch_window: 10ms" | conf_merge "$@" > "$FWH_CONF"
}

# Start the helper in the foreground (background job); wait for sockets.
fwh_start() {
	local i
	rm -f "$FWH_DIR/cmd.sock" "$FWH_DIR/status.sock"
	"$FWH_BIN" -c "$FWH_CONF" -f -v "$@" >> "$FWH_DIR/log" 2>&1 &
	FWH_PID=$!
	for i in $(seq 1 100); do
		[ -S "$FWH_DIR/status.sock" ] && [ -S "$FWH_DIR/cmd.sock" ] &&
			"$FWH_BIN" -c "$FWH_CONF" status >/dev/null 2>&1 && return 0
		kill -0 "$FWH_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "# helper did not start; log:" >&2
	tail -20 "$FWH_DIR/log" | diag
	return 1
}

fwh_stop() {
	[ -n "$FWH_PID" ] || return 0
	kill -TERM "$FWH_PID" 2>/dev/null
	wait "$FWH_PID" 2>/dev/null
	FWH_PID=
}

fwh_kill9() {
	kill -9 "$FWH_PID" 2>/dev/null
	wait "$FWH_PID" 2>/dev/null
	FWH_PID=
}

fwh_hup() { kill -HUP "$FWH_PID"; }

# The operator client: fwh add 192.0.2.7 ttl=60 / fwh list / fwh stats
fwh() { "$FWH_BIN" -c "$FWH_CONF" "$@"; }

# One counter from `stats`.
fwh_stat() { fwh stats | sed -n "s/^$1 //p"; }

# Raw lines (stdin) to a socket (default: command); replies on stdout.
fwh_send() { perl t/lib/fwh-send.pl "${1:-$FWH_DIR/cmd.sock}"; }

# Poll until a command succeeds (at most $1 seconds).
fwh_wait() {
	local secs=$1 i; shift
	for i in $(seq 1 $((secs * 20))); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

fwh_bg() { "$@" & FWH_BG_PIDS="$FWH_BG_PIDS $!"; }

# ---------------------------------------------------------------- kernel
fwh_ipt() { case "$1" in *:*) echo ip6tables-legacy ;; *) echo iptables-legacy ;; esac; }

fwh_kernel_has_iptables() {
	local ipt plen=32
	ipt=$(fwh_ipt "$1")
	case "$1" in *:*) plen=128 ;; esac
	$ipt -S "${FWH_CHAIN:-POLICYD}" 2>/dev/null |
		grep -qE -- "^-A ${FWH_CHAIN:-POLICYD} -s $1/$plen -p tcp -j (REJECT|DROP)"
}
fwh_kernel_count_iptables() {
	{ iptables-legacy -S "${FWH_CHAIN:-POLICYD}"; ip6tables-legacy -S "${FWH_CHAIN:-POLICYD}"; } 2>/dev/null |
		grep -cE -- '-j (REJECT|DROP)'
}
fwh_kernel_wipe_iptables() {
	local ipt
	for ipt in iptables-legacy ip6tables-legacy; do
		$ipt -F "${FWH_CHAIN:-POLICYD}"
	done
}
# Delete the INPUT rules (both families) whose -S line matches PATTERN.
fwh_unhook_matching() {
	local ipt
	for ipt in iptables-legacy ip6tables-legacy; do
		$ipt -S INPUT | grep -- "$1" | sed 's/^-A/-D/' |
			while read -r rule; do eval "$ipt $rule"; done
	done
}
fwh_kernel_unhook_iptables() { fwh_unhook_matching "-j ${FWH_CHAIN:-POLICYD}\$"; }
fwh_kernel_has_null() { return 1; }
fwh_kernel_count_null() { echo 0; }

fwh_kernel_has() { "fwh_kernel_has_$FWH_BACKEND" "$@"; }
fwh_kernel_count() { "fwh_kernel_count_$FWH_BACKEND"; }
fwh_kernel_wipe() { "fwh_kernel_wipe_$FWH_BACKEND"; }
fwh_kernel_unhook() {
	declare -F "fwh_kernel_unhook_$FWH_BACKEND" >/dev/null || return 2
	"fwh_kernel_unhook_$FWH_BACKEND"
}
fwh_kernel_lacks() { ! fwh_kernel_has "$@"; }
fwh_kernel_count_is() { [ "$(fwh_kernel_count)" = "$1" ]; }

# Addresses 198.18.X.Y (benchmark range), n of them from index $2.
fwh_addrs() {
	local n=$1 start=${2:-0} i
	for ((i = start; i < start + n; i++)); do
		echo "198.18.$(( (i >> 8) & 255 )).$(( i & 255 ))"
	done
}

# fwh_fill N REASON: N blocks (10.x.y.z, an hour each, that reason) through
# the command socket, a thousand at a time with the replies read; prints
# how many were answered OK.
fwh_fill() {
	perl -MIO::Socket::UNIX -e '
		my ($path, $n, $reason) = @ARGV;
		my $s = IO::Socket::UNIX->new(Peer => $path) or die "connect: $!";
		my $ok = 0;
		for (my $b = 0; $b < $n; $b += 1000) {
			my $e = $b + 1000 < $n ? $b + 1000 : $n;
			printf $s "add 10.%d.%d.%d ttl=3600 reason=%s\n", $_ >> 16,
			    ($_ >> 8) & 255, $_ & 255, $reason for $b .. $e - 1;
			$s->flush;
			for ($b .. $e - 1) { my $l = <$s> // last; $ok++ if $l =~ /^OK/ }
		}
		print "$ok\n"' "$FWH_DIR/cmd.sock" "$1" "$2"
}
