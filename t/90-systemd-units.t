#!/bin/bash
# The systemd units as `make install` writes them: systemd-analyze verify is
# clean, the hardening the issue asks for is there, and the sysusers.d and
# tmpfiles.d snippets create what the units rely on (in a scratch root).
cd "$(dirname "$0")/.." || exit 1
command -v systemd-analyze >/dev/null || { echo "1..0 # SKIP no systemd-analyze"; exit 0; }
[ -x policyd/policyd ] && [ -x firewall-helper/firewall-helper ] ||
	{ echo "1..0 # SKIP programs not built"; exit 0; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. t/lib/tap.sh
has() { grep -qx -- "$2" "$1"; }

# PREFIX is the scratch directory itself, so the units name real paths.
make -s --no-print-directory install-nobuild PREFIX="$tmp/usr" >"$tmp/make.out" 2>&1
ok $? "make install-nobuild PREFIX=$tmp/usr" || sed 's/^/# /' "$tmp/make.out"
u=$tmp/usr/lib/systemd/system

out=$(MANPATH=$tmp/usr/share/man SYSTEMD_LOG_COLOR=0 \
	systemd-analyze verify "$u/policyd.socket" "$u/policyd.service" \
	"$u/firewall-helper.service" 2>&1)
rc=$?
[ $rc = 0 ] && [ -z "$out" ]; ok $? "systemd-analyze verify: clean (man pages found too)"
[ -n "$out" ] && sed 's/^/# /' <<<"$out"

grep -q "^ExecStart=$tmp/usr/sbin/policyd -c $tmp/usr/etc/policyd/policyd.yaml -f\$" "$u/policyd.service"
ok $? "install rewrote the paths in policyd.service"
for x in policyd.socket policyd.service firewall-helper.service; do
	[ "$(grep '^Documentation=' "systemd/$x")" = "$(grep '^Documentation=' "$u/$x")" ]
	ok $? "$x: Documentation= (man: pages) left as it is"
done

p=$u/policyd.service f=$u/firewall-helper.service s=$u/policyd.socket
for x in "Type=notify" "User=policyd" "CapabilityBoundingSet=" "NoNewPrivileges=yes" \
    "LimitNOFILE=65536" \
    "ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" \
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
    "SystemCallFilter=@system-service" "SupplementaryGroups=policyd-fw"; do
	has "$p" "$x"; ok $? "policyd.service: $x"
done
for x in "Type=notify" "User=fwhelper" "CapabilityBoundingSet=CAP_NET_ADMIN" \
    "AmbientCapabilities=CAP_NET_ADMIN" "NoNewPrivileges=yes" \
    "ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" \
    "SystemCallFilter=@system-service" "ReadWritePaths=-/run/xtables.lock"; do
	has "$f" "$x"; ok $? "firewall-helper.service: $x"
done
grep -q '^RestrictAddressFamilies=.*AF_NETLINK' "$f"; ok $? "firewall-helper.service: netlink allowed"
has "$s" "ListenStream=/var/spool/postfix/private/policyd"; ok $? "socket: unix socket in Postfix's private/"
has "$s" "ListenStream=127.0.0.1:10040"; ok $? "socket: 127.0.0.1:10040"

# sysusers.d and tmpfiles.d, applied to a scratch root.
root=$tmp/root
mkdir -p "$root/etc" "$root/run" "$root/var/lib"
if command -v systemd-sysusers >/dev/null; then
	systemd-sysusers --root="$root" "$tmp/usr/lib/sysusers.d/policyd.conf" >"$tmp/su.out" 2>&1
	ok $? "systemd-sysusers accepts the snippet" || sed 's/^/# /' "$tmp/su.out"
	grep -q '^policyd:x:[0-9]*:[0-9]*:.*:/nonexistent:' "$root/etc/passwd"; ok $? "user policyd"
	grep -q '^fwhelper:x:' "$root/etc/passwd"; ok $? "user fwhelper"
	grep -q '^policyd-fw:x:[0-9]*:policyd$' "$root/etc/group"; ok $? "policyd is in group policyd-fw"
	if command -v systemd-tmpfiles >/dev/null; then
		# as iptables(8) leaves it when it ran first: root's, 0600
		install -m 0600 /dev/null "$root/run/xtables.lock"
		systemd-tmpfiles --root="$root" --create "$tmp/usr/lib/tmpfiles.d/policyd.conf" >"$tmp/tf.out" 2>&1
		ok $? "systemd-tmpfiles --create" || sed 's/^/# /' "$tmp/tf.out"
		fwuid=$(awk -F: '$1 == "fwhelper" { print $3 }' "$root/etc/passwd")
		[ "$(stat -c '%a %u' "$root/var/lib/firewall-helper")" = "700 $fwuid" ]
		ok $? "state directory 0700 fwhelper"
		fwgid=$(awk -F: '$1 == "fwhelper" { print $3 }' "$root/etc/group")
		[ "$(stat -c '%a %u %g' "$root/run/xtables.lock")" = "660 0 $fwgid" ]
		ok $? "xtables lock: root's file made 0660 group fwhelper"
		[ "$(stat -c '%a %u' "$root/run/firewall-helper")" = "755 $fwuid" ]
		ok $? "runtime directory of the helper"
	fi
fi
tap_plan
