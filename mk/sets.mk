# mk/sets.mk - the set backends (nftset, ipset) of firewall-helper: their
# bench, run by `make bench` (root, network namespaces; see
# t/bench/fw_sets.sh).  nftables, ipset, iptables and iproute2 are in
# DEB_PKGS already.
.PHONY: bench-sets
BENCH_ALL += bench-sets
bench-sets: $(FWHELPER) t/bench/fw_sets_bench
	@bash t/bench/fw_sets.sh
