# annovet: one binary, a C host embedding Lua 5.4 with its Lua library inside.
# Targets: all (./annovet), deps, demo, test, bench, clean.  `make SAN=1` adds ASan/UBSan.

PKGS    := lua5.4 sqlite3 libcjson expat libpng libsodium yaml-0.1
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith
CPPFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -pthread $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread

ifeq ($(SAN),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

SRC := \
	host/main.c \
	host/l_annovet.c \
	host/l_sandbox.c \
	host/l_json.c \
	host/l_store.c \
	host/l_model.c \
	host/l_util.c \
	host/l_geom.c \
	host/l_geom_mask.c \
	host/l_cocoeval.c \
	host/err.c \
	host/numfmt.c \
	host/utf8.c \
	host/hash.c \
	host/store.c \
	host/model.c \
	host/formats.c \
	host/rle.c \
	host/match.c \
	host/l_match.c \
	host/agreement.c \
	host/agree_boot.c \
	host/agree_data.c \
	host/agree_csv.c \
	host/l_agree.c \
	host/geometry.c \
	host/geometry_ext.c \
	host/cocoeval.c \
	host/coco_input.c \
	host/model_ops.c \
	host/jread.c \
	host/jwrite.c \
	host/jnum.c \
	host/fmt_coco.c \
	host/fmt_coco_ann.c \
	host/fmt_coco_write.c \
	host/lsbrush.c \
	host/fmt_labelstudio.c \
	host/fmt_labelstudio_write.c \
	host/fmt_csv.c \
	host/compare.c \
	host/compare_shape.c \
	host/compare_item.c \
	host/compare_sem.c \
	host/compare_run.c \
	host/compare_agree.c \
	host/l_compare.c \
	host/l_compare_par.c \
	host/l_compare_agree.c \
	host/csvout.c \
	host/l_csv.c \
	host/parallel.c \
	host/fio.c \
	host/xmlio.c \
	host/imgsize.c \
	host/labelmap.c \
	host/pngmask.c \
	host/labelimg.c \
	host/fmt_voc.c \
	host/voc_write.c \
	host/fmt_cvat.c \
	host/cvat_write.c \
	host/cvat_util.c \
	host/fmt_yolo.c \
	host/yolo_lists.c \
	host/yolo_write.c \
	host/fmt_pngmask.c \
	build/embed.c \
	build/version.c

OBJ := $(patsubst %.c,build/%.o,$(notdir $(SRC)))
LUA := $(shell find lua scorecards pricing reports -name '*.lua' -o -name '*.html' -o -name '*.css' 2>/dev/null | LC_ALL=C sort)

# Debian packages the build, tests, demo and benchmarks need.
DEBS := build-essential pkg-config lua5.4 liblua5.4-dev libcjson-dev libsqlite3-dev \
	libcsv-dev lua-busted libexpat1-dev libpng-dev libsodium-dev libyaml-dev sqlite3 time

.PHONY: all deps demo test bench memcheck clean FORCE
all: annovet

annovet: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

build/%.o: host/%.c | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

build/%.o: build/%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -Ihost -c -o $@ $<

build/embed.c: tools/embed.sh $(LUA) | build
	sh tools/embed.sh $(LUA) > $@.tmp && mv $@.tmp $@

# The commit is re-read on every build; version.c changes only when it does.
build/version.c: FORCE | build
	@v=$$(sed -n 's/^VERSION *:= *//p' VERSION.mk); \
	c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	git diff --quiet HEAD -- 2>/dev/null || c="$$c+dirty"; \
	printf 'const char annovet_version[] = "%s";\nconst char annovet_commit[] = "%s";\n' "$$v" "$$c" > $@.tmp; \
	cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

build:
	mkdir -p build

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
	rm -rf build annovet

-include $(OBJ:.o=.d)

# The test suite under valgrind: any leak or memory error fails the test that saw it.
memcheck:
	$(MAKE) --no-print-directory deps DEBS="$(DEBS) valgrind"
	$(MAKE) --no-print-directory annovet
	ANNOVET="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 $(CURDIR)/annovet" sh tests/run.sh
