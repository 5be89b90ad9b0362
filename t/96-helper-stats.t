#!/bin/bash
# firewall-helper's statistics: `stats` and `stats prometheus` on the
# status socket and through the command line, and the counters moving as
# blocks are added and deleted (null backend: no firewall touched).
cd "$(dirname "$0")/.." || exit 1
FWH_BACKEND=null
. t/lib/fwh.sh
fwh_init
fwh_conf "ttl: 1h"
fwh_start; ok $? "helper starts (null backend)"

out=$(fwh stats)
ok $? "firewall-helper stats"
grep -q '^added 0$' <<<"$out"; ok $? "stats: added 0 before any command"

printf 'add 192.0.2.7 reason=test\nadd 198.51.100.9\nadd 127.0.0.1\ndel 198.51.100.9\n' |
	fwh_send >"$FWH_DIR/replies"
[ "$(grep -c '^OK' "$FWH_DIR/replies")" = 3 ]; ok $? "three commands OK, loopback refused"
[ "$(fwh_stat added)" = 2 ]; ok $? "stats: added 2"
[ "$(fwh_stat deleted)" = 1 ]; ok $? "stats: deleted 1"
[ "$(fwh_stat entries)" = 1 ]; ok $? "stats: entries 1"
[ "$(fwh_stat refused_protected)" = 1 ]; ok $? "stats: refused_protected 1"

prom=$(fwh stats prometheus)
ok $? "firewall-helper stats prometheus"
bad=$(grep -Ev '^# TYPE firewall_helper_[a-z0-9_]+ (counter|gauge)$|^firewall_helper_[a-z0-9_]+ [0-9.]+$' <<<"$prom")
[ -z "$bad" ] && [ -n "$prom" ]; ok $? "prometheus: every line a TYPE or a sample${bad:+ ($bad)}"
grep -qx 'firewall_helper_added_total 2' <<<"$prom"; ok $? "prometheus: added_total 2"
grep -qx '# TYPE firewall_helper_entries gauge' <<<"$prom"; ok $? "prometheus: entries is a gauge"
grep -qx 'firewall_helper_entries 1' <<<"$prom"; ok $? "prometheus: entries 1"
n_plain=$(fwh stats | grep -Ec '^[a-z_0-9]+ [0-9.]+$')
n_prom=$(grep -Ec '^firewall_helper_' <<<"$prom")
[ "$n_plain" = "$n_prom" ]; ok $? "prometheus: one sample per numeric counter ($n_prom)"

raw=$(printf 'stats prometheus\n' | fwh_send "$FWH_DIR/status.sock")
tail -n 1 <<<"$raw" | grep -qx OK; ok $? "status socket: answer ends with OK"
out=$(printf 'stats nonsense\n' | fwh_send "$FWH_DIR/status.sock")
grep -q '^ERR unknown command' <<<"$out"; ok $? "status socket: unknown stats form refused"
fwh stats bogus >/dev/null 2>&1; [ $? = 64 ]; ok $? "command line: stats bogus is a usage error"
fwh_stop
done_testing
