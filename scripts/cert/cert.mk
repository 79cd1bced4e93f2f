# Certification evidence kit (docs/certification.md). Included by the top
# Makefile; everything here is prefixed CERT_/COV_/SAN_ so it does not touch
# the product build's variables.
#
#   make cert        install the extra tools, build everything, run the suite,
#                    write build/cert/ (index.html + machine-readable files)
#   CERT_STRICT=1    also fail when a goal is missed (coverage targets, MISRA,
#                    static analysis, strict warnings), not only when evidence
#                    is broken (failed test, sanitizer error, irreproducible build)
#
# The instrumented builds live under build/cert/ and never mix with build/.

CERT          := $(BUILD)/cert
CERT_CC       ?= clang-19
LLVM_PROFDATA ?= llvm-profdata-19
LLVM_COV      ?= llvm-cov-19
CLANG_TIDY    ?= clang-tidy-19
CPPCHECK      ?= cppcheck
CERT_JOBS     ?= $(shell nproc 2>/dev/null || echo 2)

# The product warning set without -Werror: the instrumented builds are for
# measuring, and clang-19 warns about GNU extensions gcc accepts silently.
# Warnings as errors are checked by scripts/cert/warnings for both compilers.
CERT_WARN     := $(filter-out -Werror,$(WARN))

# --- structural coverage: clang source-based coverage with MC/DC -----------
COV_DIR       := $(CERT)/cov
COV_CFLAGS    := -std=gnu11 $(CERT_WARN) -D_GNU_SOURCE -Isrc -MMD -MP -O0 -g \
                 -fprofile-instr-generate -fcoverage-mapping -fcoverage-mcdc -fcoverage-compilation-dir=.
# keel's CLI ends forked VM processes with _exit(), which skips the profile
# runtime's atexit hook; the shim writes the profile first.
COV_LDFLAGS   := -fprofile-instr-generate -Wl,--wrap=_exit
COV_LIB_OBJS  := $(LIB_SRCS:%.c=$(COV_DIR)/obj/%.o)
COV_MAIN_OBJ  := $(COV_DIR)/obj/src/main.o
COV_UNIT_OBJS := $(UNIT_SRCS:%.c=$(COV_DIR)/obj/%.o)
COV_SHIM_OBJ  := $(COV_DIR)/obj/cov_shim.o

# --- sanitizers: unit tests under ASan+UBSan --------------------------------
# UBSan recovers (scripts/cert/sanitizers counts every report), so one report
# does not hide the others; ASan stops at its first error.
SAN_DIR       := $(CERT)/san
SAN_CFLAGS    := -std=gnu11 $(CERT_WARN) -D_GNU_SOURCE -Isrc -MMD -MP -O1 -g \
                 -fno-omit-frame-pointer -fsanitize=address,undefined \
                 -fsanitize-recover=undefined
SAN_LIB_OBJS  := $(LIB_SRCS:%.c=$(SAN_DIR)/obj/%.o)
SAN_UNIT_OBJS := $(UNIT_SRCS:%.c=$(SAN_DIR)/obj/%.o)

.PHONY: cert cert-setup cert-builds cert-cov-build cert-san-build cert-clean

cert:
	@scripts/setup
	@scripts/cert/setup
	@rm -rf $(CERT)
	@$(MAKE) --no-print-directory -j$(CERT_JOBS) all unit fuzz-build
	@$(MAKE) --no-print-directory -j$(CERT_JOBS) cert-builds
	@CERT_DIR=$(CERT) CERT_CC=$(CERT_CC) LLVM_PROFDATA=$(LLVM_PROFDATA) \
	  LLVM_COV=$(LLVM_COV) CLANG_TIDY=$(CLANG_TIDY) CPPCHECK=$(CPPCHECK) \
	  CERT_STRICT=$(CERT_STRICT) CERT_JOBS=$(CERT_JOBS) \
	  KEEL_CC="$(CC)" KEEL_CFLAGS_SHOWN="$(KEEL_CFLAGS)" KEEL_LDLIBS="$(LDLIBS)" \
	  COV_CFLAGS_SHOWN="$(COV_CFLAGS)" SAN_CFLAGS_SHOWN="$(SAN_CFLAGS)" \
	  FUZZ_CC="$(FUZZ_CC)" FUZZ_FLAGS_SHOWN="$(FUZZ_FLAGS)" \
	  scripts/cert/run

cert-setup:
	@scripts/cert/setup

cert-builds: cert-cov-build cert-san-build

cert-cov-build: $(COV_DIR)/keel $(COV_DIR)/unit
cert-san-build: $(SAN_DIR)/unit

$(COV_DIR)/keel: $(COV_MAIN_OBJ) $(COV_LIB_OBJS) $(COV_SHIM_OBJ)
	@echo "  LD-COV  $@"
	@$(CERT_CC) $(COV_LDFLAGS) -o $@ $^ $(LDLIBS)

$(COV_DIR)/unit: $(COV_UNIT_OBJS) $(COV_LIB_OBJS) $(COV_SHIM_OBJ)
	@echo "  LD-COV  $@"
	@$(CERT_CC) $(COV_LDFLAGS) -o $@ $^ $(LDLIBS)

$(COV_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-COV  $<"
	@$(CERT_CC) $(COV_CFLAGS) -c -o $@ $< 2>$(@:.o=.log) || \
	  { cat $(@:.o=.log) >&2; exit 1; }

$(COV_DIR)/obj/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@echo "  CC-COV  $<"
	@$(CERT_CC) $(COV_CFLAGS) -Itests/unit -c -o $@ $< 2>$(@:.o=.log) || \
	  { cat $(@:.o=.log) >&2; exit 1; }

# The shim is not instrumented (it is not keel's code).
$(COV_SHIM_OBJ): scripts/cert/cov_shim.c
	@mkdir -p $(dir $@)
	@$(CERT_CC) -std=gnu11 -O1 -Wall -Wextra -Werror -c -o $@ $<

$(SAN_DIR)/unit: $(SAN_UNIT_OBJS) $(SAN_LIB_OBJS)
	@echo "  LD-SAN  $@"
	@$(CERT_CC) $(SAN_CFLAGS) -o $@ $^ $(LDLIBS)

$(SAN_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-SAN  $<"
	@$(CERT_CC) $(SAN_CFLAGS) -c -o $@ $< 2>$(@:.o=.log) || \
	  { cat $(@:.o=.log) >&2; exit 1; }

$(SAN_DIR)/obj/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@echo "  CC-SAN  $<"
	@$(CERT_CC) $(SAN_CFLAGS) -Itests/unit -c -o $@ $< 2>$(@:.o=.log) || \
	  { cat $(@:.o=.log) >&2; exit 1; }

cert-clean:
	rm -rf $(CERT)

-include $(shell find $(CERT)/cov/obj $(CERT)/san/obj -name '*.d' 2>/dev/null)
