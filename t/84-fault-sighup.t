#!/bin/bash
# t/84-fault-sighup.t - SIGHUP every 100 ms while policyd is under load.
#
# 16 connections send requests for 3 seconds, of two kinds: an excepted client
# (exceptions file, reloaded with the configuration) that must get DUNNO,
# and a dynamic-looking client that must get the REJECT policyd gave it
# before the storm.  Meanwhile policyd gets SIGHUP every 100 ms; every
# fifth time the configuration file is broken first (the running one must
# be kept, errors logged) and restored after.  No request may fail or get
# another answer; reloads are logged; policyd exits 0 and the log holds no
# sanitizer report.
. "$(dirname "$0")/lib/hostile.sh"

PORT=$(h_port)
T=127.0.0.1:$PORT
printf 'clients: [ 192.0.2.0/24 ]\n' > "$H_TMP/exc.yaml"
good="listen: [ \"inet:$T\" ]
exceptions: $H_TMP/exc.yaml
log: { requests: none }
dns: { ptr: false }"
h_conf "$H_TMP/p.yaml" "$good"
h_conf "$H_TMP/good.yaml" "$good"
h_conf "$H_TMP/bad.yaml" "$good
mode: [ broken"

printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.@N@\nclient_name=dsl-192-0-2-@N@.dyn.example.net\nreverse_client_name=dsl-192-0-2-@N@.dyn.example.net\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' > "$H_TMP/excepted"
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=198.51.100.@N@\nclient_name=dsl-198-51-100-@N@.dyn.example.net\nreverse_client_name=dsl-198-51-100-@N@.dyn.example.net\nhelo_name=pc\nsender=a@example.org\nrecipient=b@example.net\n\n' > "$H_TMP/dynamic"

h_start "$H_TMP/p.yaml"
t_ok $? "policyd starts"
sed 's/@N@/7/g' "$H_TMP/dynamic" | h_ask 127.0.0.1 "$PORT" > "$H_TMP/want"
want=$(cat "$H_TMP/want")
case $want in REJECT*|5[0-9][0-9]*|DEFER*) r=0 ;; *) r=1 ;; esac
t_ok $r "the dynamic client is refused before the storm: $want"

$HL -c 16 -T 3 -t 60 -k "$H_TMP/excepted=DUNNO" -k "$H_TMP/dynamic=$want" \
    "$T" > "$H_TMP/load.out" 2>&1 &
lpid=$!
H_KILL+=("$lpid")
hups=0 broken=0
while kill -0 "$lpid" 2>/dev/null; do
	if [ $((hups % 5)) = 4 ]; then
		cp "$H_TMP/bad.yaml" "$H_TMP/p.new" && mv "$H_TMP/p.new" "$H_TMP/p.yaml"
		broken=$((broken + 1))
	fi
	kill -HUP "$H_PID" || break
	hups=$((hups + 1))
	sleep 0.1
	cp "$H_TMP/good.yaml" "$H_TMP/p.new" && mv "$H_TMP/p.new" "$H_TMP/p.yaml"
done
wait "$lpid"
t_ok $? "every request answered, and answered right, through $hups SIGHUPs ($broken with a broken file)"
t_diag "$(cat "$H_TMP/load.out")"
[ "$hups" -ge 10 ]
t_ok $? "the load lasted for at least 10 SIGHUPs"
sleep 0.2
n=$(grep -c 'configuration reloaded' "$H_LOG")
k=$(grep -c 'keeping the running configuration' "$H_LOG")
[ "$n" -ge $((hups - broken - 2)) ] && [ "$k" -ge 1 ]
t_ok $? "reloads logged ($n reloaded, $k kept after errors)"
sed 's/@N@/9/g' "$H_TMP/dynamic" | h_ask 127.0.0.1 "$PORT" > "$H_TMP/after"
t_ok $(cmp -s "$H_TMP/want" "$H_TMP/after"; echo $?) "same answer after the storm"
h_finish
t_done
