# mk/fwhelper.mk - firewall-helper extras.
#
#   make bench-fwhelper              the helper's figures (root, in a netns)
#   make bench-fwhelper FWH_BACKEND=nftset FWH_BENCH_ONEBYONE=2000
#
# The integration tests t/40..45-fwh-*.t take the backend from FWH_BACKEND
# too: make prove TESTS='t/4?-fwh-*.t' FWH_BACKEND=iptables
.PHONY: bench-fwhelper
BENCH_ALL += bench-fwhelper

FWH_BACKEND ?= iptables
export FWH_BACKEND

bench-fwhelper: $(FWHELPER)
	@bash t/bench/fwh_bench.sh
