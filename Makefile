# keel: plain Makefile (kvmtool style). `make` builds build/keel and the test guests.
#   make demo    install missing packages, build, boot examples/hello.cfg
#   make check   the whole test suite; last line "N passed, N failed[, N skipped]"
#   make fuzz    run every libFuzzer target for FUZZ_SECONDS each (default 60)
#   make bench   figures beside QEMU / a bare KVM loop (docs/performance.md)
#   make cert    certification evidence into build/cert/ (docs/certification.md)

CC        ?= gcc
FUZZ_CC   ?= clang
BUILD     := build
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wvla -Wpointer-arith
KEEL_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -MMD -MP \
             -ffile-prefix-map=$(CURDIR)=. $(CFLAGS)
LDLIBS    := -lconfig -lpthread

# Every .c under src/ except main.c forms libkeel.a, which the unit tests and
# fuzz targets link; main.c is the CLI.
SRCS      := $(shell find src -name '*.c' | LC_ALL=C sort)
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/src/main.o

UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o)

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -std=gnu11 -D_GNU_SOURCE -Isrc -g -O1 -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=undefined

.PHONY: all keel guests unit fuzz-build fuzz check demo setup clean bench
all: keel guests

keel: $(BUILD)/keel

$(BUILD)/keel: $(MAIN_OBJ) $(BUILD)/libkeel.a
	$(CC) $(KEEL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libkeel.a: $(LIB_OBJS)
	@rm -f $@
	ar rcsD $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KEEL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KEEL_CFLAGS) -Itests/unit -c -o $@ $<

unit: $(BUILD)/tests/unit
$(BUILD)/tests/unit: $(UNIT_OBJS) $(BUILD)/libkeel.a
	@mkdir -p $(dir $@)
	$(CC) $(KEEL_CFLAGS) -o $@ $(UNIT_OBJS) $(BUILD)/libkeel.a $(LDLIBS)

# Fuzz targets are built by clang from the sources directly (instrumented),
# not from libkeel.a (built by gcc, uninstrumented).
fuzz-build: $(FUZZ_BINS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(LDLIBS)

fuzz: fuzz-build
	@for f in $(FUZZ_BINS); do \
	  n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      $(BUILD)/fuzz/corpus-$$n tests/fuzz/seeds/$$n || exit 1; \
	done

include guests/guests.mk
-include scripts/cert/cert.mk

setup:
	@scripts/setup

demo: setup
	@$(MAKE) --no-print-directory all
	@scripts/demo

check: setup
	@$(MAKE) --no-print-directory all unit fuzz-build
	@tests/run-all

$(BUILD)/bare_kvm: bench/bare_kvm.c $(BUILD)/libkeel.a
	$(CC) $(KEEL_CFLAGS) -o $@ $< $(BUILD)/libkeel.a $(LDLIBS)

bench: setup
	@$(MAKE) --no-print-directory all $(BUILD)/bare_kvm
	@bench/run

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
