#!/bin/bash
# A DNSBL's error codes (127.255.255.0/24: Spamhaus answers .254 to queries
# through a public resolver, .255 over quota) are no listings, even when
# `codes` maps a range that holds them: otherwise every client asked
# through such a resolver would be refused.  A warning says what happened,
# at most every ten minutes for each zone.
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/dns-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"

dns_room_init
dns_room_dnsbl pbl.test 192.0.2.61 127.255.255.254
dns_room_dnsbl pbl.test 192.0.2.62 127.255.255.255
dns_room_dnsbl pbl.test 192.0.2.63 127.0.0.10
dns_room_dnsbl other.test 192.0.2.64 127.255.255.255
dns_room_start || { echo "Bail out! unbound did not start"; exit 1; }

pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
log: { requests: all }
dns:
  servers: [ \"$DNS_ROOM_SERVER\" ]
  dnsbl:
    - zone: pbl.test
      codes: { \"127.0.0.2-127.255.255.255\": dynamic }
    - zone: other.test
      codes: { \"127.0.0.2\": dynamic }"
pd_start; t_ok $? "policyd starts, a range of codes up to 127.255.255.255"

ask() {         # IP NAME -> the action
	pd_req "$1" "$2" | pd_raw "inet:127.0.0.1:$PORT" | sed -n 's/^action=//p'
}
t_is "$(ask 192.0.2.61 mail.example.org)" DUNNO "127.255.255.254 (public resolver): not listed"
t_is "$(ask 192.0.2.61 other.example.org)" DUNNO "... again from the DNS cache (another name: no verdict cached)"
t_is "$(ask 192.0.2.62 mail.example.org)" DUNNO "127.255.255.255 (over quota): not listed"
a=$(ask 192.0.2.63 mail.example.org)
[[ $a == REJECT* ]]; t_ok $? "127.0.0.10 still a listing: $a"
pd_wait_log 'DNSBL pbl.test answered 127.255.255.254, an error code'
t_ok $? "the error code is logged"
t_is "$(grep -c 'pbl.test answered .*an error code, not a listing' "$PD_LOG")" 1 "... once, not per answer"
t_is "$(ask 192.0.2.64 mail.example.org)" DUNNO "another zone's error code: not listed"
pd_wait_log 'DNSBL other.test answered 127.255.255.255, an error code'
t_ok $? "... and logged too: each zone has its own ten minutes"
t_is "$(grep -c 'an error code, not a listing' "$PD_LOG")" 2 "two warnings in all"
pd_stop
t_is "$PD_RC" 0 "policyd exits 0"
t_done
