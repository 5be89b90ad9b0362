# mk/fuzz.mk - libFuzzer harnesses (t/fuzz/*.c) and the soak run.
#
#   make fuzz              build every harness, run each FUZZ_SECONDS (60)
#   make fuzz FUZZ_ONLY='yconf fwproto'     only these harnesses
#   make fuzz-build        build the harnesses into build-fuzz/bin/fuzz-NAME
#   make fuzz-replay       the harnesses without libFuzzer, ordinary build
#                          (build/fuzz-replay; t/82-fuzz-regress.t)
#   make fuzz-names        print the harnesses whose module exists
#   make fuzz-asan         policyd and firewall-helper built by clang with
#                          ASan+UBSan into build-fuzz/bin/ (from the same
#                          objects), for the soak and fault hunting without
#                          touching the programs other tests run
#   make soak              1,000,000 requests over 64 connections, RSS before and
#                          after, a valgrind run and an ASan run (t/lib/hostile-soak.sh);
#                          then the same with DNS lookups (t/lib/dns-soak.sh);
#                          SOAK_REQUESTS=N for another count
#   make clean-fuzz
#
# The fuzz build is apart from the gcc build: clang compiles the project
# sources with -fsanitize=fuzzer-no-link,address,undefined into build-fuzz/
# (own archives, own dependency files), and each harness links with
# -fsanitize=fuzzer.  A harness is built once its module's source exists
# (FUZZ_SRC_name below).  Corpora grow in build-fuzz/corpus/NAME, seeded from
# t/data/fuzz/NAME/ (which also holds every crash found, as a regression
# case replayed by t/82-fuzz-regress.t); crashes land in build-fuzz/crashes/.

FUZZ_CC      ?= clang
DEB_PKGS     += time
FUZZ_SECONDS ?= 60
FZ           := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = $(CSTD) $(WARN) -Wno-format-nonliteral -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link -I. $(PKG_CFLAGS)

# The module each harness needs; a harness without one here needs nothing.
FUZZ_SRC_yconf        := common/yconf.c
FUZZ_SRC_addr         := common/addr.c
FUZZ_SRC_tokens       := policyd/tokens.c
FUZZ_SRC_logline      := policyd/answerlog.c
FUZZ_SRC_vcache       := policyd/vcache.c
FUZZ_SRC_dnscache     := policyd/dnscache.c
FUZZ_SRC_fwproto      := common/fwproto.c
FUZZ_SRC_policy_proto := policyd/policy_proto.c
FUZZ_SRC_classify     := policyd/classify.c
FUZZ_SRC_pconfig      := policyd/config.c
FUZZ_SRC_exceptions   := policyd/exceptions.c
FUZZ_SRC_fwconf       := firewall-helper/fwconf.c
FUZZ_SRC_dnsmsg       := policyd/dnsmsg.c
FUZZ_SRC_journal      := firewall-helper/journal_parse.c

FUZZ_ALL   := $(filter-out replay,$(basename $(notdir $(wildcard t/fuzz/*.c))))
FUZZ_NAMES := $(foreach h,$(FUZZ_ALL),$(if $(wildcard $(FUZZ_SRC_$(h))),$(h)))
FUZZ_ONLY  ?= $(FUZZ_NAMES)
FUZZ_BINS  := $(patsubst %,$(FZ)/bin/fuzz-%,$(FUZZ_NAMES))

fzobj = $(patsubst %.c,$(FZ)/%.o,$(1))

.PHONY: fuzz fuzz-build fuzz-names fuzz-asan fuzz-replay fuzz-replay-path \
	clean-fuzz soak

# The harnesses without libFuzzer, built by the ordinary build (see
# t/fuzz/replay.c); t/82-fuzz-regress.t runs it.
FUZZ_REPLAY := $(B)/fuzz-replay
fuzz-replay: $(FUZZ_REPLAY)
fuzz-replay-path:
	@echo $(FUZZ_REPLAY)
$(FUZZ_REPLAY): $(B)/t/fuzz/replay.o $(LINKED) $(LIBPOLICYD) $(LIBFWH) $(LIBCOMMON)
	$(call msg,LD,$@)
	$(Q)$(LINK)

fuzz-names:
	@echo $(FUZZ_NAMES)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh t/fuzz/run.sh $(FUZZ_ONLY)

# build-fuzz/ ignores itself in git.
$(FZ)/.gitignore:
	@mkdir -p $(FZ)
	@echo '*' > $@

$(FZ)/.flags: FORCE $(FZ)/.gitignore
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $@ || echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > $@

$(FZ)/%.o: %.c $(FZ)/.flags
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FZ)/libcommon.a: $(call fzobj,$(COMMON_SRCS))
$(FZ)/libpolicyd.a: $(call fzobj,$(POLICYD_SRCS))
$(FZ)/libfwh.a: $(call fzobj,$(FWH_SRCS))
$(FZ)/libcommon.a $(FZ)/libpolicyd.a $(FZ)/libfwh.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FZ)/bin/fuzz-%: $(FZ)/t/fuzz/%.o $(FZ)/libpolicyd.a $(FZ)/libfwh.a $(FZ)/libcommon.a
	@mkdir -p $(dir $@)
	$(call msg,FUZZLD,$@)
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS) -lm

fuzz-asan: $(FZ)/bin/policyd $(FZ)/bin/firewall-helper

$(FZ)/bin/policyd: $(FZ)/policyd/main.o $(FZ)/libpolicyd.a $(FZ)/libcommon.a
$(FZ)/bin/firewall-helper: $(FZ)/firewall-helper/main.o $(FZ)/libfwh.a $(FZ)/libcommon.a
$(FZ)/bin/policyd $(FZ)/bin/firewall-helper:
	@mkdir -p $(dir $@)
	$(call msg,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS) -lm

SOAK_REQUESTS ?= 1000000
soak: deps
	@$(MAKE) --no-print-directory all t/lib/hostile-load
	@rc=0; bash t/lib/hostile-soak.sh $(SOAK_REQUESTS) || rc=1; \
	    bash t/lib/dns-soak.sh $(SOAK_REQUESTS) || rc=1; exit $$rc

clean-fuzz:
	rm -rf $(FZ)

clean: clean-fuzz

-include $(shell find $(FZ) -name '*.d' 2>/dev/null)
.SECONDARY: $(patsubst %,$(FZ)/t/fuzz/%.o,$(FUZZ_ALL))
