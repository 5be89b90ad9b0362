# mk/classify.mk - the classifier's and exceptions' benchmark (issue 3).
#
#   make bench-classify     names/s over ../shared/corpus/rdns-dev.tsv and
#                           exceptions lookups/s with 100,000 entries
#
# `make bench` runs it too.  CORPUS=PATH picks another corpus file.

CLASSIFY_CORPUS ?= $(or $(CORPUS),../shared/corpus/rdns-dev.tsv)

.PHONY: bench-classify
bench-classify: t/bench/classify_bench
	@if [ -r $(CLASSIFY_CORPUS) ]; then \
		./t/bench/classify_bench $(CLASSIFY_CORPUS) etc/tokens.yaml; \
	else \
		echo "bench-classify: $(CLASSIFY_CORPUS) not found, skipped"; \
	fi

BENCH_ALL += bench-classify
