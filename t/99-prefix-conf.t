#!/bin/bash
# The configuration file each program reads without -c follows PREFIX as
# `make install` does: $(SYSCONFDIR)/policyd/, SYSCONFDIR being /etc for
# PREFIX=/usr and $(PREFIX)/etc otherwise (README, "Installing").  Built
# from a copy of the tree in a temporary directory (without LTO, -O0: a few
# seconds a build), so the programs other tests run are never relinked.
# "Reads" is checked, not only "says": as root, in a private mount
# namespace, an overlay puts a file with an unknown key at the expected
# path and `-n` must report that key at that path.  Nothing is installed.
cd "$(dirname "$0")/.." || exit 1
. t/lib/tap.sh
. t/lib/treecopy.sh

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Overlays work as root in a private mount namespace (else only -h is checked).
can_ns=
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir -p "$tmp/probe"
	unshare -m sh -c "mount --make-rprivate / &&
	    mount -t overlay overlay -o lowerdir=$tmp/probe:/etc /etc" 2>/dev/null && can_ns=1
fi

# check CONFDIR [PREFIX]: build with that PREFIX (none: the default), then
# every check
check() {
	local confdir=$1 src=$tmp/src${2//\//-} p name out top
	tree_copy "$src"
	if ! tree_make "$src" -s --no-print-directory -j"$(nproc)" \
	    ${2:+PREFIX=$2} policyd/policyd firewall-helper/firewall-helper man \
	    >"$src/make.out" 2>&1; then
		ok 1 "PREFIX=${2:-default}: build"
		sed 's/^/# /' "$src/make.out"
		return
	fi
	for p in policyd firewall-helper; do
		name=$confdir/$p.yaml
		out=$("$src/$p/$p" -h 2>&1)
		grep -qxF "FILE: $name unless given" <<<"$out"
		ok $? "PREFIX=${2:-default}: $p -h names $name" ||
			sed 's/^/#   /' <<<"$out"
		out=$(sed 's/\\-/-/g' "$src/build/man/$p.8" | grep -A1 -F '\fB-c\fR')
		grep -qF "(default: $name)" <<<"$out"
		ok $? "PREFIX=${2:-default}: $p(8) gives $name as -c's default" ||
			sed 's/^/#   /' <<<"$out"
		[ -n "$can_ns" ] || continue
		# the overlay goes on the deepest directory of $confdir that exists
		top=${confdir%/policyd}
		while [ ! -d "$top" ]; do top=${top%/*}; done
		mkdir -p "$tmp/ov$top/${confdir#"$top"/}"
		printf 'no_such_key_t99: 1\n' >"$tmp/ov$confdir/$p.yaml"
		out=$(unshare -m sh -c "mount --make-rprivate / &&
		    mount -t overlay overlay -o lowerdir=$tmp/ov$top:$top $top &&
		    exec $src/$p/$p -n" 2>&1)
		grep -qxF "$name:1:1: unknown key \"no_such_key_t99\"" <<<"$out"
		ok $? "PREFIX=${2:-default}: $p -n without -c reads $name" ||
			sed 's/^/#   /' <<<"$out"
		rm -rf "$tmp/ov$top"
	done
}

check /etc/policyd /usr
check /usr/local/etc/policyd
[ -n "$can_ns" ] || echo "# not root or no overlay in a mount namespace: -n not checked"
tap_plan
