#!/bin/bash
# t/83-hostile-input.t - policyd against clients that send what it must
# survive (t/lib/hostile-input.c), a witness connection answered throughout:
#
#  - 50 slow clients sending two requests one byte at a time, interleaved
#  - a client that sends requests and never reads: dropped at the output
#    bound (logged), before 200 MB were sent
#  - every protocol limit of policyd/policy_proto.h at and past its edge,
#    and each malformed shape: answered at the edge, closed past it
#  - 300 connections of random bytes (raw, printable lines, mutated
#    requests, long lines, CR/LF storms): only well-formed answers come back,
#    half-closed connections are closed by the server
#  - the status socket: 100 clients that send nothing, one with garbage:
#    Postfix is still answered, the status socket again once they go
# After all that, policyd holds no more descriptors than at the start, still
# answers, exits 0 on SIGTERM, and its log holds no sanitizer report.
# Then, with every answer held 20 ms (debug.delay_ms): one client pushes
# megabytes of pipelined requests; policyd stops reading at its read-ahead
# bound (its memory does not grow by the megabytes), answers in order, and
# serves a witness meanwhile.
. "$(dirname "$0")/lib/hostile.sh"

PORT=$(h_port)
T=127.0.0.1:$PORT
SOCK=$H_TMP/p.sock
printf 'clients: [ 192.0.2.0/24 ]\n' > "$H_TMP/exc.yaml"
h_conf "$H_TMP/p.yaml" "listen: [ \"inet:$T\", \"unix:$SOCK\" ]
status_socket: $H_TMP/status.sock
exceptions: $H_TMP/exc.yaml
log: { requests: none }
dns: { ptr: false }"

h_start "$H_TMP/p.yaml"
t_ok $? "policyd starts"
fd0=$(h_fds)

out=$($HI -e DUNNO -t 30 "$T" slow 50 2>&1)
t_ok $? "50 clients sending one byte at a time"
t_diag "$out"

out=$($HI -e DUNNO -t 30 "$T" noread 200 2>&1)
t_ok $? "a client that never reads is dropped (TCP)"
t_diag "$out"
out=$($HI -e DUNNO -t 30 "unix:$SOCK" noread 200 2>&1)
t_ok $? "a client that never reads is dropped (unix socket)"
t_diag "$out"
grep -q 'does not read its answers' "$H_LOG"
t_ok $? "the drop is logged"

out=$($HI -e DUNNO -t 60 "$T" limits 2>&1)
t_ok $? "protocol limits at and past their edges"
t_diag "$out"

seed=${HOSTILE_SEED:-20261128}
out=$($HI -e DUNNO -t 60 "$T" garbage 300 "$seed" 2>&1)
t_ok $? "random bytes on 300 connections (seed $seed)"
t_diag "$out"

# The status socket: 100 clients that connect and send nothing, one with
# garbage and a long line; Postfix's port keeps answering, and once they
# are gone the status socket answers again.
out=$(perl -MIO::Socket::UNIX -MIO::Socket::INET -e '
	$SIG{PIPE} = "IGNORE";
	my ($st, $port) = @ARGV;
	my @idle = map { IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $st) } 1 .. 100;
	my $g = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $st);
	syswrite($g, "\x00\xff" . ("x" x 5000) . "\n") if $g;
	my $p = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port) or die;
	print $p "request=smtpd_access_policy\nclient_address=192.0.2.1\n\n";
	my $a = <$p>;
	print "with 100 idle status clients: $a";
	close $_ for grep { defined } @idle, $g;
	' "$H_TMP/status.sock" "$PORT" 2>&1)
case $out in *"action=DUNNO"*) t_ok 0 "idle and garbage status-socket clients hold nothing up" ;;
*) t_ok 1 "idle and garbage status-socket clients hold nothing up: $out" ;; esac
st=
for _ in $(seq 1 100); do
	st=$(h_unix "$H_TMP/status.sock" $'stats\n' | grep -c .)
	[ "$st" -gt 3 ] && break
	sleep 0.05
done
t_ok $([ "$st" -gt 3 ]; echo $?) "status socket answers again once they are gone ($st lines)"

for _ in $(seq 1 100); do [ "$(h_fds)" -le "$fd0" ] && break; sleep 0.05; done
fd1=$(h_fds)
[ "$fd1" -le "$fd0" ]
t_ok $? "no descriptor leaked (before $fd0, after $fd1)"
h_finish

h_conf "$H_TMP/delay.yaml" "listen: [ \"inet:$T\" ]
exceptions: $H_TMP/exc.yaml
log: { requests: none }
dns: { ptr: false }
debug: { delay_ms: 20 }"
h_start "$H_TMP/delay.yaml"
t_ok $? "policyd starts, answers held 20 ms"
out=$($HI -e DUNNO -P "$H_PID" -t 30 "$T" pipeline 1 2>&1)
t_ok $? "megabytes of pipelined requests: bounded read-ahead, answers in order"
t_diag "$out"
h_stop
t_ok "$H_RC" "exit 0 on SIGTERM with a pipeline pending"
h_clean_log
t_ok $? "no sanitizer report"
t_done
