#!/bin/bash
# A DNSBL that answers after the deadline: the request is decided without
# it (on the name), and that verdict is not cached, so the next request
# from the client asks DNS again and finds the late listing in the DNS
# cache.  Cached, the verdict would let a listed client through for
# cache.ttl (10 minutes by default) instead of for one request.  The zone's
# server (t/lib/dns-sink.pl slow) lists every address, 900 ms late: after
# the 600 ms deadline, well before c-ares gives the query up (three tries
# of 200, 400 and 800 ms).
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/dns-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"

dns_room_init
dns_room_sink slow 900 127.0.0.10 ||
    { echo "Bail out! the DNS sink did not start"; exit 1; }
pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
log: { requests: all }
dns:
  servers: [ \"127.0.0.1:$DNS_ROOM_SINK_PORT\" ]
  timeout_ms: 600
  dnsbl:
    - zone: late.test
      codes: { 127.0.0.10: dynamic }"
ask() { pd_req "$1" "$2" | pd_raw "inet:127.0.0.1:$PORT" | head -1; }

pd_start
t_ok $? "policyd starts"
t_is "$(ask 192.0.2.71 mail.example.org)" "action=DUNNO" \
    "the zone misses the deadline: decided on the name"
pd_wait_log 'client=192\.0\.2\.71 .*dns_tempfail=late\.test:deadline'
t_ok $? "  (logged with dns_tempfail=late.test:deadline)"
sleep 1.2       # the late answer (900 ms) is in the DNS cache
a=$(ask 192.0.2.71 mail.example.org)
[[ $a == action=REJECT* ]]; t_ok $? "asked again: the late listing counts ($a)"
pd_wait_log 'client=192\.0\.2\.71 .*dnsbl=late\.test:127\.0\.0\.10'
t_ok $? "  (logged with the listing, not as a cached verdict)" ||
    grep 'client=192\.0\.2\.71 ' "$PD_LOG" | sed 's/^/#   /'
t_is "$(grep -c 'client=192\.0\.2\.71 .*reason="cached ' "$PD_LOG")" 0 \
    "no cached verdict served"
pd_stop
t_is "$PD_RC" 0 "policyd exits 0"
t_ok "$(pd_sanitizer_clean; echo $?)" "no sanitizer report"
t_done
