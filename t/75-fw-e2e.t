#!/bin/bash
# End to end, as root, in a network namespace of its own: a private Postfix
# (t/lib/postfix-room.sh), policyd and firewall-helper with the iptables
# backend.  A broadband client impersonated with XCLIENT gets the 5xx text,
# the helper's chain soon holds a rule for its address, and a real TCP
# connection to port 25 from that address - over a veth pair from a second
# namespace holding it - is refused; a mail server gets through and no rule
# appears for it.  XCLIENT ADDR is not the TCP source, so the packet test
# uses the veth peer whose address is the one impersonated.
cd "$(dirname "$0")/.." || exit 1
if [ -z "$FWL_IN_NETNS" ]; then
	[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (network namespace, firewall)"; exit 0; }
	unshare -n true 2>/dev/null || { echo "1..0 # SKIP cannot create a network namespace"; exit 0; }
	command -v iptables-legacy >/dev/null || { echo "1..0 # SKIP iptables-legacy missing"; exit 0; }
	unshare -n iptables-legacy -S >/dev/null 2>&1 ||
		{ echo "1..0 # SKIP kernel without legacy iptables"; exit 0; }
	command -v nsenter >/dev/null || { echo "1..0 # SKIP nsenter missing"; exit 0; }
	FWL_IN_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up            # before policyd.sh picks a free port
FWL_BACKEND=iptables
. t/lib/fwlink.sh
. t/lib/postfix-room.sh
postfix_room_check || room_skip "$POSTFIX_ROOM_WHY"

SRV=203.0.113.1 DYN=203.0.113.55 MX=203.0.113.66 MARK=203.0.113.77

# The client side: a process holding a second namespace, joined by veth.
unshare -n sleep 600 &
BPID=$!
disown "$BPID"
room_on_exit kill -KILL "$BPID"
sleep 0.1
inb() { nsenter -t "$BPID" -n "$@"; }
ip link add fwl0 type veth peer name fwl1 || room_skip "no veth support"
ip link set fwl1 netns "$BPID"
ip addr add "$SRV/24" dev fwl0
ip link set fwl0 up
inb ip link set lo up
for a in $DYN $MX $MARK; do inb ip addr add "$a/24" dev fwl1; done
inb ip link set fwl1 up

# The first line a TCP connection from SRC to SRV:25 gets, or why none.
smtp_from() {
	inb perl -MIO::Socket::IP -e '
		my $s = IO::Socket::IP->new(LocalHost => $ARGV[0], PeerHost => $ARGV[1],
		    PeerPort => 25, Timeout => 3) or do {
			print $!{ECONNREFUSED} ? "refused\n" : "error $!\n"; exit 1 };
		$s->timeout(3);
		my $l = <$s> // "no banner\n"; print $l; print $s "QUIT\r\n"; exit 0;' "$1" "$SRV"
}
rule_for() { iptables-legacy -S POLICYD 2>/dev/null | grep -q -- "-s $1/32 "; }

fwl_conf "ttl: 1h"
fwl_start; t_ok $? "helper starts (iptables backend, in the namespace)"
fwl_pd_conf "firewall: { socket: $FWL_SOCK }" \
    "dns: { servers: [ \"127.0.0.1:9\" ], timeout_ms: 300 }"
pd_start; t_ok $? "policyd starts"
postfix_room_start "inet:127.0.0.1:$PORT"; t_ok $? "private Postfix starts"
# Postfix also listens on the veth side, port 25 (master re-reads on HUP).
echo "$SRV:25 inet n - n - - smtpd" >> "$POSTFIX_ROOM_DIR/master.cf"
touch -d '-1 minute' "$POSTFIX_ROOM_DIR/master.cf"
kill -HUP "$POSTFIX_ROOM_PID"
for ((i = 0; i < 100; i++)); do
	[[ $(smtp_from $MX) == 220* ]] && break
	sleep 0.05
done
[[ $(smtp_from $MX) == 220* ]]; t_ok $? "Postfix greets on $SRV:25 over the veth pair"
[[ $(smtp_from $DYN) == 220* ]]; t_ok $? "before: $DYN reaches port 25"

# A broadband client.
out=$(room_xclient $DYN "$(dyn_name $DYN)"); rc=$?
t_is "$rc" 24 "XCLIENT $DYN: RCPT refused"
grep -q '^<\*\* *554 5.7.1 <user@room.test>: Recipient address rejected: broadband-dynamic' <<<"$out"
t_ok $? "SMTP reply is the 5xx text" || tail -n 3 <<<"$out" | sed 's/^/#   /'
t0=$(date +%s%N)
fwl_wait rule_for $DYN; t_ok $? "the chain holds a rule for $DYN"
echo "# rule $(( ($(date +%s%N) - t0) / 1000000 )) ms after the reply (not asserted: time is the bench's)"
t_is "$(smtp_from $DYN)" refused "TCP from $DYN to port 25: refused"
t_is "$(fwl_fw $DYN)" queued "policyd logged fw=queued"

# A mail server.
out=$(room_xclient $MX mx2.example4321.org); rc=$?
t_is "$rc" 0 "XCLIENT $MX (mail server): RCPT accepted"
room_xclient $MARK "$(dyn_name $MARK)" >/dev/null
fwl_wait rule_for $MARK; t_ok $? "a later broadband client's rule is there"
! rule_for $MX; t_ok $? "no rule for the mail server"
[[ $(smtp_from $MX) == 220* ]]; t_ok $? "TCP from $MX to port 25: greeted"
t_is "$(fwl_fw $MX)" "-" "policyd logged nothing for the firewall"

postfix_room_stop
fwl_stop
pd_stop
t_is "$PD_RC" 0 "policyd stops cleanly"
t_done
