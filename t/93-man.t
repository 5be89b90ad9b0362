#!/bin/bash
# The manual pages: generated from doc/*.in and doc/options/*.tsv, they
# format without a single warning (groff -ww, man --warnings), and each
# lists every option of its source with a default.
cd "$(dirname "$0")/.." || exit 1
command -v groff >/dev/null && command -v man >/dev/null ||
	{ echo "1..0 # SKIP groff or man missing"; exit 0; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. t/lib/tap.sh

pages=$(ls doc/*.[58].in | sed 's|doc/||; s|\.in$||')
for want in policyd.8 firewall-helper.8 policyd.yaml.5 firewall-helper.yaml.5 exceptions.yaml.5; do
	grep -qx "$want" <<<"$pages"; ok $? "page $want has a source"
done

for p in $pages; do
	perl doc/mkman.pl "doc/$p.in" >"$tmp/$p" 2>"$tmp/$p.err"
	ok $? "$p: generated" || sed 's/^/# /' "$tmp/$p.err"
	w=$(groff -ww -man -z "$tmp/$p" 2>&1)
	[ -z "$w" ]; ok $? "$p: groff -ww -man: no warnings" || sed 's/^/# /' <<<"$w"
	w=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$tmp/$p" 2>&1 >"$tmp/$p.txt")
	[ -z "$w" ] && [ -s "$tmp/$p.txt" ]; ok $? "$p: man --warnings -l: renders, no warnings" ||
		sed 's/^/# /' <<<"$w"
	grep -q '@[A-Z_]*@' "$tmp/$p"; [ $? = 1 ]; ok $? "$p: no placeholder left"
	for tsv in $(sed -n 's/^@OPTIONS \(.*\)@$/\1/p' "doc/$p.in"); do
		missing=
		while IFS= read -r key; do
			# the rendered list shows "key" over "type; default X." or "-o arg"
			case $key in
			-*)	grep -Eq -- "^       ${key%% *}( |\$)" "$tmp/$p.txt" ;;
			*)	K=$key perl -00 -ne 's/\s+/ /g;
					$f = 1 if /^ ?(?:[A-Z]+ )?\Q$ENV{K}\E .*; default \S/; END { exit !$f }' "$tmp/$p.txt"
			esac || missing="$missing $key"
		done < <(perl doc/mkman.pl --keys "doc/options/$tsv")
		[ -z "$missing" ]; ok $? "$p: every entry of $tsv shown${missing:+ (missing:$missing)}"
	done
done
tap_plan
