# postfix-room.sh - a private Postfix instance on a loopback port (sourced, bash).
#
#   . t/lib/postfix-room.sh
#   postfix_room_check || room_skip "$POSTFIX_ROOM_WHY"
#   postfix_room_start inet:127.0.0.1:10040 [main.cf lines...] || bail
#   room_xclient 192.0.2.7 host.example.net        # dialog on stdout
#   room_xclient 192.0.2.7 '[UNAVAILABLE]' --to x@room.test
#   grep ... "$POSTFIX_ROOM_LOG"                   # Postfix's own log
#   postfix_room_stop                              # also run at exit
#
# postfix_room_start makes a fresh directory (mktemp -d /tmp/pfroom.XXXXXX)
# holding main.cf, master.cf, the queue and data
# directories and the log file; smtpd listens on 127.0.0.1:$POSTFIX_ROOM_PORT
# (a free port), chroot off, and every RCPT goes through
#     smtpd_recipient_restrictions = check_policy_service SPEC, permit
# with smtpd_policy_service_default_action = DUNNO (Postfix's own fallback
# when the policy server cannot be reached).  RCPT to any user at room.test
# is accepted when the policy passes; mail is never delivered (local and
# default transports are discard).  Extra arguments are appended to main.cf
# as lines ("name = value"), so a test can override anything.
#
# room_xclient ADDR NAME [swaks args...] connects, sends
#     XCLIENT ADDR=ADDR NAME=NAME
# (smtpd_authorized_xclient_hosts = 127.0.0.0/8), then MAIL FROM
# <sender@example.org> and RCPT TO <user@room.test> and quits after RCPT
# unless the extra swaks arguments say otherwise (later args win).  The
# dialog goes to stdout and to $POSTFIX_ROOM_DIR/xclient.N.txt; the swaks exit
# status is returned (0: RCPT accepted; 24: RCPT refused).
# postfix_room_log [N] prints the Postfix log after its first N lines
# (count lines with wc -l before an action to see only what it logged).
# POSTFIX_ROOM_KEEP=1 keeps the directory for a post-mortem.
#
# Root is needed (master, queue ownership by mail_owner "postfix", setgid
# group "postdrop").  postfix_room_check returns 1 with POSTFIX_ROOM_WHY set
# when the room cannot run here; tests then skip.  The system's own
# /etc/postfix configuration and instance are never read or touched: every
# command gets -c "$POSTFIX_ROOM_DIR".

. "$(dirname "${BASH_SOURCE[0]}")/room-common.sh"

POSTFIX_ROOM_DIR=
POSTFIX_ROOM_PORT=
POSTFIX_ROOM_LOG=
POSTFIX_ROOM_PID=
POSTFIX_ROOM_WHY=
_postfix_room_n=0

postfix_room_check() {
	local b
	if [ "$(id -u)" != 0 ]; then
		POSTFIX_ROOM_WHY="real Postfix room needs root"; return 1
	fi
	for b in postfix postconf swaks; do
		if ! command -v "$b" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$b" ]; then
			POSTFIX_ROOM_WHY="$b not installed (make deps)"; return 1
		fi
	done
	if ! getent passwd postfix >/dev/null || ! getent group postdrop >/dev/null; then
		POSTFIX_ROOM_WHY="user postfix / group postdrop missing (install postfix)"
		return 1
	fi
	return 0
}

# The queue layout of /etc/postfix/postfix-files, made directly.
_postfix_room_dirs() {
	local d=$1 q
	mkdir -p "$d/queue/pid" "$d/data" || return 1
	chown postfix "$d/data" && chmod 700 "$d/data"
	for q in active bounce corrupt defer deferred flush hold incoming \
	    private saved trace maildrop public; do
		mkdir -p "$d/queue/$q" && chown postfix "$d/queue/$q" &&
		    chmod 700 "$d/queue/$q" || return 1
	done
	chgrp postdrop "$d/queue/maildrop" "$d/queue/public" &&
	    chmod 730 "$d/queue/maildrop" && chmod 710 "$d/queue/public"
}

postfix_room_start() {
	local spec=$1 d line
	shift
	postfix_room_check || { echo "# postfix room: $POSTFIX_ROOM_WHY" >&2; return 1; }
	d=$(mktemp -d /tmp/pfroom.XXXXXX) || return 1
	POSTFIX_ROOM_DIR=$d
	room_on_exit postfix_room_stop
	POSTFIX_ROOM_LOG=$d/maillog
	POSTFIX_ROOM_PORT=$(room_free_port) || return 1
	# Unprivileged daemons (user postfix) read main.cf from here.
	chmod 755 "$d"
	_postfix_room_dirs "$d" || return 1
	: > "$POSTFIX_ROOM_LOG"
	cat > "$d/main.cf" <<EOF
# private test instance made by t/lib/postfix-room.sh
compatibility_level = 3.6
config_directory = $d
queue_directory = $d/queue
data_directory = $d/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.room.test
mydomain = room.test
myorigin = room.test
mydestination = room.test
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
local_recipient_maps =
local_transport = discard:
default_transport = discard:
relay_transport = discard:
alias_maps =
alias_database =
biff = no
smtpd_banner = \$myhostname ESMTP room
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_peername_lookup = no
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_policy_service $spec, permit
smtpd_policy_service_default_action = DUNNO
smtpd_policy_service_timeout = 10s
smtpd_policy_service_try_limit = 1
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_client_connection_rate_limit = 0
anvil_rate_time_unit = 60s
maillog_file = $POSTFIX_ROOM_LOG
maillog_file_prefixes = $d
syslog_name = pfroom
EOF
	for line in "$@"; do
		printf '%s\n' "$line" >> "$d/main.cf"
	done
	cat > "$d/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$POSTFIX_ROOM_PORT inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	# Postfix waits until a config file is a little older than "now" (an
	# editor may still be writing it): date them back instead of waiting.
	touch -d '-1 minute' "$d/main.cf" "$d/master.cf"
	# What `postfix start` ends with (master), minus its permission checks
	# (the layout is made above) and the wait of "master -w": master runs
	# in the foreground (-d) of a background job; ready when smtpd's port
	# accepts.
	/usr/lib/postfix/sbin/master -c "$d" -d >"$d/start.out" 2>&1 </dev/null &
	POSTFIX_ROOM_PID=$!
	if ! room_wait_port "$POSTFIX_ROOM_PORT" 200; then
		echo "# postfix room: smtpd not listening on $POSTFIX_ROOM_PORT" >&2
		sed 's/^/#   /' "$d/start.out" "$POSTFIX_ROOM_LOG" >&2
		postfix_room_stop
		return 1
	fi
	return 0
}

room_xclient() {
	local addr=$1 name=$2 out rc
	shift 2
	_postfix_room_n=$((_postfix_room_n + 1))
	out=$POSTFIX_ROOM_DIR/xclient.$_postfix_room_n.txt
	swaks --server 127.0.0.1 --port "$POSTFIX_ROOM_PORT" \
	    --helo client.example.org --from sender@example.org \
	    --to user@room.test --xclient "ADDR=$addr NAME=$name" \
	    --quit-after RCPT --timeout 20 "$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	return $rc
}

# Print the Postfix log lines logged after line N (default 0).
postfix_room_log() {
	tail -n "+$(( ${1:-0} + 1 ))" "$POSTFIX_ROOM_LOG"
}

postfix_room_stop() {
	local d=$POSTFIX_ROOM_DIR pid=$POSTFIX_ROOM_PID i
	[ -n "$d" ] && [ -f "$d/main.cf" ] || return 0
	# master passes SIGTERM (what `postfix stop` sends) to its children at
	# once, then lingers for a second: wait a little, then insist.
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.02
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	if [ -z "${POSTFIX_ROOM_KEEP:-}" ]; then
		rm -rf "$d"
	else
		echo "# postfix room kept in $d" >&2
	fi
	POSTFIX_ROOM_DIR=
	POSTFIX_ROOM_PID=
}
