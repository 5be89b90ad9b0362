#!/bin/bash
# policyd -c FILE -q HOSTNAME IP: the class, the action it would take and
# every signal that fired, for operators checking a rejection or an
# exception; mode warn shows the enforce answer as would=.
. "$(dirname "$0")/lib/policyd.sh"

cat > "$T_TMP/exceptions.yaml" <<EOF2
clients:
  - { value: 192.0.2.0/24, comment: "test net" }
EOF2
pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
tokens: $PWD/etc/tokens.yaml
exceptions: exceptions.yaml
classes: { static: \"554 5.7.1 broadband-static: no\" }"

q() { $POLICYD -c "$PD_CONF" -q "$@" 2>/dev/null; }

out=$(q dslb-088-067-202-008.088.067.pools.vodafone-ip.de 88.67.202.8)
t_ok $? "-q exits 0"
grep -q '^class: dynamic$' <<<"$out"
t_ok $? "class printed" || echo "# $out"
grep -q '^action: REJECT broadband-dynamic: ' <<<"$out"
t_ok $? "default action for dynamic printed"
grep -q '^reason: by=access+ip ip=full-padded-dashed(4/4) access=dslb,pools dom=isp:vodafone-ip.de$' <<<"$out"
t_ok $? "every signal: rule, address encoding, words, provider" || echo "# $out"

out=$(q 23-24-6-165-static.hfc.comcastbusiness.net 23.24.6.165)
grep -q '^action: 554 5.7.1 broadband-static: no$' <<<"$out"
t_ok $? "configured class action printed" || echo "# $out"

out=$(q c-192-0-2-9.hsd1.ca.comcast.net 192.0.2.9)
grep -q '^reason: exception=client 192.0.2.0/24 (line 2: test net)$' <<<"$out"
t_ok $? "the matching exception, with its line and comment" || echo "# $out"
grep -q '^action: DUNNO$' <<<"$out"
t_ok $? "excepted: DUNNO"

out=$(q unknown 198.51.100.1)
grep -q '^class: unknown$' <<<"$out"
t_ok $? "no name: class unknown" || echo "# $out"
out=$(q - 198.51.100.2)
grep -q '^class: unknown$' <<<"$out"
t_ok $? "\"-\" is no name too, without --dns as with it" || echo "# $out"

err=$($POLICYD -c "$PD_CONF" -q c-1-2-3-4.example.net 1.2.3.400 2>&1 >/dev/null)
t_is "$?" 64 "not an IP address: a usage error (EX_USAGE), no verdict"
out=$($POLICYD -h 2>/dev/null); rc=$?
t_is "$rc ${out%% \[*}" "0 usage: policyd" "-h: the usage on stdout, exit 0"
$POLICYD -x >/dev/null 2>&1
t_is "$?" 64 "an unknown option: a usage error"
t_is "$err" 'policyd: -q: not an IP address: "1.2.3.400"' "... said so"

pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
mode: warn
tokens: $PWD/etc/tokens.yaml"
out=$(q pD9E4F89F.dip.t-dialin.net 217.228.248.159)
grep -q '^action: DUNNO$' <<<"$out" && grep -q 'ip=hex access=dip .*would=REJECT broadband-dynamic' <<<"$out"
t_ok $? "mode warn: DUNNO, and would= the enforce answer" || echo "# $out"

pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
mode: off
tokens: $PWD/etc/tokens.yaml"
out=$(q pD9E4F89F.dip.t-dialin.net 217.228.248.159)
grep -q '^action: DUNNO$' <<<"$out" && grep -q '^reason: mode=off$' <<<"$out"
t_ok $? "mode off: DUNNO without classifying" || echo "# $out"

pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
tokens: $T_TMP/nonesuch.yaml"
err=$($POLICYD -c "$PD_CONF" -q x.example 192.0.2.1 2>&1 >/dev/null)
t_is "$?" 78 "a missing tokens file is a configuration error (EX_CONFIG)"
grep -q "nonesuch.yaml" <<<"$err"
t_ok $? "the error names the file" || echo "# $err"
t_done
