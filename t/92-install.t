#!/bin/bash
# make install into a DESTDIR: the expected tree, the modes, nothing setuid or
# setgid, paths rewritten for the PREFIX, an operator's configuration kept on
# a second install, uninstall leaving only the configuration.
cd "$(dirname "$0")/.." || exit 1
[ -x policyd/policyd ] && [ -x firewall-helper/firewall-helper ] ||
	{ echo "1..0 # SKIP programs not built"; exit 0; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. t/lib/tap.sh
. t/lib/treecopy.sh

# PREFIX=/usr: programs built for it (their default -c is in /etc/policyd),
# from a copy of the tree (t/lib/treecopy.sh), a few seconds.
src=$tmp/src
tree_copy "$src"
inst() { tree_make "$src" -s --no-print-directory "$@" >"$tmp/make.out" 2>&1 ||
    { sed 's/^/# /' "$tmp/make.out"; return 1; }; }
inst -j"$(nproc)" PREFIX=/usr policyd/policyd \
    firewall-helper/firewall-helper; ok $? "PREFIX=/usr: built from a copy"
d=$tmp/stage
inst man        # pages for the default prefix first: the
                # install must make them again for /usr
inst install-nobuild PREFIX=/usr DESTDIR="$d"; ok $? "make install PREFIX=/usr DESTDIR=..."

want="usr/sbin/policyd usr/sbin/firewall-helper
usr/lib/systemd/system/policyd.service usr/lib/systemd/system/policyd.socket
usr/lib/systemd/system/firewall-helper.service
usr/lib/sysusers.d/policyd.conf usr/lib/tmpfiles.d/policyd.conf
usr/share/man/man8/policyd.8 usr/share/man/man8/firewall-helper.8
usr/share/man/man5/policyd.yaml.5 usr/share/man/man5/firewall-helper.yaml.5
usr/share/man/man5/exceptions.yaml.5"
for f in etc/*.yaml etc/*; do
	[ -f "$f" ] || continue
	case ${f#etc/} in
	policyd.yaml|firewall-helper.yaml|exceptions.yaml)
		want="$want etc/policyd/${f#etc/} usr/share/doc/policyd/examples/${f#etc/}" ;;
	*.yaml)	want="$want usr/share/policyd/${f#etc/}" ;;
	*)	want="$want usr/share/doc/policyd/examples/${f#etc/}" ;;
	esac
done
missing=
for f in $want; do [ -f "$d/$f" ] || missing="$missing $f"; done
[ -z "$missing" ]; ok $? "every file installed${missing:+ (missing:$missing)}"
extra=$(cd "$d" && find . -type f | sed 's|^\./||' | grep -vxF -f <(tr ' ' '\n' <<<"$want"))
[ -z "$extra" ]; ok $? "nothing else installed${extra:+ ($extra)}"

suid=$(find "$d" -perm /6000)
[ -z "$suid" ]; ok $? "no setuid or setgid file or directory${suid:+: $suid}"
[ "$(stat -c %a "$d/usr/sbin/policyd" "$d/usr/sbin/firewall-helper" | sort -u)" = 755 ]
ok $? "programs are 0755"
bad=$(find "$d" -type f ! -path '*/sbin/*' ! -perm 0644)
[ -z "$bad" ]; ok $? "every other file is 0644${bad:+ ($bad)}"
ww=$(find "$d" -perm /0002)
[ -z "$ww" ]; ok $? "nothing world-writable"
cmp -s "$src/policyd/policyd" "$d/usr/sbin/policyd"; ok $? "policyd is the built program"

grep -q '^ExecStart=/usr/sbin/policyd -c /etc/policyd/policyd.yaml -f$' \
	"$d/usr/lib/systemd/system/policyd.service"; ok $? "PREFIX=/usr: units name /usr/sbin and /etc/policyd"
grep -q '/etc/policyd/policyd.yaml' "$d/usr/share/man/man8/policyd.8" &&
    ! grep -q '/usr/local/' "$d/usr/share/man/man8/policyd.8"
ok $? "PREFIX=/usr: the manual names /etc/policyd, not /usr/local"
rel=$(grep -lE '[ ":[]etc/[a-z_-]+\.yaml' "$d"/etc/policyd/* "$d"/usr/share/doc/policyd/examples/* 2>/dev/null)
[ -z "$rel" ]; ok $? "installed examples name no file of the source tree${rel:+ ($rel)}"

# An operator's configuration survives a second install.
if [ -f "$d/etc/policyd/policyd.yaml" ]; then
	echo '# mine' >>"$d/etc/policyd/policyd.yaml"
	inst install-nobuild PREFIX=/usr DESTDIR="$d"; ok $? "second install"
	tail -n 1 "$d/etc/policyd/policyd.yaml" | grep -qx '# mine'; ok $? "configuration kept"
fi
inst uninstall PREFIX=/usr DESTDIR="$d"; ok $? "make uninstall"
left=$(cd "$d" && find . -type f | sed 's|^\./||' | grep -v '^etc/policyd/')
[ -z "$left" ]; ok $? "uninstall leaves only the configuration${left:+ ($left)}"

# The default PREFIX: /usr/local, configuration in /usr/local/etc.
d=$tmp/local
inst install-nobuild DESTDIR="$d"; ok $? "make install DESTDIR=... (default PREFIX)"
[ -x "$d/usr/local/sbin/policyd" ]; ok $? "/usr/local/sbin/policyd"
grep -q "^ExecStart=/usr/local/sbin/firewall-helper -c /usr/local/etc/policyd/firewall-helper.yaml -f\$" \
	"$d/usr/local/lib/systemd/system/firewall-helper.service"
ok $? "units name /usr/local/sbin and /usr/local/etc/policyd"
[ -z "$(find "$d" -perm /6000)" ]; ok $? "no setuid or setgid bits"
tap_plan
