# keel: one non-recursive Makefile.
#
#   make                 build/keel, build/libkeel.a, build/libkeel.so
#   make test            build everything and run every test through prove
#   make test SAN=1      the same, built with -fsanitize=address,undefined (in build-san/)
#   make TSAN=1 tsan-tests  the loader's tests and keel built with -fsanitize=thread
#                        (in build-tsan/; run by tests/load_stress.t,
#                        tests/link_threads.t and .ci/run)
#   make freestanding    check that the freestanding parts need no libc
#   make fuzz            time-boxed libFuzzer runs (FUZZ_TIME seconds each)
#   make bench           speed against the peers (never part of the tests)
#   make demo            keel's main jobs on real inputs
#   make install PREFIX=/usr/local
#   make CC=clang WERROR=1

CC       ?= cc
PREFIX   ?= /usr/local
VERSION  := 0.1.0
SAN      ?=
WERROR   ?=

ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else ifeq ($(TSAN),1)
BUILD    ?= build-tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
BUILD    ?= build
SANFLAGS :=
endif

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN     += -Werror
endif
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c17 $(WARN) $(CFLAGS) $(SANFLAGS) -fPIC -Iinclude -D_GNU_SOURCE \
             -DKEEL_VERSION='"$(VERSION)"'
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
# The CLI is linked statically (as a static PIE: `keel exec` must leave the
# classic 0x400000 free for the programs it runs): for a tool run once per
# file, the dynamic loader's start-up costs more than keel's own work
# (measured in bench/).  `keel run` needs a dynamically linked host process
# (loaded code is resolved through dlsym), so it hands over to keel-run: the
# same commands linked dynamically (tools/run_forward.c).  Sanitizer
# runtimes need the dynamic loader, so SAN=1 links keel dynamically, with
# `keel run` built in.
KEEL_LINK := $(if $(SANFLAGS),,-static-pie)

# ---------------------------------------------------------------- sources
# Parts that must build freestanding (no libc): the reader, and later the
# executable interpreter.
FREESTANDING_DIRS := lib/elf lib/exec lib/arch lib/map
LIB_DIRS   := lib/elf lib/exec lib/arch lib/map lib/resolve lib/load lib/link
LIB_SRC    := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
TOOL_SRC   := $(wildcard tools/*.c)
TEST_SRC   := $(wildcard tests/unit/*.c)
FUZZ_SRC   := $(wildcard fuzz/*.c)

LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# libkeel.so exports the public API only: everything is hidden unless the
# public headers (include/keel/*.h) declare it (tests/api_exports.t).
$(LIB_OBJ): ALL_CFLAGS += -fvisibility=hidden
TOOL_OBJ   := $(TOOL_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN   := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Unit tests may use the tools' helpers (mapped files, output) too.
TOOL_LIB_OBJ := $(filter-out $(BUILD)/obj/tools/keel.o $(BUILD)/obj/tools/run_forward.o,$(TOOL_OBJ))
# keel-run: every command, `run` in-process; keel: `run` hands over to it
# when keel is static.
KEEL_RUN_OBJ := $(filter-out $(BUILD)/obj/tools/run_forward.o,$(TOOL_OBJ))
KEEL_OBJ   := $(filter-out $(BUILD)/obj/tools/$(if $(SANFLAGS),run_forward,run).o,$(TOOL_OBJ))

KEEL       := $(BUILD)/keel
KEEL_RUN   := $(BUILD)/keel-run
LIBA       := $(BUILD)/libkeel.a
LIBSO      := $(BUILD)/libkeel.so

.PHONY: all test check freestanding fuzz bench demo install clean test-deps tsan-tests format format-check
.DEFAULT_GOAL := all

all: $(KEEL) $(KEEL_RUN) $(LIBA) $(LIBSO)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libkeel.so.0 $(ALL_LDFLAGS) -o $@ $^

$(KEEL): $(KEEL_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(KEEL_LINK) -o $@ $(KEEL_OBJ) $(LIBA)

$(KEEL_RUN): $(KEEL_RUN_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(KEEL_RUN_OBJ) $(LIBA)

# The malformed-input test shares the fuzzer's walk (fuzz/walk.h).
$(BUILD)/tests/%: tests/unit/%.c $(wildcard fuzz/*.h) $(TOOL_LIB_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itools $(ALL_LDFLAGS) -o $@ $< $(TOOL_LIB_OBJ) $(LIBA)

# The loader's tests need the loader and what it stands on, nothing of
# the tools: so the ThreadSanitizer build compiles only that.
LOAD_LIB_OBJ := $(filter $(BUILD)/obj/lib/elf/% $(BUILD)/obj/lib/arch/% $(BUILD)/obj/lib/resolve/% \
                          $(BUILD)/obj/lib/load/%,$(LIB_OBJ))
$(BUILD)/tests/load_%: tests/unit/load_%.c $(LOAD_LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LOAD_LIB_OBJ)

# keel too: tests/link_threads.t links with its two threads (lib/link/fill.c)
tsan-tests: $(BUILD)/tests/load_api $(BUILD)/tests/load_stress $(BUILD)/tests/load_swap $(KEEL)

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d)

# ------------------------------------------------------------------ tests
# Tests find the build through KEEL_BUILD; test inputs they generate go to
# $(BUILD)/t/.  Packages a fresh machine lacks are installed by
# tests/deps.sh (as root) or the tests that need them say why they skip.
test: all $(TEST_BIN) test-deps
	KEEL_BUILD=$(abspath $(BUILD)) KEEL=$(abspath $(KEEL)) prove -j2 -f tests/*.t

check: test

test-deps:
	@sh tests/deps.sh

# The freestanding parts must build with no libc (tools/check-freestanding.sh
# says exactly what is checked), for x86-64 and for 32-bit x86.
freestanding:
	@sh tools/check-freestanding.sh $(CC) $(BUILD) $(FREESTANDING_DIRS)

# The C sources clang-format keeps (.clang-format says why tests/progs/ is
# left out). format rewrites them; format-check fails on any difference.
FORMAT_SRC = $(sort $(wildcard lib/*.h lib/*/*.[ch] include/keel/*.h tools/*.[ch] fuzz/*.[ch] bench/*/*.[ch] tests/unit/*.[ch]))

format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "format-check: $(words $(FORMAT_SRC)) files as clang-format writes them"

# ------------------------------------------------------------------- fuzz
FUZZ_TIME ?= 60
FUZZ_CC   ?= clang
FUZZ_BIN  := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)

build-fuzz/%: fuzz/%.c $(wildcard fuzz/*.h) $(LIB_SRC) $(wildcard include/keel/*.h lib/*/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -Iinclude -Ilib -D_GNU_SOURCE -o $@ $< $(LIB_SRC)

fuzz: $(FUZZ_BIN)
	@sh fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BIN)

# ------------------------------------------------------------------ bench
bench: all
	@sh bench/run.sh $(abspath $(KEEL))

# ------------------------------------------------------------------- demo
demo: all
	@sh tools/demo.sh $(abspath $(KEEL))

# ---------------------------------------------------------------- install
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/keel \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/libexec/keel
	install -m 755 $(KEEL) $(DESTDIR)$(PREFIX)/bin/keel
	install -m 755 $(KEEL_RUN) $(DESTDIR)$(PREFIX)/libexec/keel/keel-run
	install -m 644 include/keel/*.h $(DESTDIR)$(PREFIX)/include/keel/
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libkeel.a
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libkeel.so.0
	ln -sf libkeel.so.0 $(DESTDIR)$(PREFIX)/lib/libkeel.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' keel.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/keel.pc

clean:
	rm -rf build build-san build-tsan build-fuzz
