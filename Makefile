# annovet: one binary, a C host embedding Lua 5.4 with its Lua library inside.
# Targets: all (./annovet), deps, demo, test, bench, memcheck, test-asan, fuzz,
# fuzz-regress, clean.  `make SAN=1` adds ASan/UBSan.
#
# The host is built in layers (see README, "Where things are"). Each layer has its
# own source list and its own include path, and only the layers allowed to know Lua
# or SQLite see their headers: the others get host/guard/, whose lua.h and
# sqlite3.h are #error lines, so a core or format file that includes them does not
# compile.

CC      ?= cc
# Where objects go and the binary's name: test-asan builds build-san/ and
# ./annovet-san with them, beside the normal build.
BUILD   ?= build
BIN     ?= annovet
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith
CPPFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -pthread

ifeq ($(SAN),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

# pkg-config name : the Debian package that provides it.
PKG_DEBS := lua5.4:liblua5.4-dev sqlite3:libsqlite3-dev libcjson:libcjson-dev expat:libexpat1-dev \
	libpng:libpng-dev libsodium:libsodium-dev libcrypto:libssl-dev yaml-0.1:libyaml-dev
pkg = $(shell pkg-config $(1) $(2) 2>/dev/null)

# ---- the layers, bottom up ----
# util: errors, number text, UTF-8, hashing, threads; knows nothing above it.
UTIL_SRC := $(addprefix host/util/, err.c numfmt.c utf8.c hash.c merkle.c sign.c parallel.c confine.c rng.c)
# core: the model, geometry, RLE, matching, agreement, cocoeval, compare; plain C.
CORE_SRC := $(addprefix host/core/, model.c model_ops.c geometry.c geometry_ext.c rle.c \
	match.c agree.c agree_boot.c agree_data.c cocoeval.c cocoeval_input.c \
	compare.c compare_shape.c compare_item.c compare_semantic.c compare_run.c \
	compare_clusters.c compare_boot.c compare_sizes.c money.c)
# formats: every reader and writer and their JSON, XML, CSV, PNG helpers.
FORMATS_SRC := $(addprefix host/formats/, formats.c fields.c folder.c staged.c geomcheck.c \
	json_read.c json_write.c json_number.c xmlio.c csvout.c image_size.c \
	coco_read.c coco_read_ann.c coco_write.c \
	labelstudio_read.c labelstudio_write.c labelstudio_brush.c csv_tags.c \
	cvat_read.c cvat_write.c cvat_skeleton_mask.c voc_read.c voc_write.c \
	yolo_read.c yolo_lists.c yolo_write.c \
	pngmask.c pngmask_read.c labelimg.c labelmap.c reliability_csv.c csv_table.c)
# store: the only C that includes sqlite3.h.
STORE_SRC := host/store/store.c
# bind: the only C that touches the Lua stack, one file per module.
BIND_SRC := $(addprefix host/bind/, l_annovet.c l_sandbox.c l_util.c l_json.c l_csv.c \
	l_store.c l_model.c l_geom.c l_geom_mask.c l_match.c l_agree.c l_cocoeval.c \
	l_compare.c l_compare_par.c l_compare_agree.c l_compare_stats.c l_money.c l_crypto.c)
MAIN_SRC := host/main.c

NO_LUA    := -Ihost/guard/lua
NO_SQLITE := -Ihost/guard/sqlite
UTIL_INC    := $(NO_LUA) $(NO_SQLITE) -Ihost/util
CORE_INC    := $(NO_LUA) $(NO_SQLITE) -Ihost/core -Ihost/util
FORMATS_INC := $(NO_LUA) $(NO_SQLITE) -Ihost/formats -Ihost/core -Ihost/util \
	$(call pkg,--cflags,libcjson expat libpng yaml-0.1)
STORE_INC   := $(NO_LUA) -Ihost/store -Ihost/util $(call pkg,--cflags,sqlite3)
BIND_INC    := $(NO_SQLITE) -Ihost/bind -Ihost/store -Ihost/formats -Ihost/core -Ihost/util \
	$(call pkg,--cflags,lua5.4 libcjson)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
UTIL_O    := $(call obj,$(UTIL_SRC))
CORE_O    := $(call obj,$(CORE_SRC))
FORMATS_O := $(call obj,$(FORMATS_SRC))
STORE_O   := $(call obj,$(STORE_SRC))
BIND_O    := $(call obj,$(BIND_SRC) $(MAIN_SRC))
GEN_O     := $(BUILD)/embed.o $(BUILD)/version.o
OBJ := $(UTIL_O) $(CORE_O) $(FORMATS_O) $(STORE_O) $(BIND_O) $(GEN_O)

LDLIBS += $(call pkg,--libs,lua5.4 sqlite3 libcjson expat libpng libsodium libcrypto yaml-0.1) -lcsv -lm -pthread

$(UTIL_O):    LAYER_INC := $(UTIL_INC)
$(CORE_O):    LAYER_INC := $(CORE_INC)
$(FORMATS_O): LAYER_INC := $(FORMATS_INC)
$(STORE_O):   LAYER_INC := $(STORE_INC)
$(BIND_O):    LAYER_INC := $(BIND_INC)
$(GEN_O):     LAYER_INC := $(UTIL_INC)

# The files compiled into the binary (tools/embed.sh): the Lua library, and the
# bundled scorecards, rate cards, cost models and report templates.
EMBED_FILES := $(shell find lua scorecards pricing reports -type f \( -name '*.lua' -o -name '*.csv' \
	-o -name '*.html' -o -name '*.css' \) 2>/dev/null | LC_ALL=C sort)

# Debian packages the build, tests, demo and benchmarks need.
DEBS := build-essential pkg-config lua5.4 liblua5.4-dev libcjson-dev libsqlite3-dev \
	libcsv-dev lua-busted libexpat1-dev libpng-dev libsodium-dev libssl-dev libyaml-dev sqlite3 time \
	chromium

.PHONY: all deps demo test bench memcheck test-asan fuzz fuzz-build fuzz-regress clean pkgcheck check-layers FORCE
all: $(BIN)

$(BIN): $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

$(OBJ): | pkgcheck

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(LAYER_INC) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(BUILD)/%.o: $(BUILD)/%.c
	$(CC) $(CPPFLAGS) $(LAYER_INC) $(CFLAGS) -c -o $@ $<

# Says which library is missing, before the compiler says "lua.h: No such file".
pkgcheck:
	@for pd in $(PKG_DEBS); do p=$${pd%%:*}; d=$${pd#*:}; \
	  pkg-config --exists $$p 2>/dev/null || { echo "make: pkg-config does not know $$p: install the Debian package $$d (make deps does)" >&2; exit 1; }; \
	done; \
	[ -f /usr/include/csv.h ] || { echo "make: csv.h is missing: install the Debian package libcsv-dev (make deps does)" >&2; exit 1; }

# The list of embedded files is kept in build/embed.list, rewritten only when it
# changes, so adding or deleting a file rebuilds build/embed.c as editing one does.
$(BUILD)/embed.list: FORCE | $(BUILD)
	@printf '%s\n' $(EMBED_FILES) > $@.tmp; cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(BUILD)/embed.c: tools/embed.sh $(BUILD)/embed.list $(EMBED_FILES)
	sh tools/embed.sh $(EMBED_FILES) > $@.tmp && mv $@.tmp $@

# The commit is re-read on every build; version.c changes only when it does.
$(BUILD)/version.c: FORCE | $(BUILD)
	@v=$$(sed -n 's/^VERSION *:= *//p' VERSION.mk); \
	c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	git diff --quiet HEAD -- 2>/dev/null || c="$$c+dirty"; \
	printf 'const char annovet_version[] = "%s";\nconst char annovet_commit[] = "%s";\n' "$$v" "$$c" > $@.tmp; \
	cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(BUILD):
	mkdir -p $(BUILD)

# Proves the guards: a probe that includes lua.h (or sqlite3.h) fails to compile
# with the include path of every layer that may not see it, and compiles with the
# one that may.
probe = printf '\#include <%s>\nint probe;\n' $(1) | $(CC) $(CPPFLAGS) $(2) -fsyntax-only -x c - 2>/dev/null
check-layers: | pkgcheck
	@for l in "util:$(UTIL_INC)" "core:$(CORE_INC)" "formats:$(FORMATS_INC)" "store:$(STORE_INC)"; do \
	  if $(call probe,lua.h,$${l#*:}); then echo "check-layers: $${l%%:*} can include lua.h" >&2; exit 1; fi; \
	done; \
	for l in "util:$(UTIL_INC)" "core:$(CORE_INC)" "formats:$(FORMATS_INC)" "bind:$(BIND_INC)"; do \
	  if $(call probe,sqlite3.h,$${l#*:}); then echo "check-layers: $${l%%:*} can include sqlite3.h" >&2; exit 1; fi; \
	done; \
	$(call probe,lua.h,$(BIND_INC)) || { echo "check-layers: bind cannot include lua.h" >&2; exit 1; }; \
	$(call probe,sqlite3.h,$(STORE_INC)) || { echo "check-layers: store cannot include sqlite3.h" >&2; exit 1; }; \
	echo "check-layers: lua.h only in bind/ (and main.c), sqlite3.h only in store/"

deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then s=; else s=sudo; fi; \
	  $$s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: deps
	$(MAKE) --no-print-directory annovet
	sh examples/demo.sh

test: deps
	$(MAKE) --no-print-directory annovet
	sh tests/run.sh

bench: deps
	$(MAKE) --no-print-directory annovet
	sh bench/run.sh

clean:
	rm -rf build annovet build-san annovet-san build-fuzz

-include $(OBJ:.o=.d)

# The test suite under valgrind: any leak or memory error fails the test that saw it.
memcheck:
	$(MAKE) --no-print-directory deps DEBS="$(DEBS) valgrind"
	$(MAKE) --no-print-directory annovet
	ANNOVET="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 $(CURDIR)/annovet" sh tests/run.sh

# The test suite against ./annovet-san, built with ASan and UBSan in build-san/
# (the normal build is left alone): any report aborts the run and fails its test.
test-asan: deps
	$(MAKE) --no-print-directory SAN=1 BUILD=build-san BIN=annovet-san annovet-san
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ANNOVET="$(CURDIR)/annovet-san" sh tests/run.sh

# ---- fuzzing (fuzz/README.md) ----
# One libFuzzer target per reader, linked against util, core and formats only:
# no Lua, no SQLite, which the fuzz build proves. `make fuzz` runs each for
# FUZZ_TIME seconds on its seeds and prints executions and coverage;
# `make fuzz-regress` replays every input a crash was found with.
FUZZ_CC      ?= clang-14
FUZZ_TIME    ?= 60
FUZZ_TARGETS ?= coco voc yolo cvat labelstudio csv_tags pngmask rle csv_table
FUZZ_DEBS    := clang-14 libfuzzer-14-dev
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
fobj = $(patsubst %.c,build-fuzz/%.o,$(1))
FUZZ_UTIL_O    := $(call fobj,$(UTIL_SRC))
FUZZ_CORE_O    := $(call fobj,$(CORE_SRC))
FUZZ_FORMATS_O := $(call fobj,$(FORMATS_SRC))
FUZZ_OWN_O     := $(call fobj,fuzz/fuzz.c $(patsubst %,fuzz/fuzz_%.c,$(FUZZ_TARGETS)))
FUZZ_LIB_O     := $(FUZZ_UTIL_O) $(FUZZ_CORE_O) $(FUZZ_FORMATS_O) build-fuzz/fuzz/fuzz.o
FUZZ_BIN       := $(patsubst %,build-fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_LDLIBS    := $(call pkg,--libs,libcjson expat libpng libsodium libcrypto yaml-0.1 zlib) -lcsv -lm -pthread

$(FUZZ_UTIL_O):    LAYER_INC := $(UTIL_INC)
$(FUZZ_CORE_O):    LAYER_INC := $(CORE_INC)
$(FUZZ_FORMATS_O): LAYER_INC := $(FORMATS_INC)
$(FUZZ_OWN_O):     LAYER_INC := $(FORMATS_INC) -Ifuzz

build-fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(LAYER_INC) $(FUZZ_CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

build-fuzz/fuzz_%: build-fuzz/fuzz/fuzz_%.o $(FUZZ_LIB_O)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

fuzz-build:
	$(MAKE) --no-print-directory deps DEBS="$(DEBS) $(FUZZ_DEBS)"
	$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: fuzz-build
	sh fuzz/run.sh $(FUZZ_TIME) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	sh fuzz/regress.sh $(FUZZ_TARGETS)

-include $(FUZZ_UTIL_O:.o=.d) $(FUZZ_CORE_O:.o=.d) $(FUZZ_FORMATS_O:.o=.d) $(FUZZ_OWN_O:.o=.d)
