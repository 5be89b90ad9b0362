# mk/dns.mk - the DNS benchmark (issue 4) and the test rooms' packages.
#
#   make bench-dns      cache-miss PTR lookups/s end to end through policyd
#                       against a local unbound, cache hits, and throughput
#                       while 1,000 lookups hang (t/bench/dns-bench.sh)
#
# `make bench` runs it too.  DNS_BENCH_REQS / DNS_BENCH_ROUNDS / _CONNS /
# _HANG change the load.

# The rooms: Postfix (t/lib/postfix-room.sh), swaks, unbound (dns-room.sh).
DEB_PKGS += $(filter-out $(DEB_PKGS),postfix swaks unbound perl)

.PHONY: bench-dns
bench-dns: $(POLICYD) t/bench/ceiling t/lib/pclient
	@bash t/bench/dns-bench.sh

BENCH_ALL += bench-dns
