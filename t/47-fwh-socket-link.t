#!/bin/bash
# The helper started as root gives its sockets to its user: whoever runs as
# that user may write in the socket's directory, and could put a symlink to
# any file where the socket was just made.  Nothing done to the socket
# afterwards may follow it (the mode comes with bind(), the owner with
# lchown()).  A preloaded shim (t/shim/bindswap.c) makes that race
# certain: it renames a symlink to a root-owned file over the command
# socket the moment bind() returns.
cd "$(dirname "$0")/.." || exit 1
. t/lib/fwh.sh
fwh_netns "$@"
getent passwd nobody >/dev/null || skip_all "no user nobody"
command -v cc >/dev/null || skip_all "no C compiler for the shim"
fwh_init
ip link set lo up
cc -shared -fPIC -o "$FWH_DIR/bindswap.so" t/shim/bindswap.c -ldl ||
    { echo "Bail out! the shim does not build"; exit 1; }
mkdir -m 0755 "$FWH_DIR/run" && chown nobody "$FWH_DIR/run"
printf 'root only\n' > "$FWH_DIR/victim"
chmod 0600 "$FWH_DIR/victim"
ln -s "$FWH_DIR/victim" "$FWH_DIR/run/link"
fwh_conf "user: nobody" \
    "command_socket: { path: $FWH_DIR/run/cmd.sock, mode: '0666' }" \
    "status_socket: { path: $FWH_DIR/run/status.sock, mode: '0666' }" \
    "journal: $FWH_DIR/run/journal"
BINDSWAP_PATH=$FWH_DIR/run/cmd.sock BINDSWAP_LINK=$FWH_DIR/run/link \
    LD_PRELOAD=$FWH_DIR/bindswap.so ASAN_OPTIONS=verify_asan_link_order=0 \
    "$FWH_BIN" -c "$FWH_CONF" -f -v >> "$FWH_DIR/log" 2>&1 &
FWH_PID=$!
fwh_wait 5 test -S "$FWH_DIR/run/status.sock"
ok $? "the helper went on to its status socket"
[ -L "$FWH_DIR/run/cmd.sock" ]
ok $? "the shim put the symlink where the command socket was"
got=$(stat -c '%U %a' "$FWH_DIR/victim")
[ "$got" = "root 600" ]
ok $? "the file it points to keeps its owner and mode: $got"
grep -q 'root only' "$FWH_DIR/victim"
ok $? "... and its content"
st=$(stat -c '%U %a %F' "$FWH_DIR/run/status.sock")
[ "$st" = "nobody 666 socket" ]
ok $? "the status socket has the user and mode configured: $st"
fwh_stop
done_testing
