#!/bin/bash
# firewall-helper with backend nftset in a room of two network namespaces:
# real connections over a veth pair refused for blocked addresses and
# accepted for others (IPv4, IPv6), del, expiry, refresh on re-add, restart
# from the journal, reconcile after `nft flush ruleset`, the table's shape.
. "$(dirname "$0")/lib/fwsets-room.sh"
fwroom_require nftset
fwroom_setup
fwroom_conf nftset "log: true" "log_prefix: \"t60: \""
fwroom_start
ok $? "helper starts with backend nftset"

fwroom_common_checks "nft flush ruleset"

t=$(fwroom_srv nft list table inet policyd 2>&1)
echo "$t" | grep -q 'set policyd4' && echo "$t" | grep -q 'set policyd6' &&
    echo "$t" | grep -q 'flags timeout'
ok $? "table inet policyd holds two sets with timeouts"
echo "$t" | grep -q 'tcp dport 25 tcp flags syn / fin,syn,rst,ack ip saddr @policyd4 limit rate 6/minute burst 3 packets log prefix "t60: "' &&
    echo "$t" | grep -q 'tcp dport 25 tcp flags syn / fin,syn,rst,ack ip saddr @policyd4 reject with tcp reset'
ok $? "IPv4 rules: SYN to 25 from @policyd4 logged (6 a minute), then tcp reset"
echo "$t" | grep -q 'ip6 saddr @policyd6 limit rate 6/minute burst 3 packets log prefix "t60: "' &&
    echo "$t" | grep -q 'ip6 saddr @policyd6 reject with tcp reset'
ok $? "IPv6 rules"
echo "$t" | grep -q '10.231.0.2 timeout'
ok $? "element carries a timeout"

fwroom_srv nft flush ruleset
fwroom_hup
fwroom_expect refused 10.231.0.2 10.231.0.1 "reconcile after nft flush ruleset: refused again"
fwroom_srv nft list table inet policyd 2>/dev/null | grep -q 'fd31::2'
ok $? "reconcile re-asserts the IPv6 element"
fwroom_srv nft delete element inet policyd policyd4 '{ 10.231.0.2 }'
fwroom_expect refused 10.231.0.2 10.231.0.1 "reconcile after an element was deleted behind our back"
fwroom_stop
fwroom_srv nft list table inet policyd >/dev/null 2>&1
ok $? "stopping the helper leaves the table in place"
fwroom_done
