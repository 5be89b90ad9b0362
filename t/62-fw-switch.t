#!/bin/bash
# Moving between backends: each start with another `backend:` takes the
# previous backend's objects down (iptables chain and jump, nft table,
# ipsets and their rules) and loads the whole block table, from the
# journal, into the new one; blocked addresses stay refused throughout.
. "$(dirname "$0")/lib/fwsets-room.sh"
fwroom_require nftset
fwroom_require ipset
fwroom_setup

run() {
	fwroom_conf "$1"
	fwroom_start
	ok $? "start with backend $1"
	fwroom_expect refused 10.231.0.2 10.231.0.1 "$1: blocked address refused"
	fwroom_expect refused fd31::2 fd31::1 "$1: IPv6 blocked address refused"
	fwroom_expect accepted 10.231.0.3 10.231.0.1 "$1: other address accepted"
	fwroom_stop
}
nft_there() { fwroom_srv nft list table inet policyd >/dev/null 2>&1; }
ipset_there() { fwroom_srv ipset list -n 2>/dev/null | grep -q '^policyd[46]$' ||
    fwroom_srv iptables-legacy-save | grep -q match-set; }
iptc_there() { fwroom_srv iptables-legacy-save | grep -q POLICYD ||
    fwroom_srv ip6tables-legacy-save | grep -q POLICYD; }

fwroom_conf null
fwroom_start
fwroom_ctl add 10.231.0.2 reason=switch >/dev/null
fwroom_ctl add fd31::2 reason=switch >/dev/null
fwroom_stop

run iptables
iptc_there; ok $? "iptables: chain POLICYD in place"
run nftset
iptc_there; ok $((! $?)) "to nftset: iptables chain and jumps gone"
nft_there; ok $? "to nftset: table inet policyd in place"
run ipset
nft_there; ok $((! $?)) "to ipset: nft table gone"
ipset_there; ok $? "to ipset: sets and rules in place"
run iptables
ipset_there; ok $((! $?)) "to iptables: ipsets and their rules gone"
run nftset
fwroom_done
