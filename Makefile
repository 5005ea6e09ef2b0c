# cairn — one non-recursive GNU Makefile.  All output goes under build/.
#
#   make              build the library, the CLI and the benchmarks (build/release/)
#   make test         build and run the whole suite twice: plain (build/release/)
#                     and under ASan+UBSan (build/asan/); closes with "N passed, N failed"
#   make bench        run the benchmarks (build/release/bench/)
#   make format       apply .clang-format to every C file
#   make install      install the program, libraries, headers, cairn.pc, the guest SDK
#                     and man pages under PREFIX (/usr/local), staged under DESTDIR;
#                     make uninstall removes them (docs/install.md)
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
# the proving service (src/service/) and its client (apps/cairn/cmd_submit.c)
LDLIBS_ALL += -lmicrohttpd -lsqlite3 -ljansson -lcurl
# the PostgreSQL job store (src/service/store_pg.c): libpq from Debian's libpq-dev
PQ_CFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
PQ_LIBS := $(shell pkg-config --libs libpq 2>/dev/null || echo -lpq)
CPPFLAGS_ALL += $(PQ_CFLAGS)
LDLIBS_ALL += $(PQ_LIBS)

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

.PHONY: all test bench format clean setup guests
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
$(O)/release/tests/%.o $(O)/asan/tests/%.o: CPPFLAGS += -Itests -Ifuzz \
    -DCAIRN_SOURCE_DIR='"$(abspath .)"'
$(O)/release/fuzz/%.o $(O)/asan/fuzz/%.o: CPPFLAGS += -Itests -Ifuzz -DCAIRN_FUZZ_NO_MAIN

BENCH_BIN := $(BENCH_SRC:bench/%.c=$(O)/release/bench/%)
BENCH_COMMON_OBJ := $(BENCH_COMMON:%.c=$(O)/release/%.o)
$(O)/release/bench/%: $(O)/release/bench/%.o $(BENCH_COMMON_OBJ) $(O)/release/libcairn.a
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) $(LDFLAGS_release) $(LDFLAGS) -pthread -o $@ $^ $(LDLIBS_ALL)
-include $(BENCH_SRC:%.c=$(O)/release/%.d) $(BENCH_COMMON_OBJ:.o=.d)


# Guests (guest/, docs/guests.md): every guest/examples/*.c for rv32i and
# rv32im under $(O)/guests/<arch>/, with the SDK's crt0, linker script and
# picolibc; hello.c is the SDK-free example and is built bare.
GUEST_CC ?= riscv64-unknown-elf-gcc
PICOLIBC ?= /usr/lib/picolibc/riscv64-unknown-elf
GUEST_ARCHS := rv32i rv32im
GUEST_SDK := guest/sdk/crt0.S guest/sdk/cairn_guest.c
GUEST_SDK_DEPS := $(GUEST_SDK) guest/sdk/cairn_guest.h guest/sdk/cairn.ld
GUEST_NAMES := $(sort $(wildcard guest/examples/*.c))
GUEST_NAMES := $(GUEST_NAMES:guest/examples/%.c=%)
# Assembly examples (guest/examples/*.S) are built bare: no SDK, no crt0.
GUEST_ASM := $(sort $(wildcard guest/examples/*.S))
GUEST_ASM := $(GUEST_ASM:guest/examples/%.S=%)
GUEST_ELF := $(foreach a,$(GUEST_ARCHS),$(GUEST_NAMES:%=$(O)/guests/$(a)/%.elf) \
                                        $(GUEST_ASM:%=$(O)/guests/$(a)/%.elf))
GUEST_CFLAGS := -mabi=ilp32 -O2 -g -static -nostdlib -ffunction-sections -fdata-sections \
                -ftls-model=local-exec -Wall -Wextra -Werror

define guest_arch
$(O)/guests/$(1)/hello.elf: guest/examples/hello.c | setup
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  GUEST $$@")
	$(Q)$(GUEST_CC) -march=$(1) -mabi=ilp32 -O2 -nostdlib -static -o $$@ $$<
$(O)/guests/$(1)/%.elf: guest/examples/%.S | setup
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  GUEST $$@")
	$(Q)$(GUEST_CC) -march=$(1) -mabi=ilp32 -nostdlib -static -Wl,-Ttext=0x10000 -o $$@ $$<
$(O)/guests/$(1)/%.elf: guest/examples/%.c $(GUEST_SDK_DEPS) | setup
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  GUEST $$@")
	$(Q)$(GUEST_CC) -march=$(1) $(GUEST_CFLAGS) -isystem $(PICOLIBC)/include -Iguest/sdk \
	    -T guest/sdk/cairn.ld -o $$@ $(GUEST_SDK) $$< -L$(PICOLIBC)/lib/$(1)/ilp32 \
	    -Wl,--gc-sections -Wl,--start-group -lc -lgcc -Wl,--end-group
endef
$(foreach a,$(GUEST_ARCHS),$(eval $(call guest_arch,$(a))))

guests: $(GUEST_ELF)

# The VM tests and benchmark run the example guests (order-only: not linked).
$(O)/release/cairn-tests $(O)/asan/cairn-tests $(O)/release/bench/bench_vm $(O)/release/bench/bench_service: | $(GUEST_ELF)
$(O)/release/tests/%.o $(O)/asan/tests/%.o $(O)/release/bench/%.o: \
    CPPFLAGS += -DCAIRN_GUEST_DIR='"$(abspath $(O))/guests"'

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

# Keep intermediate objects (bench/*.o) so a rebuild does not recompile them.
.SECONDARY:

# ---- install (docs/install.md) ---------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=...]: bin/cairn, lib/libcairn.a,
# lib/libcairn.so.X.Y.Z (soname libcairn.so.X.Y: before 1.0 every minor
# version may change the ABI; only cairn_* symbols are exported, see
# scripts/libcairn.map), include/cairn/*.h, lib/pkgconfig/cairn.pc, the guest
# SDK in share/cairn/sdk/ and the man pages in share/man/man1/.  The shared
# library is built from position-independent objects of its own under
# $(O)/pic/, so the static library and the program keep their code.
.PHONY: install uninstall
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
SDKDIR ?= $(DATADIR)/cairn/sdk
INSTALL ?= install

CAIRN_VERSION := $(shell sed -n 's/^\#define CAIRN_VERSION_STRING "\(.*\)"/\1/p' include/cairn/version.h)
CAIRN_VERSION_WORDS := $(subst ., ,$(CAIRN_VERSION))
SONAME := libcairn.so.$(word 1,$(CAIRN_VERSION_WORDS)).$(word 2,$(CAIRN_VERSION_WORDS))
SHLIB := $(O)/release/libcairn.so.$(CAIRN_VERSION)
LIB_OBJ_pic := $(LIB_SRC:%.c=$(O)/pic/%.o)
MAN_PAGES := $(sort $(wildcard docs/man/*.1))
PUBLIC_HEADERS := $(sort $(wildcard include/cairn/*.h))

$(O)/pic/%.o: %.c | setup
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC    $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(CFLAGS_release) -fPIC $(CFLAGS_ALL) -c $< -o $@
-include $(LIB_OBJ_pic:.o=.d)

$(SHLIB): $(LIB_OBJ_pic) scripts/libcairn.map
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) $(LDFLAGS_release) $(LDFLAGS) -shared -pthread -Wl,-soname,$(SONAME) \
	    -Wl,--version-script=scripts/libcairn.map -Wl,-z,defs -o $@ $(LIB_OBJ_pic) $(LDLIBS_ALL)

# The install checks of tests/cli_test.sh install from these.
test: $(SHLIB)

# The benchmark's counting allocator (bench/preload/alloc_peak.c), preloaded into
# cairn by bench/small_space.sh with ALLOC=1.
ALLOC_PEAK := $(O)/release/bench/alloc_peak.so
$(ALLOC_PEAK): bench/preload/alloc_peak.c | setup
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC    $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_release) -fPIC $(CFLAGS_ALL) -shared -o $@ $<
all: $(ALLOC_PEAK)

install: $(O)/release/cairn $(O)/release/libcairn.a $(SHLIB)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/cairn \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(SDKDIR) $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 755 $(O)/release/cairn $(DESTDIR)$(BINDIR)/cairn
	$(INSTALL) -m 644 $(O)/release/libcairn.a $(DESTDIR)$(LIBDIR)/libcairn.a
	$(INSTALL) -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libcairn.so.$(CAIRN_VERSION)
	ln -sf libcairn.so.$(CAIRN_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libcairn.so
	$(INSTALL) -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(INCLUDEDIR)/cairn/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@SDKDIR@|$(SDKDIR)|' -e 's|@VERSION@|$(CAIRN_VERSION)|' scripts/cairn.pc.in \
	    >$(DESTDIR)$(PKGCONFIGDIR)/cairn.pc
	$(INSTALL) -m 644 $(GUEST_SDK_DEPS) $(DESTDIR)$(SDKDIR)/
	$(INSTALL) -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cairn $(DESTDIR)$(LIBDIR)/libcairn.a \
	    $(DESTDIR)$(LIBDIR)/libcairn.so $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/libcairn.so.$(CAIRN_VERSION) $(DESTDIR)$(PKGCONFIGDIR)/cairn.pc \
	    $(PUBLIC_HEADERS:include/cairn/%=$(DESTDIR)$(INCLUDEDIR)/cairn/%) \
	    $(patsubst %,$(DESTDIR)$(SDKDIR)/%,$(notdir $(GUEST_SDK_DEPS))) \
	    $(MAN_PAGES:docs/man/%=$(DESTDIR)$(MANDIR)/man1/%)
	rmdir $(DESTDIR)$(INCLUDEDIR)/cairn $(DESTDIR)$(SDKDIR) $(DESTDIR)$(DATADIR)/cairn 2>/dev/null || true
