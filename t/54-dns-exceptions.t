#!/bin/bash
# Name exceptions (hostnames:, domains:) hold for verified names only: the
# client_name Postfix reports, or a PTR policyd forward-confirmed itself -
# then whatever else DNS says (a DNSBL listing).  Never for
# reverse_client_name nor for a PTR nobody confirmed: whoever holds an
# address chooses its PTR, and could name a listed partner.
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/dns-room.sh
dns_room_fixtures_up

cat > "$T_TMP/exceptions.yaml" <<'EOF'
hostnames:
  - dsl-192-0-2-21.dyn.example.net      # PTR of 192.0.2.21, confirmed
  - dsl-192-0-2-20.dyn.example.net      # confirmed, and listed in pbl.test
  - forged.example.net                  # PTR of 192.0.2.30, not confirmed
domains:
  - friends.example
EOF
conf() {        # forward_confirm true|false
	pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
log: { requests: all }
cache: { size: 0 }
exceptions: $T_TMP/exceptions.yaml
dns:
  servers: [ \"$DNS_ROOM_SERVER\" ]
  forward_confirm: $1
  dnsbl:
    - zone: pbl.test
      codes: { 127.0.0.10: dynamic }"
}
# ask IP NAME RNAME: the answer's action
ask() {
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nclient_name=%s\nreverse_client_name=%s\nsender=a@example.org\nrecipient=b@example.net\n\n' \
	    "$1" "$2" "$3" | pd_raw "inet:127.0.0.1:$PORT" -t 30 | sed -n 's/^action=//p'
}
# reason IP: the reason of the last log line for IP
reason() {
	pd_wait_log "client=${1//./\\.} " "$2"
	grep "client=${1//./\\.} " "$PD_LOG" | tail -n 1 | sed -n 's/.* reason="\([^"]*\)" fw=.*/\1/p'
}

conf true
pd_start; t_ok $? "policyd starts, forward_confirm: true"
for n in 1 2; do        # looked up, then from the DNS cache
	t_is "$(ask 192.0.2.21 unknown unknown)" DUNNO "confirmed PTR in hostnames: DUNNO ($n)"
	r=$(reason 192.0.2.21 $n)
	[[ $r == "exception=hostname dsl-192-0-2-21.dyn.example.net"*"fcrdns=confirmed"* ]]
	t_ok $? "... as an exception, DNS facts after: $r"
done
t_is "$(ask 192.0.2.20 unknown unknown)" DUNNO "confirmed and listed in a DNSBL: the exception still holds"
[[ $(reason 192.0.2.20 1) == "exception=hostname dsl-192-0-2-20"* ]]; t_ok $? "... named"
a=$(ask 192.0.2.30 unknown unknown)
r=$(reason 192.0.2.30 1)
[[ $r != exception=* && $r == *"fcrdns=forged"* ]]; t_ok $? "PTR in hostnames but forged: no exception ($a, $r)"
t_is "$(ask 192.0.2.77 unknown dsl-192-0-2-77.friends.example)" "REJECT broadband-dynamic: end-user hosts must relay through their ISP's mail server or publish proper reverse DNS" \
    "reverse_client_name in domains:, not confirmed: classified and refused"
[[ $(reason 192.0.2.77 1) != exception=* ]]; t_ok $? "... no exception"
t_is "$(ask 192.0.2.78 dsl-192-0-2-78.friends.example dsl-192-0-2-78.friends.example)" DUNNO \
    "client_name (Postfix verified it) in domains: DUNNO"
[[ $(reason 192.0.2.78 1) == "exception=domain friends.example"* ]]; t_ok $? "... as an exception"
pd_stop

conf false
pd_start; t_ok $? "policyd starts, forward_confirm: false"
a=$(ask 192.0.2.21 unknown unknown)
r=$(reason 192.0.2.21 1)
[[ $r != exception=* && $r == *"ptr=dsl-192-0-2-21.dyn.example.net"* ]]
t_ok $? "the same PTR unconfirmed: no exception ($a, $r)"
pd_stop
t_done
