# cairn — one non-recursive GNU Makefile.  All output goes under build/.
#
#   make              build the library, the CLI and the benchmarks (build/release/)
#   make test         build and run the whole suite twice: plain (build/release/)
#                     and under ASan+UBSan (build/asan/); closes with "N passed, N failed"
#   make bench        run the benchmarks (build/release/bench/)
#   make format       apply .clang-format to every C file
#   make clean        remove build/
#
# Two build variants share the same rules (see the `variant` template):
#   release  -O2 -g
#   asan     -O1 -g -fsanitize=address,undefined (no recovery: a report fails the test)
# Warnings are errors in both; pass WERROR= to turn that off on another compiler.
# O=DIR puts the output in DIR instead of build/.

O ?= build

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif

# make V=1 shows the full commands.
V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

WERROR ?= -Werror
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes \
        -Wmissing-prototypes $(WERROR)
CPPFLAGS_ALL := -Iinclude -D_GNU_SOURCE
CFLAGS_ALL := -std=c11 $(WARN) -pthread -MMD -MP $(CFLAGS)
LDLIBS_ALL := -lcrypto -lpthread -lm

CFLAGS_release := -O2 -g
CFLAGS_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=all
LDFLAGS_release :=
LDFLAGS_asan := -fsanitize=address,undefined

LIB_SRC := $(sort $(wildcard src/*/*.c))
APP_SRC := $(sort $(wildcard apps/cairn/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c))
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
BENCH_COMMON := $(filter-out $(BENCH_SRC),$(sort $(wildcard bench/*.c)))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

.PHONY: all test bench format clean setup
.DEFAULT_GOAL := all

# Install missing Debian packages (idempotent; quick when nothing is missing).
# Order-only prerequisite of every compile, so it never forces a rebuild.
setup:
	@sh scripts/setup.sh

# $(1) = variant name
define variant
B_$(1) := $(O)/$(1)
LIB_OBJ_$(1) := $$(LIB_SRC:%.c=$(O)/$(1)/%.o)
APP_OBJ_$(1) := $$(APP_SRC:%.c=$(O)/$(1)/%.o)
TEST_OBJ_$(1) := $$(TEST_SRC:%.c=$(O)/$(1)/%.o)
FUZZ_OBJ_$(1) := $$(FUZZ_SRC:%.c=$(O)/$(1)/%.o)

$(O)/$(1)/%.o: %.c | setup
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  CC    $$@")
	$(Q)$$(CC) $$(CPPFLAGS_ALL) $$(CPPFLAGS) $$(CFLAGS_$(1)) $$(CFLAGS_ALL) -c $$< -o $$@

$(O)/$(1)/libcairn.a: $$(LIB_OBJ_$(1))
	@rm -f $$@
	@$(if $(Q),echo "  AR    $$@")
	$(Q)$$(AR) rcs $$@ $$^

$(O)/$(1)/cairn: $$(APP_OBJ_$(1)) $(O)/$(1)/libcairn.a
	@$(if $(Q),echo "  LD    $$@")
	$(Q)$$(CC) $$(LDFLAGS_$(1)) $$(LDFLAGS) -pthread -o $$@ $$^ $$(LDLIBS_ALL)

$(O)/$(1)/cairn-tests: $$(TEST_OBJ_$(1)) $$(FUZZ_OBJ_$(1)) $(O)/$(1)/libcairn.a
	@$(if $(Q),echo "  LD    $$@")
	$(Q)$$(CC) $$(LDFLAGS_$(1)) $$(LDFLAGS) -pthread -o $$@ $$^ $$(LDLIBS_ALL)

-include $$(LIB_OBJ_$(1):.o=.d) $$(APP_OBJ_$(1):.o=.d) $$(TEST_OBJ_$(1):.o=.d) $$(FUZZ_OBJ_$(1):.o=.d)
endef

$(eval $(call variant,release))
$(eval $(call variant,asan))

# Tests also see the fuzz targets (their corpora are replayed by the suite).
$(O)/release/tests/%.o $(O)/asan/tests/%.o: CPPFLAGS += -Itests -Ifuzz
$(O)/release/fuzz/%.o $(O)/asan/fuzz/%.o: CPPFLAGS += -Itests -Ifuzz -DCAIRN_FUZZ_NO_MAIN

BENCH_BIN := $(BENCH_SRC:bench/%.c=$(O)/release/bench/%)
BENCH_COMMON_OBJ := $(BENCH_COMMON:%.c=$(O)/release/%.o)
$(O)/release/bench/%: $(O)/release/bench/%.o $(BENCH_COMMON_OBJ) $(O)/release/libcairn.a
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) $(LDFLAGS_release) $(LDFLAGS) -pthread -o $@ $^ $(LDLIBS_ALL)
-include $(BENCH_SRC:%.c=$(O)/release/%.d) $(BENCH_COMMON_OBJ:.o=.d)

all: $(O)/release/cairn $(BENCH_BIN)

# The whole suite, plain then sanitized; scripts/run-tests.sh prints the
# combined closing line.  TEST_ARGS passes options through (--filter, --seed).
test: $(O)/release/cairn-tests $(O)/asan/cairn-tests $(O)/release/cairn
	@O=$(O) bash scripts/run-tests.sh $(TEST_ARGS)

bench: $(BENCH_BIN)
	@for b in $(BENCH_BIN); do $$b $(BENCH_ARGS) || exit 1; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
