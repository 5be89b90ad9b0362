# mk/bench.mk - `make bench-server` (part of `make bench`): policyd against
# the do-nothing ceiling built from the same server code, at 1, 8 and 64
# connections, and policyd's resident memory with 10,000 idle connections.
#   make bench-server BENCH_REQS=200000 BENCH_ROUNDS=5   (defaults 50000, 3)
#   make bench-server BENCH_MIX=1:0   the request mix (pclient -m; default 3:10)
#
# `make bench` runs every sub-benchmark listed in BENCH_ALL (each mk/*.mk
# adds its own: BENCH_ALL += bench-NAME) through t/bench/all.sh: one after
# the other, each to its end whatever the others did (a sub-benchmark exits
# 1 when it misses a floor, other codes when it could not run), then a
# summary of each one's status and floor lines.  `make bench` fails only
# when a sub-benchmark could not run.
BENCH_REQS ?= 50000
BENCH_ROUNDS ?= 3
BENCH_ALL := bench-server

.PHONY: bench-server
bench:
	@MAKE='$(MAKE)' bash t/bench/all.sh $(BENCH_ALL)
bench-server: $(POLICYD) t/bench/ceiling t/lib/pclient
	@BENCH_REQS=$(BENCH_REQS) BENCH_ROUNDS=$(BENCH_ROUNDS) bash t/bench/bench.sh
