#!/bin/bash
# What policyd does when the helper says no, or says nothing:
#   - "ERR full" (when_full: refuse): no block exists, so the client's next
#     refusal asks again, and gets in once there is room; a full table is
#     logged once per connection until a block is taken;
#   - one IPv6 subscriber rotating through its /56 gets one block, and
#     cannot evict everybody else's from a full table;
#   - a reload that changes the client settings drops the queue: the
#     dropped clients are not taken as blocked either;
#   - a helper that stalls past reply_timeout: each connection policyd
#     makes into its backlog carries one command, not the whole queue, so
#     the helper runs few copies when it wakes;
#   - (as root) a helper that does not allow policyd's user: its unasked
#     "ERR not allowed" closes the connection and answers no command, so
#     nothing leaves the queue.
. "$(dirname "$0")/lib/fwlink.sh"

# -- ERR full ---------------------------------------------------------------
fwl_conf "max_entries: 1" "when_full: refuse"
fwl_start; t_ok $? "helper starts: max_entries 1, when_full refuse"
fwl_pd_conf "firewall: { socket: $FWL_SOCK, ttl: 24h }"
pd_start; t_ok $? "policyd starts"
fwl_ask 100.67.0.1 "$(dyn_name 100.67.0.1)" >/dev/null
fwl_wait fwl_has 100.67.0.1; t_ok $? "A blocked: the table is full"
fwl_ask 100.67.0.2 "$(dyn_name 100.67.0.2)" >/dev/null
pd_wait_log 'firewall helper refused client=100.67.0.2: full'
t_ok $? "B refused by the helper: full"
fwl_ask 100.67.0.3 "$(dyn_name 100.67.0.3)" >/dev/null
fwl_wait fwl_stat_is fw_errors 2; t_ok $? "C refused too"
t_is "$(grep -c 'warning: firewall helper refused client=.*full' "$PD_LOG")" 1 \
    "a full table is logged once, not per refused block"
fwl_stop; fwl_start; t_ok $? "the helper restarts, full again (A from its journal)"
fwl_ask 100.67.0.4 "$(dyn_name 100.67.0.4)" >/dev/null
full_said() { [ "$(grep -c 'warning: firewall helper refused client=.*full' "$PD_LOG")" = "$1" ]; }
fwl_wait full_said 2; t_ok $? "D refused by the restarted helper: said again (a new connection)"
"$FWH_BIN" -c "$FWL_CONF" del 100.67.0.1 >/dev/null
fwl_ask 100.67.0.2 "$(dyn_name 100.67.0.2)" >/dev/null
t_is "$(fwl_fw 100.67.0.2 2)" queued "B's next refusal asks again (no block held it out)"
fwl_wait fwl_has 100.67.0.2; t_ok $? "... and B is blocked now"
pd_stop
fwl_stop

# -- one IPv6 subscriber cannot fill the table --------------------------------
# (a /56, a residential delegation, is one client for the gate: one block
# per hold, not one per address or /64)
fwl_conf "max_entries: 50" "when_full: evict"
fwl_start; t_ok $? "helper starts: max_entries 50, when_full evict"
pd_start; t_ok $? "policyd starts"
args=(); for i in $(seq 1 20); do args+=(203.0.113.$i "$(dyn_name 203.0.113.$i)"); done
fwl_ask "${args[@]}" >/dev/null
fwl_wait fwl_count_is 21; t_ok $? "20 IPv4 broadband clients blocked (and B)"
args=(); for i in $(seq 1 60); do args+=(2001:db8:66:$(printf %x $i)::$(printf %x $i) c-203-0-113-5.client.comcast.net); done
fwl_ask "${args[@]}" >/dev/null
pd_wait_log 'client=2001:db8:66:3c::3c .* fw='
t_is "$(grep -c 'client=2001:db8:66:.* fw=queued' "$PD_LOG")" 1 "60 addresses in 60 /64s of one /56: one block queued"
t_is "$(grep -c 'client=2001:db8:66:.* fw=skipped:active' "$PD_LOG")" 59 "... the others held back"
fwl_wait fwl_has 2001:db8:66:1::1; t_ok $? "... that one blocked"
t_is "$(fwl_list | grep -c '^203\.0\.113\.')" 20 "every IPv4 block still there"
t_is "$(grep -c 'action=evict' "$FWL_LOG")" 0 "nothing evicted"
pd_stop
fwl_stop

# -- a reload drops the queue -----------------------------------------------
fwl_conf
fwl_pd_conf "firewall: { socket: $FWL_SOCK, backoff: { min: 20ms, max: 200ms } }"
pd_start; t_ok $? "policyd starts, helper away"
fwl_ask --gen 5 100.65 'c-%s.client.comcast.net' >/dev/null
pd_wait_log 'client=100.65.0.5 .* fw=queued'
t_is "$(fwl_stat fw_queue)" 5 "5 blocks queued"
fwl_pd_conf "firewall: { socket: $FWL_SOCK, backoff: { min: 20ms, max: 300ms } }"
fwl_reload
grep -q 'firewall settings changed: 5 queued commands dropped' "$PD_LOG"
t_ok $? "reload with other backoff: the 5 dropped, and said so"
fwl_start; t_ok $? "helper starts"
fwl_ask 100.65.0.1 "$(dyn_name 100.65.0.1)" >/dev/null
t_is "$(fwl_fw 100.65.0.1 2)" queued "a dropped client is queued again at its next refusal"
fwl_wait fwl_has 100.65.0.1; t_ok $? "... and reaches the helper"
pd_stop

# -- a stalled helper -------------------------------------------------------
fwl_pd_conf "firewall: { socket: $FWL_SOCK, reply_timeout: 300ms, backoff: { min: 100ms, max: 100ms } }"
pd_start; t_ok $? "policyd starts, reply_timeout 300ms"
fwl_wait fwl_stat_is fw_connected 1; t_ok $? "connected"
kill -STOP "$FWL_PID"
fwl_ask --gen 20 100.68 'c-%s.client.comcast.net' >/dev/null
sleep 3
n=$(grep -c 'no reply in time' "$PD_LOG")
[ "$n" -ge 3 ]; t_ok $? "policyd gave up on the stalled helper $n times"
kill -CONT "$FWL_PID"
fwl_wait fwl_stat_is fw_queue 0; t_ok $? "queue drained once it woke"
t_is "$(fwl_list | grep -c '^100\.68\.')" 20 "all 20 blocked"
seen=$(fwl_list | sed -n 's/^100\.68\.0\.2 .* seen=\([0-9]*\).*/\1/p')
t_is "$seen" 1 "100.68.0.2 was asked for once: the stale connections carried only the first command"
seen=$(fwl_list | sed -n 's/^100\.68\.0\.1 .* seen=\([0-9]*\).*/\1/p')
[ "$seen" -le $((n + 1)) ]; t_ok $? "100.68.0.1 at most once per connection ($seen)"
pd_stop
fwl_stop

# -- not allowed --------------------------------------------------------------
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "# not run: the not-allowed case needs root and setpriv"
	t_done
fi
chmod 1777 "$T_TMP"
fwl_conf "command_socket: { path: $FWL_SOCK, mode: \"0666\" }"
fwl_start; t_ok $? "helper starts; policyd's user (nobody) is not allowed"
fwl_pd_conf "firewall: { socket: $FWL_SOCK, backoff: { min: 100ms, max: 10s } }"
kill -STOP "$FWL_PID"           # slow to accept: commands go out first
PD_WRAP="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups" pd_start
pd_wait_log 'started'
fwl_ask --gen 20 100.64 'c-%s.client.comcast.net' >/dev/null
pd_wait_log 'client=100.64.0.20 .* fw=queued'
for i in 1 2 3 4 5; do
	sleep 0.3
	kill -CONT "$FWL_PID"; sleep 0.05; kill -STOP "$FWL_PID"
done
kill -CONT "$FWL_PID"
pd_wait_log 'not allowed'
t_is "$(fwl_stat fw_queue)" 20 "every block still queued"
t_is "$(grep -c 'firewall helper refused client=' "$PD_LOG")" 0 "none taken as refused by the helper"
pd_stop
fwl_stop
t_done
