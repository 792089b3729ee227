# rnnc build. Switches: make [DEBUG=1] [SAN=address,undefined]
#   make            static + shared library and the rnnc binary
#   make check      build and run every test
#   make demo       train the sentiment demo on the bundled IMDB sample (FULL=1: the full data)
#   make install    [PREFIX=/usr/local] [DESTDIR=] headers, libraries, rnnc, rnnc.pc, man page
#   make uninstall  removes what install put there
CC ?= cc
SAN ?=
DEBUG ?=
BUILD := build$(if $(SAN),$(if $(findstring thread,$(SAN)),-tsan,-san))

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Werror=implicit-function-declaration \
        -Werror=incompatible-pointer-types
OPT := $(if $(DEBUG),-O0 -g,-O2 -g)
SANFLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all)
PKGS := inih jansson zlib libarchive
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -Iinclude $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS += $(WARN) $(OPT) $(SANFLAGS) -fPIC
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -linih -ljansson -lz -larchive) -lm -lpthread
LDFLAGS += $(SANFLAGS)

# Layer and model code is compiled twice: float (the library) and double (gradient checks).
GENERIC := src/core/gemm.c src/core/vmath.c $(filter-out src/nn/api.c src/nn/plan.c src/nn/config.c src/nn/modelfile.c src/nn/gradcheck.c src/nn/beam.c,$(wildcard src/nn/*.c))
PLAIN := $(filter-out $(GENERIC),$(wildcard src/*/*.c))
OBJ32 := $(patsubst src/%.c,$(BUILD)/f32/%.o,$(GENERIC))
OBJ64 := $(patsubst src/%.c,$(BUILD)/f64/%.o,$(GENERIC))
OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(PLAIN))
# The version is the header's; the shared library's soname carries the major number.
VERSION := $(shell sed -n 's/^\#define RNNC_VERSION_STRING "\(.*\)"/\1/p' include/rnnc/core.h)
MAJOR := $(firstword $(subst ., ,$(VERSION)))
LIB := $(BUILD)/librnnc.a
SONAME := librnnc.so.$(MAJOR)
SO := $(BUILD)/librnnc.so.$(VERSION)
# The shared library exports the public API only: the rnnc_ names its objects define.
SOMAP := $(BUILD)/librnnc.map
BIN := $(BUILD)/rnnc
TOOLS := $(wildcard tools/*.c)
# The C examples of docs/api.md (examples/c/): built against the public headers only, run by
# tests/tools/test_examples.sh.
EXAMPLES := $(patsubst examples/c/%.c,$(BUILD)/examples/%,$(wildcard examples/c/*.c))
# Test programs sit in tests/ by the layer of what they test (tests/core/, tests/nn/, ...); the
# harness's own test at the top.
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c tests/*/test_*.c))
HEADERS := include/rnnc.h $(wildcard include/rnnc/*.h src/*/*.h)

.PHONY: all check demo clean deps format-check
all: $(LIB) $(SO) $(BIN)

deps:
	@scripts/install-deps.sh

$(BUILD)/f32/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
$(BUILD)/f64/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DRNNC_REAL_F64 -c $< -o $@
$(BUILD)/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The hot element-wise kernels are built at -O3 so GCC vectorizes them (no -ffast-math anywhere).
$(BUILD)/f32/core/vmath.o $(BUILD)/f32/core/gemm.o $(BUILD)/f32/nn/%.o: OPT := $(if $(DEBUG),-O0 -g,-O3 -g)
# The activations' multiply-adds are fused where the CPU has FMA (gemm.c fuses by intrinsics).
$(BUILD)/f32/core/vmath.o: CFLAGS += -ffp-contract=fast

$(LIB): $(OBJ32) $(OBJ64) $(OBJ)
	@rm -f $@
	ar rcs $@ $^
$(SOMAP): $(OBJ32) $(OBJ64) $(OBJ)
	@{ echo '{ global:'; nm -g --defined-only $^ | awk '$$3 ~ /^rnnc_[^_]/ {print "  " $$3 ";"}' | sort -u; \
	   echo 'local: *; };'; } > $@
$(SO): $(OBJ32) $(OBJ64) $(OBJ) $(SOMAP)
	$(CC) -shared $(LDFLAGS) -Wl,-soname,$(SONAME) -Wl,--version-script,$(SOMAP) -o $@ \
	    $(OBJ32) $(OBJ64) $(OBJ) $(LDLIBS)
	ln -sf $(notdir $@) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/librnnc.so
$(BIN): $(TOOLS) $(LIB) include/rnnc.h $(wildcard tools/*.h)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TOOLS) $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

# Tests may use internal headers (src/...).
TESTLIB := tests/check.c tests/fixture.c tests/reviews.c
$(BUILD)/tests/%: tests/%.c $(TESTLIB) tests/check.h tests/fixture.h tests/reviews.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -D_DEFAULT_SOURCE -Isrc -Itests $< $(TEST_EXTRA) $(TESTLIB) $(LIB) $(LDFLAGS) $(LDLIBS) -o $@
# The plotter is the CLI's (tools/), not the library's.
$(BUILD)/tests/tools/test_plot: TEST_EXTRA := tools/plot.c
$(BUILD)/tests/tools/test_plot: tools/plot.c tools/plot.h
$(BUILD)/tests/tools/test_memtask: TEST_EXTRA := tools/memtask.c
$(BUILD)/tests/tools/test_memtask: tools/memtask.c tools/memtask.h

$(BUILD)/examples/%: examples/c/%.c $(LIB) include/rnnc.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

check: deps $(TESTS) $(BIN) $(EXAMPLES)
	@RNNC_SAN=$(SAN) RNNC_NUM_THREADS=$${RNNC_NUM_THREADS:-1} tests/run.sh $(BUILD) $(TESTS) tests/tools/test_cli.sh tests/tools/test_arrays.sh tests/tools/test_errors.sh tests/tools/test_gradcheck.sh tests/tools/test_gradflow.sh tests/tools/test_crash.sh tests/tools/test_lock.sh tests/tools/test_install.sh tests/tools/test_examples.sh tests/tools/test_dlclose.sh tests/tools/test_get_data.sh tests/test_layers.sh

# Every C file laid out as .clang-format says (needs clang-format: scripts/install-deps.sh clang-format).
FORMAT_FILES := $(wildcard src/*/*.[ch] include/*.h include/rnnc/*.h tools/*.[ch] tests/*.[ch] tests/*/*.c bench/*.[ch] examples/c/*.c)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files as .clang-format lays them out"

demo: deps $(BIN)
	@RNNC=$(BIN) scripts/demo.sh $(if $(FULL),--full)

clean:
	rm -rf build build-san

# ---- install ----
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
.PHONY: install uninstall
$(BUILD)/rnnc.pc: scripts/rnnc.pc.in include/rnnc/core.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' $< > $@
install: $(LIB) $(SO) $(BIN) $(BUILD)/rnnc.pc
	install -d $(DESTDIR)$(INCDIR)/rnnc $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1
	install -m 644 include/rnnc.h $(DESTDIR)$(INCDIR)/
	install -m 644 include/rnnc/*.h $(DESTDIR)$(INCDIR)/rnnc/
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SO)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/librnnc.so
	install -m 644 $(BUILD)/rnnc.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/
	install -m 644 docs/rnnc.1 $(DESTDIR)$(MANDIR)/man1/
uninstall:
	rm -f $(DESTDIR)$(INCDIR)/rnnc.h $(addprefix $(DESTDIR)$(INCDIR)/rnnc/,$(notdir $(wildcard include/rnnc/*.h)))
	-rmdir $(DESTDIR)$(INCDIR)/rnnc
	rm -f $(DESTDIR)$(LIBDIR)/librnnc.a $(DESTDIR)$(LIBDIR)/librnnc.so* $(DESTDIR)$(LIBDIR)/pkgconfig/rnnc.pc
	rm -f $(DESTDIR)$(BINDIR)/rnnc $(DESTDIR)$(MANDIR)/man1/rnnc.1

# Fuzzing (docs/fuzzing.md; needs clang and libclang-rt-14-dev: scripts/install-fuzz-deps.sh).
#   make fuzz [FUZZ_SECONDS=60]  builds build-fuzz/ with libFuzzer + ASan + UBSan and runs every
#   target in tests/fuzz/ for FUZZ_SECONDS each on a copy of its seed corpus; a crash fails.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build-fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(WARN) -g -O1 $(FUZZ_SAN)
FUZZ_OBJ := $(patsubst src/%.c,$(FUZZ_BUILD)/obj/%.o,$(wildcard src/*/*.c))
# the double twins of the layer and model code, as in the library
FUZZ_OBJ64 := $(patsubst src/%.c,$(FUZZ_BUILD)/f64/%.o,$(GENERIC))
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))
# Longest input per target: model files and archives are larger than config or text.
FUZZ_MAX_LEN_npz := 65536
FUZZ_MAX_LEN_safetensors := 65536
FUZZ_MAX_LEN_aclimdb := 65536
FUZZ_MAX_LEN_textset := 16384
FUZZ_MAX_LEN_trainconfig := 8192
FUZZ_MAX_LEN_config := 8192
FUZZ_MAX_LEN_text := 8192
FUZZ_MAX_LEN_forecaster := 65536
FUZZ_MAX_LEN_lm := 65536
FUZZ_MAX_LEN_checkpoint := 65536
FUZZ_MAX_LEN_bleu := 4096

.PHONY: fuzz fuzz-build fuzz-clean
$(FUZZ_BUILD)/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_BUILD)/f64/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -DRNNC_REAL_F64 -c $< -o $@
$(FUZZ_BUILD)/librnnc-fuzz.a: $(FUZZ_OBJ) $(FUZZ_OBJ64)
	@rm -f $@
	ar rcs $@ $^
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h tests/fuzz/textset_check.h $(FUZZ_BUILD)/librnnc-fuzz.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_BUILD)/librnnc-fuzz.a $(LDLIBS) -o $@
fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(foreach t,$(FUZZ_TARGETS),$(t):$(or $(FUZZ_MAX_LEN_$(t)),4096))
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
# The regression test compiles the fuzz targets in (tests/fuzz/test_fuzz_regress.c).
$(BUILD)/tests/fuzz/test_fuzz_regress: $(wildcard tests/fuzz/*.c tests/fuzz/*.h)
