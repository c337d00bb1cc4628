# incomescore — one binary, one library, one test runner.
#
#   make            build build/incomescore
#   make demo       install missing packages, build, run the demo
#   make test       build, run every test twice: once plain, once under
#                   AddressSanitizer + UBSan, then the threaded suites
#                   under ThreadSanitizer and a short run of each
#                   fuzz target (no network: `make deps` first on a fresh
#                   machine)
#   make check      build, run every test once, plain
#   make browser-test  the web page's end-to-end tests in headless
#                   Chromium (make test runs them once, after check);
#                   screenshots in build/screenshots/
#   make bench      run the benchmarks in bench/
#   make bench-bin  build the bench programs: bench/<name>.c → bench/out/<name>
#   make score-core build the scoring core alone
#                   (build/libincomescore_score.a) and link
#                   bench/score_bench.c against it without libxgboost;
#                   `make check` does too, so XGBoost creeping into
#                   scoring fails the build
#   make tsan       the suites that start threads (TSAN_SUITES) again,
#                   built with ThreadSanitizer in build/tsan/; `make test`
#                   runs it after check-asan
#   make fuzz       build the libFuzzer targets (fuzz/fuzz_<target>.c, clang
#                   with ASan+UBSan) and run each for FUZZ_SECONDS (60) on
#                   its corpus fuzz/corpus/<target>/ (findings: build/fuzz/)
#   make fuzz-smoke the same, a short deterministic run of each
#                   (FUZZ_RUNS inputs, seed 1); `make test` runs it
#   make deps       install the Debian packages the build and tests need
#                   (as root), and the browser tests' npm packages
#   make image-test build the container image (Dockerfile) with buildah and
#                   run the API server in it: /readyz, one prediction, the
#                   image's size (root only; otherwise it says SKIP)
#   make install    the binary to $(DESTDIR)$(PREFIX)/bin, data/ to
#                   $(DESTDIR)$(PREFIX)/share/incomescore and web/ (the
#                   analysts' page) to .../share/incomescore/web, where
#                   the installed binary looks for them (PREFIX default
#                   /usr/local; DESTDIR for staging a package)
#
# Sources are found by wildcard: a new src/<stage>/*.c joins the library,
# a new src/cli/*.c joins the binary, a new tests/fixture_*.c (shared test
# data) joins the runner, a new bench/*.c becomes a bench program, and a
# new tests/test_X.c joins the runner as a suite: it must define
# `int suite_X(int *count)`, which the runner calls from the list the
# Makefile writes to $(BUILD)/suites.h (no second file to edit; a suite
# file without its suite_X fails to build).

CC       ?= cc
BUILD    ?= build
OPT      ?= -O2
SAN      ?=
DATADIR  ?= $(CURDIR)/data
WEBDIR   ?= $(CURDIR)/web
PREFIX   ?= /usr/local
DESTDIR  ?=

PKGS     := jansson libutf8proc libbson-1.0 libmongoc-1.0 libcrypto lapacke sqlite3 libmicrohttpd \
            libcurl libzstd libpq
CFLAGS   += -std=c11 -D_GNU_SOURCE -pthread $(OPT) -g -Wall -Wextra -Werror -Wshadow \
            -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -iquote src \
            $(shell pkg-config --cflags $(PKGS)) \
            -DINCOMESCORE_DATADIR='"$(DATADIR)"' \
            -DINCOMESCORE_WEBDIR='"$(WEBDIR)"' $(SAN)
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lcsv -lxgboost -lm -pthread
LDFLAGS  += $(SAN)

LIB_SRC  := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c tests/fixture_*.c)) tests/unit_main.c
SUITES   := $(patsubst tests/test_%.c,%,$(sort $(wildcard tests/test_*.c)))
BENCH_SRC := $(sort $(wildcard bench/*.c))

# The scoring core: what a client that scores (the server, `predict`, an
# embedding program) needs, from loading a bundle to the response JSON.
# No XGBoost in it (score/forest.c walks the trees), and fewer packages.
CORE_SRC := $(sort $(wildcard src/base/*.c src/score/*.c src/registry/*.c))
CORE_PKGS := jansson libutf8proc libcrypto
CORE_LDLIBS := $(shell pkg-config --libs $(CORE_PKGS)) -lcsv -lm -pthread

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

BIN      := $(BUILD)/incomescore
UNIT     := $(BUILD)/unit
CORE_LIB := $(BUILD)/libincomescore_score.a
CORE_BIN := $(BUILD)/score-core/score_bench
# in bench/out/, beside the data the bench scripts generate there
BENCH_BIN := $(BENCH_SRC:bench/%.c=bench/out/%)

.PHONY: all deps demo test check check-asan tsan browser-test bench bench-bin \
        score-core install fuzz fuzz-smoke image-test clean FORCE
all: $(BIN)

# Made anew each time: ar would keep the objects of moved or deleted
# sources beside their successors.
$(BUILD)/libincomescore.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(CORE_LIB): $(CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(BUILD)/libincomescore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(UNIT): $(TEST_OBJ) $(BUILD)/libincomescore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka -lcurl

# One SUITE(X) line per tests/test_X.c: test.h declares suite_X from it and
# unit_main.c runs them in this order. Rewritten only when the list
# changes, so that the tests are not recompiled on every make.
$(BUILD)/suites.h: FORCE
	@mkdir -p $(dir $@)
	@printf 'SUITE(%s)\n' $(SUITES) >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(TEST_OBJ): $(BUILD)/suites.h
$(TEST_OBJ): CFLAGS += -iquote $(BUILD)

# The bench scripts ask for their program by name (make -s
# bench/out/<name>), so that each is built with these very flags and
# relinked whenever the library is rebuilt.
bench-bin: $(BENCH_BIN)

$(BENCH_BIN): bench/out/%: bench/%.c $(BUILD)/libincomescore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(BUILD)/libincomescore.a $(LDLIBS)

# Every object of the core, linked whether the program calls it or not
# (--whole-archive), with the core's packages only: an undefined XGBoost
# symbol anywhere in base/, score/ or registry/ fails here.
score-core: $(CORE_BIN)

$(CORE_BIN): bench/score_bench.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< \
	    -Wl,--whole-archive $(CORE_LIB) -Wl,--no-whole-archive $(CORE_LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_BIN:=.d) \
    $(CORE_BIN:=.d) $(BUILD)/install/paths.d

deps:
	@scripts/deps.sh

image-test:
	@scripts/image-test.sh

# Fuzz targets: clang's libFuzzer with ASan+UBSan, over the parsers that
# read what others send (the request, a document, the rules and key
# files). Their sources are compiled again with clang in build/fuzz/
# (libFuzzer needs its coverage instrumentation on the code under test);
# the archive lets each target pull only what it calls: no XGBoost, no
# server. A crash, a sanitizer report or a target's own abort (e.g. the
# request parser disagreeing with jansson) fails the make.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= 50000
FUZZ_DIR     := build/fuzz
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_SRC     := $(sort $(wildcard src/base/*.c src/score/*.c)) \
                src/etl/document.c src/http/apikeys.c
FUZZ_OBJ     := $(FUZZ_SRC:%.c=$(FUZZ_DIR)/%.o)
FUZZ_BIN     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -pthread -O1 -g -Wall -Wextra -Werror \
                -iquote src $(shell pkg-config --cflags $(PKGS)) \
                -DINCOMESCORE_DATADIR='"$(DATADIR)"' \
                -DINCOMESCORE_WEBDIR='"$(WEBDIR)"' $(FUZZ_SAN)
FUZZ_LDLIBS  := $(shell pkg-config --libs jansson libutf8proc libbson-1.0 \
                libcrypto) -lcsv -lm -pthread

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/libfuzzed.a: $(FUZZ_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(FUZZ_DIR)/libfuzzed.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_DIR)/libfuzzed.a $(FUZZ_LDLIBS)

-include $(FUZZ_OBJ:.o=.d)

# Each target on a scratch copy of its seed corpus (what it finds new is
# kept in build/fuzz/corpus/, the seeds in git stay as they are); a crash
# leaves its input in build/fuzz/ as crash-<hash>.
fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t && \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s" && \
	    $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 \
	        $(FUZZ_DIR)/corpus/$$t fuzz/corpus/$$t || exit 1; \
	done

fuzz-smoke: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do \
	    rm -rf $(FUZZ_DIR)/smoke/$$t && mkdir -p $(FUZZ_DIR)/smoke/$$t && \
	    $(FUZZ_DIR)/fuzz_$$t -runs=$(FUZZ_RUNS) -seed=1 \
	        -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/smoke/$$t \
	        fuzz/corpus/$$t >$(FUZZ_DIR)/smoke/$$t.log 2>&1 || \
	        { tail -40 $(FUZZ_DIR)/smoke/$$t.log; \
	          echo "fuzz-smoke: $$t FAILED (log: $(FUZZ_DIR)/smoke/$$t.log)"; \
	          exit 1; }; \
	    echo "fuzz-smoke: $$t: $(FUZZ_RUNS) runs, no crash"; \
	done
	@echo "fuzz-smoke: $(words $(FUZZ_TARGETS)) passed, 0 failed"

# The installed binary differs from build/incomescore in one fact, its
# data directory, which only base/paths.c compiles in. So only paths.c is
# compiled again (with the installed DATADIR) and linked ahead of the
# library: the linker then takes paths_* from it and never pulls the
# archive's own paths.o. $(INST)/datadir records the DATADIR built with,
# so that another PREFIX recompiles it.
INST_DATADIR := $(PREFIX)/share/incomescore
INST_WEBDIR  := $(INST_DATADIR)/web
INST         := $(BUILD)/install

$(INST)/datadir: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(INST_DATADIR)' '$(INST_WEBDIR)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(INST)/paths.o: src/base/paths.c $(INST)/datadir
	$(CC) $(CFLAGS) -UINCOMESCORE_DATADIR -UINCOMESCORE_WEBDIR \
	    -DINCOMESCORE_DATADIR='"$(INST_DATADIR)"' \
	    -DINCOMESCORE_WEBDIR='"$(INST_WEBDIR)"' -MMD -MP -c -o $@ $<

$(INST)/incomescore: $(CLI_OBJ) $(INST)/paths.o $(BUILD)/libincomescore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

install: $(INST)/incomescore
	install -d '$(DESTDIR)$(PREFIX)/bin' '$(DESTDIR)$(INST_DATADIR)' \
	    '$(DESTDIR)$(INST_WEBDIR)'
	install -m 755 $(INST)/incomescore '$(DESTDIR)$(PREFIX)/bin/incomescore'
	install -m 644 data/* '$(DESTDIR)$(INST_DATADIR)/'
	install -m 644 web/* '$(DESTDIR)$(INST_WEBDIR)/'

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BIN)

# The plain run, then the same tests under sanitizers in a separate tree.
# Never installs anything (so never needs the network): `make deps` does,
# and .ci/run runs it first.
test:
	@scripts/deps.sh --check
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory browser-test
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory tsan
	@$(MAKE) --no-print-directory fuzz-smoke

# The analysts' page in headless Chromium against the real server (a
# model trained into a temporary registry); screenshots kept in
# $(BUILD)/screenshots/. Needs `make deps` (chromium, npm ci).
browser-test: $(BIN)
	node tests/browser/run.mjs $(BIN) $(BUILD)/screenshots

check: $(BIN) $(UNIT) $(CORE_BIN)
	tests/stale_counters.sh
	tests/layers.sh src
	$(UNIT)
	tests/cli.sh $(BIN)
	tests/mongo_wire.sh $(BIN)
	tests/audit_crash.sh $(BIN)
	tests/s3.sh $(BIN)
	tests/audit_pg.sh $(BIN) $(UNIT)
	tests/replicas.sh $(BIN)
	tests/deploy.sh $(BIN)
	MAKE='$(MAKE) --no-print-directory' BUILD='$(BUILD)' tests/install.sh

check-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
	    SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
	    check

# ThreadSanitizer over the suites whose code starts threads: the server
# and its attacks (libmicrohttpd's worker pool, the park reaper, the
# registry watcher, the key and model swaps), the audit writer, the ETL
# and k-means on parmap's workers, the registry's concurrent readers and
# writers, predict's stream. Only these: the suites that train models
# (model, train, train_registry) run XGBoost's OpenMP loops, which under
# TSan take minutes and exercise none of our threads. A race is a failure
# (TSan exits 66). tests/tsan.supp silences libxgboost/libgomp only.
# setarch -R: the TSan runtime of GCC 12 cannot place its shadow memory
# when the kernel randomizes mmap with more bits than it expects (kernels
# that set vm.mmap_rnd_bits to 32: "FATAL: ThreadSanitizer: unexpected
# memory mapping"), so the run goes without address randomization
# wherever setarch may turn it off (with 28 bits it passes either way).
TSAN_SUITES ?= server hostile audit audit_query etl parmap kmeans registry \
               swap stream

tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan OPT=-O1 \
	    SAN='-fsanitize=thread' build/tsan/unit
	@norandom=""; \
	if setarch "$$(uname -m)" -R true 2>/dev/null; then \
	    norandom="setarch $$(uname -m) -R"; fi; \
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp $$TSAN_OPTIONS" \
	    $$norandom build/tsan/unit $(TSAN_SUITES) || \
	    { echo "tsan: FAILED (a test, or a race ThreadSanitizer reported above)"; \
	      exit 1; }

bench: all bench-bin
	bench/rules_apply.sh $(BIN)
	bench/etl.sh $(BIN)
	bench/etl_mongo.sh $(BIN)
	bench/train.sh $(BIN)
	bench/score.sh $(BIN)
	bench/kmeans.sh
	bench/model_predict.sh
	bench/audit.sh
	bench/audit_pg.sh $(BIN)
	bench/replicas.sh $(BIN)
	bench/web_batch.sh $(BIN)

clean:
	rm -rf build
