#!/bin/bash
# t/80-hostile-conns.t - policyd under many connections, connection churn,
# and running out of file descriptors during accept.
#
#  - 10,000 connections open at once, each answered twice while all stay
#    open; a witness connection answered before, between and after
#  - 5,000 connections opened and closed in a tight loop (plain close,
#    reset, half a request, request never read, half-close); afterwards
#    policyd holds no more descriptors than before (nothing leaked)
#  - 2,000 connections at once over a unix socket
#  - max_connections: 50: fifty served, the 51st closed unanswered while
#    they stay served, room again once one closes
#  - policyd started with `ulimit -n 32`: 60 clients each send a request;
#    accept fails (EMFILE), that is logged, the open connections keep being
#    answered, and once clients close, every waiting one is answered
# policyd must never exit, and the log holds no sanitizer report.
. "$(dirname "$0")/lib/hostile.sh"

PORT=$(h_port)
T=127.0.0.1:$PORT
printf 'clients: [ 192.0.2.0/24 ]\n' > "$H_TMP/exc.yaml"
SOCK=$H_TMP/p.sock
h_conf "$H_TMP/p.yaml" "listen: [ \"inet:$T\", \"unix:$SOCK\" ]
exceptions: $H_TMP/exc.yaml
log: { requests: none }
dns: { ptr: false }"

h_start "$H_TMP/p.yaml" 20000
t_ok $? "policyd starts with a limit of 20000 descriptors"
fd0=$(h_fds)

out=$($HC -e DUNNO -t 60 "$T" many 10000 2>&1)
t_ok $? "10,000 simultaneous connections, each answered twice"
t_diag "$out"
h_alive
t_ok $? "policyd still runs"

out=$($HC -e DUNNO -t 60 "unix:$SOCK" many 2000 2>&1)
t_ok $? "2,000 simultaneous connections over the unix socket"
t_diag "$out"

out=$($HC -e DUNNO -t 60 "$T" churn 5000 2>&1)
t_ok $? "5,000 connections opened and closed in a tight loop"
t_diag "$out"
for _ in $(seq 1 100); do [ "$(h_fds)" -le "$fd0" ] && break; sleep 0.05; done
fd1=$(h_fds)
[ "$fd1" -le "$fd0" ]
t_ok $? "no descriptor leaked (before $fd0, after $fd1)"

h_stop
t_ok "$H_RC" "exit 0 on SIGTERM"
h_clean_log
t_ok $? "no sanitizer report"

# max_connections at and past its edge.
h_conf "$H_TMP/max.yaml" "listen: [ \"inet:$T\" ]
exceptions: $H_TMP/exc.yaml
log: { requests: none }
dns: { ptr: false }
max_connections: 50"
h_start "$H_TMP/max.yaml"
t_ok $? "policyd starts with max_connections: 50"
out=$($HC -e DUNNO -t 30 "$T" maxconn 50 2>&1)
t_ok $? "50 connections served, the 51st closed unanswered, room again after a close"
t_diag "$out"
h_stop
t_ok "$H_RC" "exit 0 on SIGTERM"

# Out of descriptors during accept.
h_start "$H_TMP/p.yaml" 32
t_ok $? "policyd starts with a limit of 32 descriptors"
out=$($HC -e DUNNO -t 30 "$T" emfile 60 2>&1)
t_ok $? "descriptors exhausted: open connections served, waiting ones answered once descriptors free up"
t_diag "$out"
grep -q 'accept.*Too many open files' "$H_LOG"
t_ok $? "the failing accept is logged"
n=$(grep -c 'accept.*Too many open files' "$H_LOG")
[ "$n" -le 2 ]
t_ok $? "logged once, not per attempt ($n lines)"
h_finish
t_done
