#!/bin/bash
# systemd hand-over without libsystemd: sockets passed with LISTEN_FDS are
# used instead of listen:, and READY=1 / STOPPING=1 reach NOTIFY_SOCKET.
. "$(dirname "$0")/lib/policyd.sh"

command -v systemd-socket-activate > /dev/null ||
	{ echo "1..0 # SKIP systemd-socket-activate not installed"; exit 0; }
command -v perl > /dev/null || { echo "1..0 # SKIP perl needed"; exit 0; }

# a NOTIFY_SOCKET that writes what it receives to a file
perl -MIO::Socket::UNIX -MSocket -e '
	$| = 1;
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $ARGV[0])
	    or die "notify socket: $!";
	open my $out, ">>", $ARGV[1] or die;
	$out->autoflush(1);
	while (defined $s->recv(my $m, 4096)) { print $out "$m\n"; }
' "$T_TMP/notify" "$T_TMP/notified" &
npid=$!
for _ in $(seq 1 100); do [ -S "$T_TMP/notify" ] && break; sleep 0.05; done

OTHER=$($PCLIENT -P)
pd_conf "listen: [ inet:127.0.0.1:$OTHER ]"
: > "$PD_LOG"
systemd-socket-activate -E "NOTIFY_SOCKET=$T_TMP/notify" -l "127.0.0.1:$PORT" \
	"$POLICYD" -c "$PD_CONF" -f -v 2>> "$PD_LOG" &
PD_PID=$!
pd_wait_log 'Listening on'
# systemd-socket-activate starts policyd at the first connection
pd_req 192.0.2.1 | pd_raw "inet:127.0.0.1:$PORT" -t 10 > "$T_TMP/out"
printf 'action=DUNNO\n\n' > "$T_TMP/want"
cmp -s "$T_TMP/out" "$T_TMP/want"
t_ok $? "answers on the socket systemd passed"
grep -q 'listening on 1 socket(s) from systemd' "$PD_LOG"
t_ok $? "logged the hand-over"
! grep -q "listening on inet:127.0.0.1:$OTHER" "$PD_LOG"
t_ok $? "listen: not used when systemd passes sockets"
for _ in $(seq 1 100); do grep -q READY=1 "$T_TMP/notified" && break; sleep 0.05; done
grep -qx 'READY=1' "$T_TMP/notified"
t_ok $? "READY=1 sent"
pd_stop
t_is "$PD_RC" 0 "SIGTERM: exit 0"
for _ in $(seq 1 100); do grep -q STOPPING=1 "$T_TMP/notified" && break; sleep 0.05; done
grep -qx 'STOPPING=1' "$T_TMP/notified"
t_ok $? "STOPPING=1 sent"
kill $npid 2>/dev/null
pd_sanitizer_clean
t_ok $? "no sanitizer report"
t_done
