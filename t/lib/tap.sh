# tap.sh - TAP lines for the shell tests (sourced, bash).  Defines the
# functions below and the counters tap_n and tap_fail; nothing else.
#
#   ok RC NAME      "ok N - NAME" when RC is 0, else "not ok N - NAME"
#                   (counted in tap_fail)
#   tap_plan        "1..N", after the last test

tap_n=0
tap_fail=0

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_fail=$((tap_fail + 1))
	fi
}

tap_plan() { echo "1..$tap_n"; }
