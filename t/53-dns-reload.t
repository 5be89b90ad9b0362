#!/bin/bash
# A SIGHUP empties the verdict cache: a client refused (and cached) before
# is decided anew.  A lookup in flight across it: the request is answered
# under the configuration it started with, and that verdict does not go
# into the verdict cache the new configuration starts empty.  The PTR server answers
# 700 ms late (t/lib/dns-sink.pl slow) with a DSL name; the reload makes
# its domain a mail service's, so the same client asked again is class
# mail, not "cached" dynamic.
. "$(dirname "$0")/lib/policyd.sh"
. t/lib/dns-room.sh
dns_room_check || room_skip "$DNS_ROOM_WHY"

dns_room_init
dns_room_sink slow 700 dsl-192-0-2-9.dyn.example.net ||
    { echo "Bail out! the DNS sink did not start"; exit 1; }
printf 'domains:\n  mail:\n    - example.net\n' > "$T_TMP/mailtokens.yaml"
conf() {        # [TOKENS LINE]
	pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
log: { requests: all }
$1
dns:
  servers: [ \"127.0.0.1:$DNS_ROOM_SINK_PORT\" ]
  timeout_ms: 1500"
}
ask() { pd_req "$1" unknown | pd_raw "inet:127.0.0.1:$PORT" | head -1; }

conf ""
pd_start
t_ok $? "policyd starts"
# A verdict cached before the reload: emptied with the cache.
t_is "$(ask 192.0.2.8 | cut -c1-13)" "action=REJECT" "a DSL client refused (and cached)"
t_is "$(ask 192.0.2.8 | cut -c1-13)" "action=REJECT" "asked again: from the cache"
pd_wait_log 'client=192\.0\.2\.8 .*reason="cached '
t_ok $? "  (logged as cached)"
ask 192.0.2.9 > "$T_TMP/first" &
asker=$!
q=
for _ in $(seq 1 100); do      # its query is out
	grep -q '^9\.2\.0\.192\.in-addr\.arpa' "$DNS_ROOM_DIR/sink.$DNS_ROOM_SINK_PORT.log" && q=1 && break
	sleep 0.02
done
t_is "$q" 1 "the lookup for 192.0.2.9 is out"
conf "tokens: $T_TMP/mailtokens.yaml"
kill -HUP "$PD_PID"
pd_wait_log 'configuration reloaded'
t_ok $? "reloaded while the lookup is in flight"
wait "$asker"
t_is "$(cut -c1-13 "$T_TMP/first")" "action=REJECT" \
    "the request in flight: answered under its own configuration (dynamic)"
t_is "$(ask 192.0.2.9)" "action=DUNNO" "the same client again: the new configuration's verdict"
t_is "$(ask 192.0.2.8)" "action=DUNNO" "the client cached before the reload: the new configuration's verdict"
pd_wait_log 'client=192\.0\.2\.9 .*class=mail'
t_ok $? "logged as class mail, not a cached dynamic verdict" ||
    grep 'client=192\.0\.2\.9 ' "$PD_LOG" | sed 's/^/#   /'
pd_stop
t_is "$PD_RC" 0 "policyd exits 0 on SIGTERM"
t_ok "$(pd_sanitizer_clean; echo $?)" "no sanitizer report"
t_done
