#!/bin/bash
# firewall-helper with the null backend, no root needed: the command and
# status sockets, replies, refusals (loopback, never_block, own address),
# malformed lines, pipelining, expiry, max_entries, the journal across a
# clean stop and a kill -9, -n.
cd "$(dirname "$0")/.." || exit 1
FWH_BACKEND=null
. t/lib/fwh.sh
fwh_init

fwh_conf "ttl: 1h" "never_block: [ 192.168.0.0/16, '2001:db8:ffff::/48' ]" \
	"max_entries: 5" "when_full: evict"
out=$(fwh -n); ok $? "-n accepts the test configuration"
[ "$out" = "configuration OK" ]; ok $? "-n prints configuration OK"
printf 'ttl: soon\nbogus: 1\n' > "$FWH_DIR/bad.yaml"
out=$("$FWH_BIN" -c "$FWH_DIR/bad.yaml" -n 2>&1); rc=$?
[ $rc = 78 ]; ok $? "-n on a bad file exits 78"
[ "$(grep -c "^$FWH_DIR/bad.yaml:[0-9]*:[0-9]*: " <<<"$out")" = 2 ]; ok $? "every error as FILE:LINE:COL"
# the default file, as -h names it (t/99 checks it follows PREFIX)
def=$("$FWH_BIN" -h 2>&1 | sed -n 's/^FILE: \(.*\) unless given$/\1/p')
out=$("$FWH_BIN" -n 2>&1); rc=$?
if [ -e "$def" ]; then
	[ $rc != 64 ]; ok $? "no -c: the installed $def is read"
else
	[ -n "$def" ] && [ $rc = 78 ] && [[ $out == "$def:"* ]]
	ok $? "no -c: $def (-h's default) is the file: $out"
fi

fwh_start; ok $? "helper starts"

out=$(fwh add 192.0.2.7 ttl=60 reason=dynamic dsl-1.example.net)
[[ $out =~ ^OK\ added\ 192\.0\.2\.7\ until\ [0-9]+$ ]]; ok $? "add: OK added ... until EPOCH"
out=$(fwh add 192.0.2.7 reason=again)
[[ $out =~ ^OK\ refreshed\ 192\.0\.2\.7 ]]; ok $? "re-add: OK refreshed"
# change lines are written with their commit, before the replies are sent
grep -Eq 'action=block addr=192\.0\.2\.7 until=20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z seen=1 reason="dynamic dsl-1\.example\.net" peer=command:pid=' "$FWH_DIR/log"; ok $? "block logged"
grep -q 'action=refresh addr=192\.0\.2\.7 until=.* seen=2 reason="again" peer=' "$FWH_DIR/log"; ok $? "refresh logged"
fwh list | grep -q '^192\.0\.2\.7 until=.* seen=2 reason=again$'; ok $? "list: seen twice, newest reason"
out=$(fwh add 2001:DB8:0::0:7); [[ $out =~ ^OK\ added\ 2001:db8::7 ]]; ok $? "IPv6 stored canonical"
out=$(fwh add ::ffff:192.0.2.8); [[ $out =~ ^OK\ added\ 192\.0\.2\.8 ]]; ok $? "IPv4-mapped stored as IPv4"

out=$(fwh add 127.0.0.1 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "ERR loopback 127.0.0.1" ]; ok $? "loopback refused: $out"
out=$(fwh add ::1 2>&1); [ "$out" = "ERR loopback ::1" ]; ok $? "IPv6 loopback refused"
out=$(fwh add 169.254.3.4 2>&1); [ "$out" = "ERR never_block 169.254.3.4 (169.254.0.0/16)" ]; ok $? "link-local refused (built-in)"
out=$(fwh add 192.168.44.1 2>&1); [ "$out" = "ERR never_block 192.168.44.1 (192.168.0.0/16)" ]; ok $? "configured never_block refused"
out=$(fwh add 2001:db8:ffff::9 2>&1); [[ $out == "ERR never_block 2001:db8:ffff::9"* ]]; ok $? "IPv6 never_block refused"
own=$(ip -o addr show 2>/dev/null | awk '$3 == "inet" && $4 !~ /^127\./ { sub(/\/.*/, "", $4); print $4; exit }')
if [ -n "$own" ]; then
	out=$(fwh add "$own" 2>&1); [ "$out" = "ERR own_address $own" ]; ok $? "own address $own refused"
else
	ok 0 "own address refused # SKIP no non-loopback address"
fi
grep -q 'action=refuse addr=127.0.0.1 why=loopback' "$FWH_DIR/log"; ok $? "refusal logged"
! fwh list | grep -qE '^(127\.|::1 |169\.254|192\.168)'; ok $? "nothing protected in the table"

# malformed lines, answered in order on one connection
out=$(printf 'bogus\nadd 192.0.2.300\nadd 192.0.2.9 ttl=abc\nadd 192.0.2.9 reason=\001x\ndel\nadd 192.0.2.9 ttl=5 colour=red\nadd 192.0.2.10\n' | fwh_send)
mapfile -t r <<<"$out"
[ "${#r[@]}" = 7 ]; ok $? "one reply per line (${#r[@]})"
[[ ${r[0]} == ERR* && ${r[1]} == ERR* && ${r[2]} == ERR* && ${r[3]} == ERR* && ${r[4]} == ERR* && ${r[5]} == ERR* ]]; ok $? "malformed lines get ERR with a reason"
[[ ${r[6]} == "OK added 192.0.2.10"* ]]; ok $? "the connection goes on after errors"
long=$(printf 'add 192.0.2.11 reason=%0600d' 0)
out=$(echo "$long" | fwh_send); [ "$out" = "ERR line too long" ]; ok $? "over-long line: ERR line too long"
[ "$(fwh_stat malformed)" -ge 7 ]; ok $? "malformed counted"
out=$(echo bogus | fwh_send "$FWH_DIR/status.sock"); [[ $out == ERR* ]]; ok $? "status socket: unknown command ERR"

# max_entries 5, evict: the entry expiring soonest makes room
fwh del 192.0.2.10 >/dev/null
out=$(fwh del 192.0.2.10); [ "$out" = "OK absent 192.0.2.10" ]; ok $? "del of an absent address: OK absent"
fwh add 198.51.100.1 ttl=10 >/dev/null
fwh add 198.51.100.2 ttl=7200 >/dev/null
[ "$(fwh_stat entries)" = 5 ]; ok $? "table full at 5"
out=$(fwh add 198.51.100.3 ttl=7200); [[ $out == "OK added"* ]]; ok $? "full + evict: added"
! fwh list | grep -q '^198\.51\.100\.1 '; ok $? "the soonest-expiring entry was evicted"
[ "$(fwh_stat evicted)" = 1 ]; ok $? "eviction counted"
grep -q 'action=evict addr=198.51.100.1' "$FWH_DIR/log"; ok $? "eviction logged"
fwh status | grep -q '^full: yes'; ok $? "status says full"
fwh_conf "ttl: 1h" "max_entries: 5" "when_full: refuse"
fwh_hup
fwh_wait 3 sh -c "'$FWH_BIN' -c '$FWH_CONF' status | grep -q '^when_full: refuse'"; ok $? "SIGHUP: when_full: refuse applied"
out=$(fwh add 198.51.100.4 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "ERR full 198.51.100.4 (max_entries 5)" ]; ok $? "full + refuse: $out"
[ "$(fwh_stat refused_full)" = 1 ]; ok $? "refusal counted"

# pipelining: 200 adds on one connection, 200 replies in order
fwh_stop
fwh_conf "ttl: 1h" "max_entries: 1000"
fwh_start
fwh_addrs 200 | sed 's/^/add /' > "$FWH_DIR/adds"
out=$(fwh_send < "$FWH_DIR/adds")
[ "$(grep -c '^OK added' <<<"$out")" = 200 ]; ok $? "200 pipelined adds, 200 OK"
[ "$(sed 's/^OK added \([^ ]*\) .*/\1/' <<<"$out")" = "$(fwh_addrs 200)" ]; ok $? "replies in order"
n0=$(fwh list | grep -c '^198\.18\.')
[ "$n0" = 200 ]; ok $? "list shows 200"

# expiry
fwh add 203.0.113.9 ttl=1 >/dev/null
fwh_wait 4 sh -c "! '$FWH_BIN' -c '$FWH_CONF' list | grep -q '^203\.0\.113\.9 '"; ok $? "ttl=1 expires"
grep -q 'del 203.0.113.9 reason=expired' "$FWH_DIR/journal"; ok $? "expiry journaled"

# the journal is compacted when it grows: 6,000 add/del pairs of one address
c0=$(fwh_stat journal_compactions)
for i in $(seq 1 6000); do echo "add 203.0.113.200"; echo "del 203.0.113.200"; done | fwh_send > /dev/null
[ "$(fwh_stat journal_compactions)" -gt "$c0" ]; ok $? "journal compacted while running"
[ "$(wc -l < "$FWH_DIR/journal")" -lt 10000 ]; ok $? "journal shorter than what was written ($(wc -l < "$FWH_DIR/journal") lines)"

# journal: clean stop, restart; kill -9, restart
before=$(fwh list | sort)
fwh_stop
fwh_start; ok $? "restart after SIGTERM"
[ "$(fwh list | sort)" = "$before" ]; ok $? "same table after a clean restart"
fwh add 203.0.113.50 reason=last before crash >/dev/null
before=$(fwh list | sort)
fwh_kill9
fwh_start; ok $? "restart after kill -9"
[ "$(fwh list | sort)" = "$before" ]; ok $? "same table after kill -9 (journal)"
printf '2026-01-01T00:00:00Z add 203.0.113.77 until=never seen=1 reas' >> "$FWH_DIR/journal"
fwh_kill9
fwh_start; ok $? "starts with a truncated last journal line"
grep -q 'last line has no end' "$FWH_DIR/log"; ok $? "truncated line warned about"
! fwh list | grep -q '^203\.0\.113\.77 '; ok $? "truncated line not applied"
tail -c 1 "$FWH_DIR/journal" | od -c | grep -q '\\n'; ok $? "journal ends with a full line again (compacted)"

# signals: SIGHUP reload applies never_block to existing entries
fwh_conf "ttl: 1h" "max_entries: 1000" "never_block: [ 203.0.113.0/24 ]"
fwh_hup
fwh_wait 3 sh -c "! '$FWH_BIN' -c '$FWH_CONF' list | grep -q '^203\.0\.113\.50 '"; ok $? "SIGHUP: newly protected entries leave the table"
fwh_stop
[ ! -e "$FWH_DIR/cmd.sock" ]; ok $? "sockets removed at exit"
done_testing
