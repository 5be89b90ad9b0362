#!/bin/bash
# t/87-fault-dns.t - the DNS server goes away and comes back while policyd
# is answering.
#
# unbound (t/lib/dns-room.sh) serves PTR and A records that make clients of
# 198.51.101.0/24 and 198.51.103.0/24 dynamic.  policyd asks it (PTR with
# forward confirmation, timeout 300 ms, tempfail_action "DEFER_IF_PERMIT
# dns-tempfail").  Each phase uses addresses not asked before (no cache),
# mixed with excepted clients that need no DNS:
#   up:       dynamic clients refused (REJECT)
#   killed:   the server process is gone (port closed): tempfail_action
#   stopped:  the server is frozen (SIGSTOP, queries unanswered): tempfail
#             by the deadline; clients answered before stay answered from
#             the cache
#   back:     unbound started again on the same port (SIGCONT for the frozen
#             one first): refusals again for new addresses and - once
#             DNS_TEMPFAIL_TTL (policyd/dns.h) has passed - for those that
#             failed while it was gone or frozen (a failure is cached that
#             long by design)
# Every answer is checked; policyd never stops answering; no sanitizer
# report.  Latencies are printed, not asserted.
. "$(dirname "$0")/lib/hostile.sh"
. t/lib/dns-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"

dns_room_init
D=$DNS_ROOM_DIR
for net in 101 102 103; do
	for i in $(seq 1 250); do
		name=dsl-198-51-$net-$i.dyn.example.net
		dns_room_record "$i.$net.51.198.in-addr.arpa. 300 IN PTR $name."
		dns_room_record "$name. 300 IN A 198.51.$net.$i"
	done
done
dns_room_start || { echo "Bail out! unbound did not start"; exit 1; }

PORT=$(h_port)
T=127.0.0.1:$PORT
printf 'clients: [ 192.0.2.0/24 ]\n' > "$H_TMP/exc.yaml"
h_conf "$H_TMP/p.yaml" "listen: [ \"inet:$T\" ]
exceptions: $H_TMP/exc.yaml
log: { requests: none }
dns:
  servers: [ \"$DNS_ROOM_SERVER\" ]
  timeout_ms: 300
  forward_confirm: true
  tempfail_action: DEFER_IF_PERMIT dns-tempfail"
tmpl() {        # tmpl NET: a request for 198.51.NET.@N@, no name from Postfix
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=198.51.%s.@N@\nclient_name=unknown\nreverse_client_name=unknown\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' "$1" > "$H_TMP/net-$1"
}
tmpl 101; tmpl 102; tmpl 103
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.@N@\nclient_name=unknown\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' > "$H_TMP/excepted"

h_start "$H_TMP/p.yaml"
t_ok $? "policyd starts with the DNS room as its server"
sed 's/@N@/1/' "$H_TMP/net-101" | h_ask 127.0.0.1 "$PORT" > "$H_TMP/rej"
REJ=$(cat "$H_TMP/rej")
case $REJ in REJECT*) t_ok 0 "a dynamic client found by PTR is refused" ;;
*) t_ok 1 "a dynamic client found by PTR is refused (got: $REJ)" ;; esac
TF="DEFER_IF_PERMIT dns-tempfail"

# phase LABEL NET WANT N: N requests over 10 connections, half NET, half excepted
phase() {
	local out
	out=$($HL -c 10 -n "$4" -t 60 -k "$H_TMP/net-$2=$3" -k "$H_TMP/excepted=DUNNO" "$T" 2>&1)
	t_ok $? "$1: every answer as it must be"
	t_diag "$out"
}

phase "server up, 198.51.101.x refused" 101 "$REJ" 100

kill "$DNS_ROOM_PID"; wait "$DNS_ROOM_PID" 2>/dev/null
phase "server killed (port closed), 198.51.102.x: tempfail action" 102 "$TF" 60
phase "server killed, 198.51.101.x from the cache: still refused" 101 "$REJ" 60
h_alive
t_ok $? "policyd still runs"

u=$(command -v unbound || echo /usr/sbin/unbound)
"$u" -d -c "$D/unbound.conf" >>"$D/unbound.out" 2>&1 &
DNS_ROOM_PID=$!
room_wait_port "$DNS_ROOM_PORT" 200
t_ok $? "unbound back on the same port"
kill -STOP "$DNS_ROOM_PID"
phase "server frozen (queries unanswered), 198.51.103.x: tempfail by the deadline" 103 "$TF" 40
failed_at=$(date +%s%N)
phase "server frozen, 198.51.101.x from the cache: still refused" 101 "$REJ" 60
kill -CONT "$DNS_ROOM_PID"
sleep 0.5
phase "server answering again, new clients 198.51.101.x: refused" 101 "$REJ" 250
ttl=$(sed -n 's/^#define DNS_TEMPFAIL_TTL *\([0-9]*\).*/\1/p' policyd/dns.h)
ttl=${ttl:-5}
left=$(( (ttl * 1000000000 + 300000000 - ($(date +%s%N) - failed_at)) / 1000000 ))
[ "$left" -gt 0 ] && sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
phase "server answering again, 198.51.102.x (refused while gone, ${ttl}s later): refused" 102 "$REJ" 60
phase "server answering again, 198.51.103.x (timed out while frozen, ${ttl}s later): refused" 103 "$REJ" 60

h_finish
t_done
