# t/lib/fwh-nftset.sh - what the kernel holds under backend nftset, for
# t/lib/fwh.sh (sourced there when FWH_BACKEND=nftset).  Table and set
# names follow FWH_NFT_TABLE and FWH_SET_NAME (defaults policyd).

_fwh_nft_t() { echo "${FWH_NFT_TABLE:-policyd}"; }
_fwh_nft_s() { case "$1" in *:*) echo "${FWH_SET_NAME:-policyd}6" ;; *) echo "${FWH_SET_NAME:-policyd}4" ;; esac; }

fwh_kernel_has_nftset() {
	nft get element inet "$(_fwh_nft_t)" "$(_fwh_nft_s "$1")" "{ $1 }" >/dev/null 2>&1 &&
	    nft list chain inet "$(_fwh_nft_t)" input 2>/dev/null | grep -q "saddr @$(_fwh_nft_s "$1")"
}
fwh_kernel_count_nftset() {
	local s n=0 c
	for s in 4 6; do
		c=$(nft -j list set inet "$(_fwh_nft_t)" "${FWH_SET_NAME:-policyd}$s" 2>/dev/null |
		    perl -MJSON::PP -0777 -ne 'my $j = eval { decode_json($_) } or exit;
			for (@{$j->{nftables}}) { print scalar @{$_->{set}{elem} || []} if $_->{set} }')
		n=$((n + ${c:-0}))
	done
	echo "$n"
}
fwh_kernel_wipe_nftset() { nft flush ruleset; }
fwh_kernel_unhook_nftset() { nft flush chain inet "$(_fwh_nft_t)" input; }
