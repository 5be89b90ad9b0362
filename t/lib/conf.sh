# conf.sh - configuration files for the shell tests (sourced, bash).
# Defines one function; no other effect.
#
#   conf_merge LINE... < DEFAULTS
#       prints the default lines (stdin, "key: value" one a line) whose key
#       no LINE gives, then every LINE: a LINE "key: ..." replaces the
#       default of that key, other LINEs are added.

conf_merge() {
	local d l given
	while IFS= read -r d; do
		given=
		for l in "$@"; do [ "${l%%:*}" = "${d%%:*}" ] && given=1; done
		[ -n "$given" ] || echo "$d"
	done
	for l in "$@"; do echo "$l"; done
}
