#!/bin/bash
# policyd hands refused clients to firewall-helper (null backend, no root):
# each refused client reaches the helper once, with its class and signals as
# the reason; excepted, authenticated and mail-server clients never do;
# `mode: warn` logs dry-run and never calls the helper; the counters show in
# policyd's stats.  Whether something did NOT reach the helper is checked
# after a later refused client (a marker) arrived: commands are sent in
# order.
. "$(dirname "$0")/lib/fwlink.sh"

fwl_conf
fwl_start; t_ok $? "helper starts (null backend)"
fwl_pd_conf "firewall: { socket: $FWL_SOCK, ttl: 2h }"
pd_start; t_ok $? "policyd starts with the firewall section"

# Three dynamic clients, each asked twice on one connection.
args=()
for a in 192.0.2.10 192.0.2.11 192.0.2.12 192.0.2.10 192.0.2.11 192.0.2.12; do
	args+=("$a" "$(dyn_name "$a")")
done
out=$(fwl_ask "${args[@]}")
t_is "$(grep -c 'action=REJECT' <<<"$out")" 6 "six answers, all REJECT"
fwl_wait fwl_count_is 3; t_ok $? "three clients in the helper's table"
for a in 192.0.2.10 192.0.2.11 192.0.2.12; do
	fwl_list | grep -q "^$a until=.* seen=1 "; t_ok $? "$a reached the helper once"
done
fwl_list | grep -q '^192\.0\.2\.10 .*reason=class=dynamic by=access+ip'
t_ok $? "the helper's reason: class and signals"
t_is "$(fwl_fw 192.0.2.10 1)" queued "first refusal: fw=queued"
t_is "$(fwl_fw 192.0.2.10 2)" "skipped:active" "second refusal: fw=skipped:active"
until=$(fwl_list | sed -n 's/^192\.0\.2\.10 until=\([^ ]*\) .*/\1/p')
left=$(( $(date -d "$until" +%s 2>/dev/null || echo 0) - $(date +%s) ))
[ "$left" -gt 3600 ] && [ "$left" -le 7200 ]
t_ok $? "ttl=2h requested (helper default 1h): $left s left"

# Clients that must never reach the helper.
fwl_ask 198.51.100.7 "$(dyn_name 198.51.100.7)" \
    198.51.100.8 "$(dyn_name 198.51.100.8)" \
    198.51.100.9 "$(dyn_name 198.51.100.9)" sasl=alice \
    198.51.100.10 mx2.example4321.org >/dev/null
fwl_ask 192.0.2.13 "$(dyn_name 192.0.2.13)" >/dev/null        # the marker
fwl_wait fwl_has 192.0.2.13; t_ok $? "marker reached the helper"
t_is "$(fwl_fw 198.51.100.7)" "skipped:excepted" "excepted address: fw=skipped:excepted"
t_is "$(fwl_fw 198.51.100.8)" "skipped:excepted" "excepted name: fw=skipped:excepted"
t_is "$(fwl_fw 198.51.100.9)" "skipped:auth" "authenticated: fw=skipped:auth"
t_is "$(fwl_fw 198.51.100.10)" "-" "mail server: nothing for the firewall"
! fwl_list | grep -q '^198\.51\.100\.'; t_ok $? "none of them in the helper's table"

# Answers that must not reach the helper under another configuration:
# after the check the defaults come back, and a marker refused then shows
# that the client before it was never sent (commands go in order).
never_sent() {  # label addr answer fw marker extra-config-lines...
	local label=$1 addr=$2 want=$3 fw=$4 marker=$5
	shift 5
	fwl_pd_conf "$@" "firewall: { socket: $FWL_SOCK, ttl: 2h }"
	fwl_reload; t_ok $? "reload: $label"
	t_is "$(fwl_ask "$addr" "$(dyn_name "$addr")")" "$addr action=$want" \
	    "$label: answered $want"
	t_is "$(fwl_fw "$addr")" "$fw" "$label: fw=$fw"
	fwl_pd_conf "firewall: { socket: $FWL_SOCK, ttl: 2h }"
	fwl_reload; t_ok $? "reload to the defaults after $label"
	fwl_ask "$marker" "$(dyn_name "$marker")" >/dev/null
	fwl_wait fwl_has "$marker"; t_ok $? "marker after $label reached the helper"
	! fwl_has "$addr"; t_ok $? "$label: the client never reached the helper"
}
# warn: dry-run, nothing sent.
never_sent "mode: warn" 203.0.113.20 DUNNO dry-run 192.0.2.14 "mode: warn"
# DEFER_IF_REJECT lets the mail through unless a later restriction
# rejects: no refusal of its own, nothing for the firewall.
never_sent DEFER_IF_REJECT 203.0.113.30 "DEFER_IF_REJECT maybe later" - \
    192.0.2.15 "classes: { dynamic: \"DEFER_IF_REJECT maybe later\" }"

# Counters, as the status socket shows them.
t_is "$(fwl_stat fw_queued)" 6 "stats: fw_queued"
fwl_wait fwl_stat_is fw_acked 6; t_ok $? "stats: fw_acked 6"
t_is "$(fwl_stat fw_dropped)" 0 "stats: fw_dropped"
t_is "$(fwl_stat fw_connected)" 1 "stats: fw_connected"

# A refusal the helper answers with ERR is logged with the address.
fwl_ask 169.254.3.4 "$(dyn_name 169.254.3.4)" >/dev/null
pd_wait_log 'firewall helper refused client=169.254.3.4: never_block'
t_ok $? "ERR logged with the address and the helper's reason"
t_is "$(fwl_stat fw_errors)" 1 "stats: fw_errors"

fwl_stop
pd_stop
t_is "$PD_RC" 0 "policyd stops cleanly"
pd_sanitizer_clean; t_ok $? "no sanitizer report"
t_done
