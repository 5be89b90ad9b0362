#!/bin/sh
# Install the Debian packages named on the command line that are missing.
# As root: apt-get update, then apt-get install.  Otherwise print the command.
# Postfix is preseeded to "No configuration" so that nothing starts by itself.
set -u
missing=
for p in "$@"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
	case "$st" in ii*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
preseed="echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections"
install="DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:" >&2
	echo "  $preseed" >&2
	echo "  apt-get update && $install" >&2
	exit 1
fi
echo "deps: installing$missing"
sh -c "$preseed" && apt-get update -q && sh -c "$install"
