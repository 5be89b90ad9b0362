# mk/bench.mk - `make bench`: policyd against the do-nothing ceiling built
# from the same server code, at 1, 8 and 64 connections, and policyd's
# resident memory with 10,000 idle connections.  Owner: H1.
#   make bench BENCH_REQS=200000 BENCH_ROUNDS=5   (defaults 50000, 3)
BENCH_REQS ?= 50000
BENCH_ROUNDS ?= 3

bench: $(POLICYD) t/bench/ceiling t/lib/pclient
	@BENCH_REQS=$(BENCH_REQS) BENCH_ROUNDS=$(BENCH_ROUNDS) bash t/bench/bench.sh
