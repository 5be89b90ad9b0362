# mk/fwclient.mk - `make bench-fwclient` (also run by `make bench`): policyd's
# throughput with and without firewall-helper attached when every client is
# refused, and how fast 10,000 refused clients reach the helper's chain.
# As root it runs in a network namespace with the iptables backend.
#   make bench-fwclient BENCH_FW_REQS=40000 BENCH_ROUNDS=3 BENCH_FW_BURST=10000
.PHONY: bench-fwclient
BENCH_ALL += bench-fwclient
bench-fwclient: $(POLICYD) $(FWHELPER) t/lib/pclient
	@BENCH_FW_REQS=$(or $(BENCH_FW_REQS),40000) BENCH_ROUNDS=$(or $(BENCH_ROUNDS),3) \
	    BENCH_FW_BURST=$(or $(BENCH_FW_BURST),10000) bash t/bench/fwclient.sh
