# fwlink.sh - policyd + firewall-helper together, for t/7N-*.t (sourced, bash).
#
# Builds on t/lib/policyd.sh (t_ok, t_is, t_done, pd_conf, pd_start,
# pd_stop, $T_TMP, $PORT, $PD_LOG) and starts the helper itself, so that
# one exit trap cleans up both.
#
#   fwl_conf [LINE...]      write the helper's config ($FWL_CONF): command
#                           and status sockets in $FWL_DIR, backend null
#                           (FWL_BACKEND overrides), a journal, batch 10ms;
#                           a LINE "key: ..." replaces the default key
#   fwl_start / fwl_stop    start (wait for both sockets) / SIGTERM the helper
#   fwl_list                the helper's `list` (ADDR until=... seen=N reason=...)
#   fwl_has ADDR            0 when the helper's table holds ADDR
#   fwl_count               entries in the table
#   fwl_wait CMD...         poll CMD until it succeeds (10 s at most)
#   fwl_ask ARGS...         t/lib/fw-ask.pl to policyd on $PORT
#   fwl_fw ADDR [N]         the fw= field of the Nth request log line for ADDR
#                           (default: the last), waiting until N lines exist
#   fwl_stat NAME           one counter from policyd's status socket ($PD_ST)
#   fwl_stat_is NAME N / fwl_stat_ge NAME N   for fwl_wait
#   fwl_pd_conf [LINE...]   policyd config: listen on $PORT, status socket,
#                           the firewall section pointing at the helper,
#                           exceptions file $FWL_EXC; extra lines appended
#   fwl_reload              SIGHUP policyd and wait for the reload line

. "$(dirname "$0")/lib/policyd.sh"
. "$(dirname "$0")/lib/conf.sh"

FWH_BIN=./firewall-helper/firewall-helper
FWL_BACKEND=${FWL_BACKEND:-null}
FWL_DIR=$T_TMP/fwh
FWL_CONF=$FWL_DIR/fwh.yaml
FWL_LOG=$FWL_DIR/log
FWL_SOCK=$FWL_DIR/cmd.sock
FWL_EXC=$T_TMP/exceptions.yaml
FWL_PID=
PD_ST=$T_TMP/status.sock
mkdir -p "$FWL_DIR"
chmod 0755 "$T_TMP" "$FWL_DIR"
export XTABLES_LOCKFILE=$FWL_DIR/xtables.lock

_fwl_cleanup() {
	[ -n "$FWL_PID" ] && kill -KILL "$FWL_PID" 2>/dev/null
	_pd_cleanup
}
trap _fwl_cleanup EXIT

if [ ! -x "$FWH_BIN" ]; then
	echo "1..0 # SKIP build first (make)"
	exit 0
fi

fwl_conf() {
	printf '%s\n' "command_socket: $FWL_SOCK" \
	    "status_socket: $FWL_DIR/status.sock" "backend: $FWL_BACKEND" \
	    "journal: $FWL_DIR/journal" "xtables_lock: $FWL_DIR/xtables.lock" \
	    "batch_window: 10ms" "ttl: 1h" | conf_merge "$@" > "$FWL_CONF"
}

fwl_start() {
	local i
	rm -f "$FWL_SOCK" "$FWL_DIR/status.sock"
	"$FWH_BIN" -c "$FWL_CONF" -f -v >> "$FWL_LOG" 2>&1 &
	FWL_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ -S "$FWL_SOCK" ] && "$FWH_BIN" -c "$FWL_CONF" status \
		    >/dev/null 2>&1 && return 0
		kill -0 "$FWL_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "# helper did not start:" && tail -n 20 "$FWL_LOG" | sed 's/^/#   /'
	return 1
}

fwl_stop() {
	[ -n "$FWL_PID" ] || return 0
	kill -TERM "$FWL_PID" 2>/dev/null
	wait "$FWL_PID" 2>/dev/null
	FWL_PID=
}

fwl_list() { "$FWH_BIN" -c "$FWL_CONF" list; }
fwl_has() { fwl_list | grep -q "^$1 "; }
fwl_count() { fwl_list | grep -c ' until='; }
fwl_count_is() { [ "$(fwl_count)" = "$1" ]; }

fwl_wait() {
	local i
	for ((i = 0; i < 200; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

fwl_ask() { perl t/lib/fw-ask.pl "inet:127.0.0.1:$PORT" "$@"; }

# fw= of the last answer logged for a client (the log is written in
# batches: wait for the line first).
fwl_fw() {
	pd_wait_log "client=$1 .* fw=" "${2:-1}" >/dev/null
	grep "client=$1 .* fw=" "$PD_LOG" | if [ -n "${2:-}" ]; then sed -n "${2}p"; else tail -n 1; fi |
	    sed -n 's/.* fw=\([^ ]*\).*/\1/p'
}

fwl_stat() {
	printf 'stats\n' | pd_raw "unix:$PD_ST" | awk -v k="$1" '$1 == k { print $2 }'
}

fwl_stat_is() { [ "$(fwl_stat "$1")" = "$2" ]; }
fwl_stat_ge() { [ "$(fwl_stat "$1")" -ge "$2" ] 2>/dev/null; }

fwl_pd_conf() {
	local l extra=
	for l in "$@"; do extra="$extra$l
"; done
	pd_conf "listen: [ \"inet:127.0.0.1:$PORT\" ]
status_socket: $PD_ST
exceptions: $FWL_EXC
$extra"
}

fwl_reload() {
	local n
	n=$(grep -c 'configuration reloaded' "$PD_LOG")
	kill -HUP "$PD_PID"
	pd_wait_log 'configuration reloaded' $((n + 1))
}

# Exceptions used by every test: one client address, one host name.
cat > "$FWL_EXC" <<'EOF'
clients:
  - 198.51.100.7
hostnames:
  - c-198-51-100-8.client.comcast.net
EOF

# Names the classifier calls dynamic (a cable line with the IP in it) and
# mail (an MX name).
dyn_name() { echo "c-${1//./-}.client.comcast.net"; }
