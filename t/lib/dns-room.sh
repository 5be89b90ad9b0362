# dns-room.sh - a private unbound on a loopback port, plus misbehaving
# servers (sourced, bash).
#
#   . t/lib/dns-room.sh
#   dns_room_check || room_skip "$DNS_ROOM_WHY"
#   dns_room_init                           # makes $DNS_ROOM_DIR
#   dns_room_ptr  192.0.2.7 host.example.net          # PTR (v4 or v6)
#   dns_room_addr host.example.net 192.0.2.7          # A or AAAA by form
#   dns_room_dnsbl pbl.test 192.0.2.7 127.0.0.10      # zone, IP, answer
#   dns_room_record 'x.test. 60 IN TXT "hi"'          # any local-data
#   dns_room_forward 3.0.198.in-addr.arpa 127.0.0.1@PORT  # zone -> server
#   dns_room_fixtures                       # the shared set below
#   dns_room_start || bail                  # DNS_ROOM_PORT, DNS_ROOM_SERVER
#   dns_room_queries 'in-addr\.arpa\. PTR'  # count queries seen so far
#   dns_room_sink servfail                  # DNS_ROOM_SINK_PORT (also refused, drop)
#   dns_room_stop                           # also run at exit
#   dns_room_fixtures_up                    # check (skip), init, the shared
#                                           # set, start (bail out)
#
# unbound runs in the foreground of a background job (-d) with its own
# config in $DNS_ROOM_DIR: interface 127.0.0.1, port $DNS_ROOM_PORT (UDP and
# TCP), no chroot, no privilege drop, no remote control, iterator only (no
# DNSSEC), and `local-zone: "." static`, so it answers only from the records
# given and never sends a query anywhere: names without data are NXDOMAIN
# (including the default test zones unbound ships).  Records default to a
# TTL of 300 s (DNS_ROOM_TTL).  Queries are logged (log-queries) to
# $DNS_ROOM_LOG, one line per query received:
#     ... info: 127.0.0.1 7.2.0.192.in-addr.arpa. PTR IN
# DNS_ROOM_QUERY_LOG=0 before dns_room_start turns that off (benchmarks).
# DNS_ROOM_SERVER is "127.0.0.1:PORT", the form policyd's dns.servers takes.
#
# dns_room_sink MODE starts t/lib/dns-sink.pl on a new free port (UDP and
# TCP): servfail or refused answer every query with that RCODE, drop reads
# and never answers, "slow DELAY_MS NAME" answers every query late with a
# PTR record naming NAME; its queries go to $DNS_ROOM_DIR/sink.PORT.log.
#
# dns_room_forward ZONE ADDR@PORT (before dns_room_start) makes unbound
# forward that zone (a transparent local zone) to another server, e.g. a
# drop sink started first: lookups under ZONE then hang while everything
# else is answered at once.  unbound gives up on such a query with SERVFAIL
# after its own retries (seconds).
#
# dns_room_fixtures loads records other tests may rely on (see the list in
# the function); zones: example.net (forward), pbl.test (a DNSBL).
#
# Needs the unbound binary (Debian package unbound); runs as any
# user.  Nothing outside 127.0.0.1 is touched.

. "$(dirname "${BASH_SOURCE[0]}")/room-common.sh"

DNS_ROOM_DIR=
DNS_ROOM_PORT=
DNS_ROOM_SERVER=
DNS_ROOM_LOG=
DNS_ROOM_PID=
DNS_ROOM_SINK_PORT=
DNS_ROOM_WHY=
DNS_ROOM_TTL=${DNS_ROOM_TTL:-300}
_dns_room_sinks=()
_dns_room_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

dns_room_check() {
	local u
	u=$(command -v unbound || echo /usr/sbin/unbound)
	if [ ! -x "$u" ]; then
		DNS_ROOM_WHY="unbound not installed (make deps)"; return 1
	fi
	return 0
}

dns_room_init() {
	[ -n "$DNS_ROOM_DIR" ] && return 0
	DNS_ROOM_DIR=$(mktemp -d /tmp/dnsroom.XXXXXX) || return 1
	DNS_ROOM_LOG=$DNS_ROOM_DIR/unbound.log
	: > "$DNS_ROOM_DIR/records.conf"
	room_on_exit dns_room_stop
}

# The reverse name of an address: 7.2.0.192.in-addr.arpa. / nibbles.ip6.arpa.
# With a second argument (a zone) it is the DNSBL name instead.
dns_room_revname() {
	perl -MSocket=inet_pton,AF_INET,AF_INET6 -e '
		my ($ip, $zone) = @ARGV;
		my $r;
		if ($ip =~ /:/) {
			my $b = inet_pton(AF_INET6, $ip) or die "bad address $ip\n";
			$r = join(".", reverse split //, unpack("H*", $b));
			$zone //= "ip6.arpa";
		} else {
			my $b = inet_pton(AF_INET, $ip) or die "bad address $ip\n";
			$r = join(".", reverse unpack("C4", $b));
			$zone //= "in-addr.arpa";
		}
		$zone =~ s/\.$//;
		print "$r.$zone.\n";' "$@"
}

dns_room_record() {
	dns_room_init || return 1
	printf 'local-data: "%s"\n' "$1" >> "$DNS_ROOM_DIR/records.conf"
}

dns_room_ptr() {
	local n
	n=$(dns_room_revname "$1") || return 1
	dns_room_record "$n ${3:-$DNS_ROOM_TTL} IN PTR ${2%.}."
}

dns_room_addr() {
	local t=A
	case $2 in *:*) t=AAAA ;; esac
	dns_room_record "${1%.}. ${3:-$DNS_ROOM_TTL} IN $t $2"
}

dns_room_forward() {
	dns_room_init || return 1
	printf 'local-zone: "%s." transparent\n' "${1%.}" >> "$DNS_ROOM_DIR/records.conf"
	printf 'forward-zone:\n\tname: "%s."\n\tforward-addr: %s\nserver:\n' \
	    "${1%.}" "$2" >> "$DNS_ROOM_DIR/records.conf"
}

dns_room_dnsbl() {
	local n
	n=$(dns_room_revname "$2" "$1") || return 1
	dns_room_record "$n ${4:-$DNS_ROOM_TTL} IN A $3"
}

# Shared fixtures; tests of other parts may rely on these names.
#   192.0.2.10   <-> mail.example.net           confirmed mail server
#   192.0.2.20   <-> dsl-192-0-2-20.dyn.example.net   confirmed broadband
#   192.0.2.30    -> forged.example.net (A 192.0.2.99: not confirmed)
#   192.0.2.40       no PTR (NXDOMAIN)
#   2001:db8::25 <-> mail6.example.net
#   2001:db8::77 <-> cpe-2001-db8--77.cable.example.net  broadband
#   pbl.test: 192.0.2.50 -> 127.0.0.10, 192.0.2.51 -> 127.0.0.11,
#             192.0.2.20 -> 127.0.0.10, 2001:db8::77 -> 127.0.0.10
dns_room_fixtures() {
	dns_room_ptr 192.0.2.10 mail.example.net
	dns_room_addr mail.example.net 192.0.2.10
	dns_room_ptr 192.0.2.20 dsl-192-0-2-20.dyn.example.net
	dns_room_addr dsl-192-0-2-20.dyn.example.net 192.0.2.20
	dns_room_ptr 192.0.2.21 dsl-192-0-2-21.dyn.example.net
	dns_room_addr dsl-192-0-2-21.dyn.example.net 192.0.2.21
	dns_room_ptr 192.0.2.30 forged.example.net
	dns_room_addr forged.example.net 192.0.2.99
	dns_room_ptr 2001:db8::25 mail6.example.net
	dns_room_addr mail6.example.net 2001:db8::25
	dns_room_ptr 2001:db8::77 cpe-2001-db8--77.cable.example.net
	dns_room_addr cpe-2001-db8--77.cable.example.net 2001:db8::77
	dns_room_dnsbl pbl.test 192.0.2.50 127.0.0.10
	dns_room_dnsbl pbl.test 192.0.2.51 127.0.0.11
	dns_room_dnsbl pbl.test 192.0.2.20 127.0.0.10
	dns_room_dnsbl pbl.test 2001:db8::77 127.0.0.10
}

# A test that needs the shared set and nothing else: skipped without
# unbound, bailed out when it does not start.
dns_room_fixtures_up() {
	dns_room_check || room_skip "$DNS_ROOM_WHY"
	dns_room_init
	dns_room_fixtures
	dns_room_start || { echo "Bail out! unbound did not start"; exit 1; }
}

dns_room_start() {
	local d u i qlog=yes
	dns_room_check || { echo "# dns room: $DNS_ROOM_WHY" >&2; return 1; }
	dns_room_init || return 1
	d=$DNS_ROOM_DIR
	[ "${DNS_ROOM_QUERY_LOG:-1}" = 0 ] && qlog=no
	u=$(command -v unbound || echo /usr/sbin/unbound)
	DNS_ROOM_PORT=$(room_free_port) || return 1
	DNS_ROOM_SERVER=127.0.0.1:$DNS_ROOM_PORT
	cat > "$d/unbound.conf" <<EOF
# private test resolver made by t/lib/dns-room.sh
server:
	interface: 127.0.0.1
	port: $DNS_ROOM_PORT
	do-ip6: no
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	use-syslog: no
	logfile: "$DNS_ROOM_LOG"
	log-queries: $qlog
	verbosity: 0
	num-threads: 1
	so-reuseport: no
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	outgoing-range: 4096
	num-queries-per-thread: 4096
	do-not-query-localhost: no
	jostle-timeout: 10000
	infra-host-ttl: 1
	rrset-roundrobin: no
	local-zone: "." static
	include: "$d/records.conf"
remote-control:
	control-enable: no
EOF
	: > "$DNS_ROOM_LOG"
	"$u" -d -c "$d/unbound.conf" >"$d/unbound.out" 2>&1 &
	DNS_ROOM_PID=$!
	# unbound is ready when it answers over TCP on its port.
	if ! room_wait_port "$DNS_ROOM_PORT" 200; then
		echo "# dns room: unbound did not start:" >&2
		sed 's/^/#   /' "$d/unbound.out" "$DNS_ROOM_LOG" >&2
		dns_room_stop
		return 1
	fi
	return 0
}

# Number of queries logged so far whose line matches the extended regex.
dns_room_queries() {
	grep -Ec -- "info: [0-9.]+ .*${1:-}" "$DNS_ROOM_LOG"
}

dns_room_sink() {
	local mode=$1 port
	shift
	dns_room_init || return 1
	port=$(room_free_port) || return 1
	perl "$_dns_room_lib/dns-sink.pl" "$mode" "$port" "$DNS_ROOM_DIR/sink.$port.log" \
	    "$@" 2>"$DNS_ROOM_DIR/sink.$port.err" &
	_dns_room_sinks+=($!)
	DNS_ROOM_SINK_PORT=$port
	: >> "$DNS_ROOM_DIR/sink.$port.log"
	room_wait_port "$port" 200
}

dns_room_stop() {
	local p
	for p in "${_dns_room_sinks[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	_dns_room_sinks=()
	if [ -n "$DNS_ROOM_PID" ]; then
		kill "$DNS_ROOM_PID" 2>/dev/null && wait "$DNS_ROOM_PID" 2>/dev/null
		DNS_ROOM_PID=
	fi
	if [ -n "$DNS_ROOM_DIR" ]; then
		if [ -z "${DNS_ROOM_KEEP:-}" ]; then
			rm -rf "$DNS_ROOM_DIR"
		else
			echo "# dns room kept in $DNS_ROOM_DIR" >&2
		fi
	fi
	DNS_ROOM_DIR=
}
