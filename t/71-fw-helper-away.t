#!/bin/bash
# The helper away: policyd keeps answering every request (the firewall
# request only waits in the queue), connects when the helper appears and
# sends everything queued; after a kill -9 of the helper, what it had not
# acknowledged is sent again and nothing is lost.  Timings are printed as
# diagnostics only (figures belong to make bench).
. "$(dirname "$0")/lib/fwlink.sh"

fwl_conf
fwl_pd_conf "firewall: { socket: $FWL_SOCK, backoff: { min: 20ms, max: 200ms } }"
pd_start; t_ok $? "policyd starts while the helper is away"

t0=$(date +%s%N)
out=$(fwl_ask --gen 200 100.64 'c-%s.client.comcast.net')
t1=$(date +%s%N)
t_is "$(grep -c 'action=REJECT' <<<"$out")" 200 "200 refused clients answered without the helper"
echo "# 200 answers in $(( (t1 - t0) / 1000000 )) ms with the helper away"
pd_wait_log 'fw=queued' 200; t_ok $? "each logged fw=queued"
t_is "$(fwl_stat fw_queue)" 200 "stats: 200 waiting"
t_is "$(fwl_stat fw_connected)" 0 "stats: not connected"
t_is "$(grep -c 'warning: firewall helper .*: connect: ' "$PD_LOG")" 1 "the helper's absence logged once, not per retry"

fwl_start; t_ok $? "helper starts"
fwl_wait fwl_count_is 200; t_ok $? "all 200 reached the helper once it was there"
pd_wait_log 'firewall helper .*: connected, 200 commands queued'; t_ok $? "reconnection logged"
fwl_wait fwl_stat_is fw_queue 0; t_ok $? "stats: queue empty"
t_is "$(fwl_stat fw_acked)" 200 "stats: 200 acknowledged"

# kill -9: the journal keeps what it acknowledged, policyd re-sends the rest.
kill -KILL "$FWL_PID"; wait "$FWL_PID" 2>/dev/null; FWL_PID=
out=$(fwl_ask --gen 50 100.65 'c-%s.client.comcast.net')
t_is "$(grep -c 'action=REJECT' <<<"$out")" 50 "50 more answered while the helper is dead"
fwl_start; t_ok $? "helper starts again"
fwl_wait fwl_count_is 250; t_ok $? "250 in the table: nothing lost"
t_is "$(fwl_list | grep -c '^100\.65\.')" 50 "the 50 sent after the restart"
fwl_wait fwl_stat_ge fw_reconnects 1; t_ok $? "stats: reconnects counted"
t_is "$(fwl_stat fw_dropped)" 0 "stats: nothing dropped"

fwl_stop
pd_stop
t_is "$PD_RC" 0 "policyd stops cleanly"
pd_sanitizer_clean; t_ok $? "no sanitizer report"
t_done
