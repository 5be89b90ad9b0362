#!/bin/bash
# firewall-helper with backend ipset in a room of two network namespaces:
# real connections over a veth pair refused for blocked addresses and
# accepted for others (IPv4, IPv6), del, expiry, refresh on re-add, restart
# from the journal, reconcile after a flushed INPUT chain and after
# `ipset destroy`, the sets' and the rule's shape.
. "$(dirname "$0")/lib/fwsets-room.sh"
fwroom_require ipset
fwroom_setup
fwroom_conf ipset "max_entries: 5000" "ports: [ 25, 587 ]"
fwroom_start
ok $? "helper starts with backend ipset"

wipe="iptables-legacy -F INPUT; ip6tables-legacy -F INPUT; ipset destroy"
fwroom_common_checks "$wipe"

h=$(fwroom_srv ipset list -t policyd4)
echo "$h" | grep -q 'Type: hash:ip' && echo "$h" | grep -q 'family inet ' &&
    echo "$h" | grep -Eq 'maxelem 53[0-9][0-9] timeout 0'
ok $? "policyd4: hash:ip, family inet, maxelem from max_entries, timeouts"
fwroom_srv ipset list -t policyd6 | grep -q 'family inet6'
ok $? "policyd6: family inet6"
fwroom_srv ipset list policyd4 | grep -Eq '^10\.231\.0\.2 timeout [0-9]+'
ok $? "element carries a timeout"
r=$(fwroom_srv iptables-legacy-save)
echo "$r" | grep -q -- '-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports 25,587 -m set --match-set policyd4 src -m comment --comment "policyd firewall-helper" -j REJECT --reject-with tcp-reset'
ok $? "IPv4 rule: SYN to 25,587 from policyd4, tcp-reset"
fwroom_srv ip6tables-legacy-save | grep -q -- '--match-set policyd6 src .*-j REJECT --reject-with tcp-reset'
ok $? "IPv6 rule"
[ "$(echo "$r" | grep -c 'match-set policyd4')" = 1 ]
ok $? "exactly one rule per family"

fwroom_srv iptables-legacy -F INPUT
fwroom_hup
fwroom_expect refused 10.231.0.2 10.231.0.1 "reconcile after a flushed INPUT chain: refused again"
fwroom_srv sh -c "$wipe"
fwroom_hup
fwroom_expect refused 10.231.0.2 10.231.0.1 "reconcile after ipset destroy: refused again"
fwroom_expect refused fd31::2 fd31::1 "reconcile after ipset destroy: IPv6 refused again"
fwroom_srv ipset del policyd4 10.231.0.2
fwroom_expect refused 10.231.0.2 10.231.0.1 "reconcile after an element was deleted behind our back"
[ "$(fwroom_srv iptables-legacy-save | grep -c 'match-set policyd4')" = 1 ]
ok $? "still exactly one rule per family"
fwroom_stop
fwroom_done
