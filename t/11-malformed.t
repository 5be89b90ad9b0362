#!/bin/bash
# A malformed request gets no reply, a warning naming the peer, and closes
# only its own connection: connections opened before it go on undisturbed.
. "$(dirname "$0")/lib/policyd.sh"

pd_conf "listen: [ inet:127.0.0.1:$PORT ]"
pd_start
t_ok $? "policyd starts"
SPEC=inet:127.0.0.1:$PORT

# three well-behaved clients, one request every 40 ms for a while
$PCLIENT -s "$SPEC" -c 3 -n 25 -d 40 -e DUNNO > "$T_TMP/bg" 2>&1 &
bg=$!
pd_wait_log 'request for client' 3

long=$(head -c 5000 /dev/zero | tr '\0' x)
i=0
while IFS='|' read -r what input why; do
	i=$((i + 1))
	printf "$input" | pd_raw "$SPEC" -k -t 5 > "$T_TMP/out"
	rc=$?
	t_is "$rc:$(od -An -c "$T_TMP/out" | tr -s ' ')" "0:" \
		"$what: closed without a reply"
	pd_wait_log "warning: 127\.0\.0\.1:[0-9]+: malformed request \($why\)"
	t_ok $? "$what: warning names the peer and the reason"
done <<EOF
line without '='|request=smtpd_access_policy\nclient_address=192.0.2.1\nbogus\n\n|line without '='
NUL byte|request=smtpd_access_policy\nclient_address=192.0.2.1\nclient_name=a\0b\n\n|NUL byte
missing request=|client_address=192.0.2.1\nclient_name=x\n\n|missing request=
other request type|request=junk\nclient_address=192.0.2.1\n\n|request= is not smtpd_access_policy
missing client_address|request=smtpd_access_policy\nclient_name=x\n\n|missing client_address=
line too long|request=smtpd_access_policy\nclient_address=192.0.2.1\nclient_name=$long\n\n|line too long
EOF

# a good request then a bad one in the same write: one reply, then closed
{ pd_req 192.0.2.5; printf 'junk\n\n'; } | pd_raw "$SPEC" -k -t 5 > "$T_TMP/out"
rc=$?
printf 'action=DUNNO\n\n' > "$T_TMP/want"
cmp -s "$T_TMP/out" "$T_TMP/want" && [ $rc = 0 ]
t_ok $? "good then bad in one write: the good one answered, then closed"

# too many attributes
{ printf 'request=smtpd_access_policy\nclient_address=192.0.2.1\n'
  for i in $(seq 1 200); do printf 'x%d=1\n' "$i"; done; printf '\n'; } |
	pd_raw "$SPEC" -k -t 5 > "$T_TMP/out"
[ $? = 0 ] && [ ! -s "$T_TMP/out" ]
t_ok $? "too many attributes: closed without a reply"

wait $bg
t_ok $? "the other connections went on: $(cat "$T_TMP/bg")"

pd_req 192.0.2.9 | pd_raw "$SPEC" > "$T_TMP/out"
cmp -s "$T_TMP/out" "$T_TMP/want"
t_ok $? "new connections still served"

pd_stop
t_is "$PD_RC" 0 "SIGTERM: exit 0"
pd_sanitizer_clean
t_ok $? "no sanitizer report"
t_done
