# tap.sh - TAP lines for the shell tests (sourced, bash).  Defines the
# functions below and the counters t_n and t_fail; nothing else.  The
# helpers of t/lib/policyd.sh and t/lib/hostile.sh source it too.
#
#   t_ok RC TEXT...      "ok N - TEXT" when RC is 0, else "not ok N - TEXT"
#                        (counted in t_fail, and returns 1)
#   t_is GOT WANT TEXT   t_ok on GOT = WANT, both shown when they differ
#   ok RC NAME           t_ok with the name as one argument
#   tap_plan             "1..N", after the last test

t_n=0
t_fail=0

t_ok() {         # returns 1 on failure: `t_ok $? what || diagnostics`
	local rc=$1
	shift
	t_n=$((t_n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $t_n - $*"
	else
		echo "not ok $t_n - $*"
		t_fail=$((t_fail + 1))
		return 1
	fi
}

t_is() {
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then
		t_ok 0 "$@"
	else
		t_ok 1 "$@"
		printf '#   got:  %q\n#   want: %q\n' "$got" "$want"
	fi
}

ok() { t_ok "$1" "$2"; }

tap_plan() { echo "1..$t_n"; }
