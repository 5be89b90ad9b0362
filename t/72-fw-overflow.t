#!/bin/bash
# The queue overflows while the helper is away: the oldest commands are
# dropped and counted, the newest reach the helper; a dropped client is not
# taken as blocked, so its next refusal is queued again.
. "$(dirname "$0")/lib/fwlink.sh"

fwl_conf
fwl_pd_conf "firewall: { socket: $FWL_SOCK, queue_size: 10, backoff: { min: 20ms, max: 100ms } }"
pd_start; t_ok $? "policyd starts with queue_size 10, helper away"

out=$(fwl_ask --gen 25 100.66 'c-%s.client.comcast.net')
t_is "$(grep -c 'action=REJECT' <<<"$out")" 25 "25 refused clients answered"
t_is "$(fwl_stat fw_dropped)" 15 "stats: 15 dropped"
t_is "$(fwl_stat fw_queue)" 10 "stats: 10 waiting"
pd_wait_log 'warning: firewall queue full'
t_is "$(grep -c 'warning: firewall queue full' "$PD_LOG")" 1 "overflow logged once, first dropped named"
grep -q 'firewall queue full .*first client=100.66.0.1$' "$PD_LOG"; t_ok $? "oldest dropped first"

fwl_start; t_ok $? "helper starts"
fwl_wait fwl_count_is 10; t_ok $? "10 reached the helper"
want=$(for i in $(seq 16 25); do echo "100.66.0.$i"; done)
t_is "$(fwl_list | awk '/ until=/ { print $1 }' | sort -t. -k4n)" "$want" "the newest 10 (16..25)"

out=$(fwl_ask 100.66.0.1 c-100-66-0-1.client.comcast.net)
t_is "$(fwl_fw 100.66.0.1 2)" "queued" "a dropped client is queued again at its next refusal"
fwl_wait fwl_has 100.66.0.1; t_ok $? "... and reaches the helper"
out=$(fwl_ask 100.66.0.20 c-100-66-0-20.client.comcast.net)
t_is "$(fwl_fw 100.66.0.20 2)" "skipped:active" "a delivered one is not"

fwl_stop
pd_stop
t_is "$PD_RC" 0 "policyd stops cleanly"
t_done
