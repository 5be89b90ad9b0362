# mk/bench.mk - `make bench-server` (part of `make bench`): policyd against
# the do-nothing ceiling built from the same server code, at 1, 8 and 64
# connections, and policyd's resident memory with 10,000 idle connections.
#   make bench-server BENCH_REQS=200000 BENCH_ROUNDS=5   (defaults 50000, 3)
# A missed floor is reported (exit 1, "ignored" by make) and the other
# benchmarks of `make bench` still run.  Owner: H1.
BENCH_REQS ?= 50000
BENCH_ROUNDS ?= 3

.PHONY: bench-server
bench: bench-server
bench-server: $(POLICYD) t/bench/ceiling t/lib/pclient
	-@BENCH_REQS=$(BENCH_REQS) BENCH_ROUNDS=$(BENCH_ROUNDS) bash t/bench/bench.sh
