#!/bin/bash
# A DNSBL answer with several A records: the class comes from the first
# record whose code `codes` maps, not only from the first record.  Zones
# answer a listing with several codes (Spamhaus ZEN: 127.0.0.2 and
# 127.0.0.11 for one address); were only the first kept, a client whose
# first code is one the configuration does not map would pass.  Of two
# mapped codes the first counts.  unbound (rrset-roundrobin: no) answers
# local-data records in the order written, and the first check below
# makes sure of it.
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/dns-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"

dns_room_init
dns_room_dnsbl multi.test 192.0.2.81 127.0.0.3         # unmapped first,
dns_room_dnsbl multi.test 192.0.2.81 127.0.0.10        # then mapped
dns_room_dnsbl multi.test 192.0.2.82 127.0.0.3         # unmapped alone
dns_room_dnsbl multi.test 192.0.2.83 127.0.0.10        # mapped first,
dns_room_dnsbl multi.test 192.0.2.83 127.0.0.3         # then unmapped
dns_room_dnsbl multi.test 192.0.2.84 127.0.0.11        # two mapped
dns_room_dnsbl multi.test 192.0.2.84 127.0.0.10
dns_room_start || { echo "Bail out! unbound did not start"; exit 1; }

t_is "$(perl t/lib/dnsq.pl "$DNS_ROOM_SERVER" 81.2.0.192.multi.test A |
    awk '$3 == "A" { printf "%s ", $4 }')" "127.0.0.3 127.0.0.10 " \
    "the room answers both codes, unmapped first"

pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
log: { requests: all }
dns:
  servers: [ \"$DNS_ROOM_SERVER\" ]
  dnsbl:
    - zone: multi.test
      codes: { 127.0.0.10: dynamic, 127.0.0.11: static }"
pd_start; t_ok $? "policyd starts"

ask() {         # IP -> the action
	pd_req "$1" mail.example.org | pd_raw "inet:127.0.0.1:$PORT" |
	    sed -n 's/^action=//p'
}
logged() {      # IP -> its request line's class= and dnsbl= fields
	pd_wait_log "client=${1//./\\.} " &&
	    grep "client=$1 " "$PD_LOG" | tail -1 |
	    grep -oE ' (class|dnsbl)=[^ "]+' | tr -d '\n'
}
a=$(ask 192.0.2.81)
[[ $a == REJECT* ]]; t_ok $? "the mapped code second: listed ($a)"
t_is "$(logged 192.0.2.81)" " class=dynamic dnsbl=multi.test:127.0.0.10" \
    "  (logged with the mapped code)"
a=$(ask 192.0.2.83)
[[ $a == REJECT* ]]; t_ok $? "the mapped code first: listed ($a)"
t_is "$(logged 192.0.2.83)" " class=dynamic dnsbl=multi.test:127.0.0.10" \
    "  (logged with the mapped code, not the later unmapped one)"
ask 192.0.2.84 > /dev/null
t_is "$(logged 192.0.2.84)" " class=static dnsbl=multi.test:127.0.0.11" \
    "two mapped codes: the first one's class"
t_is "$(ask 192.0.2.82)" DUNNO "an unmapped code alone: no listing"
t_is "$(logged 192.0.2.82)" " class=mail dnsbl=multi.test:127.0.0.3" \
    "  (classified on the name, logged with the code)"
pd_stop
t_is "$PD_RC" 0 "policyd exits 0"
t_ok "$(pd_sanitizer_clean; echo $?)" "no sanitizer report"
t_done
