# t/lib/fwh-ipset.sh - what the kernel holds under backend ipset, for
# t/lib/fwh.sh (sourced there when FWH_BACKEND=ipset): the sets
# ${FWH_SET_NAME:-policyd}4/6 and the INPUT rule (comment "policyd
# firewall-helper") matching them, IPv4 and IPv6 legacy tables.

_fwh_ips_s() { case "$1" in *:*) echo "${FWH_SET_NAME:-policyd}6" ;; *) echo "${FWH_SET_NAME:-policyd}4" ;; esac; }

fwh_kernel_has_ipset() {
	ipset -q test "$(_fwh_ips_s "$1")" "$1" &&
	    "$(fwh_ipt "$1")" -S INPUT | grep -q -- "--match-set $(_fwh_ips_s "$1") src"
}
fwh_kernel_count_ipset() {
	local s n=0 c
	for s in 4 6; do
		c=$(ipset list -t "${FWH_SET_NAME:-policyd}$s" 2>/dev/null | sed -n 's/^Number of entries: //p')
		n=$((n + ${c:-0}))
	done
	echo "$n"
}
fwh_kernel_unhook_ipset() { fwh_unhook_matching '--comment "policyd firewall-helper"'; }
fwh_kernel_wipe_ipset() {
	fwh_kernel_unhook_ipset
	ipset destroy "${FWH_SET_NAME:-policyd}4" 2>/dev/null
	ipset destroy "${FWH_SET_NAME:-policyd}6" 2>/dev/null
	return 0
}
