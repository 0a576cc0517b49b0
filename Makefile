# footprint — one hand-written Makefile.
#   make            build build/footprint and build/libfootprint.a
#   make deps       install missing Debian packages (idempotent, silent when complete)
#   make demo       deps + build + `footprint run` on the embedded default into output/
#   make check      deps + build + every test; last line "N passed, N failed"
#   make check SAN=1  the same under ASan+UBSan (separate build dir; leaks fail)
#   make bench      benchmarks against the established tools (see bench/README.md)
#   make clean

SHELL   := /bin/bash
CC      ?= cc
SAN     ?=
PKGS    := gdal spatialite geos proj sqlite3 glib-2.0 jansson libxml-2.0 cairo fontconfig libpng libprotobuf-c libwebp zlib

DEB_PACKAGES := build-essential pkg-config gdal-bin libgdal-dev libspatialite-dev \
  libsqlite3-mod-spatialite spatialite-bin libsqlite3-dev sqlite3 libgeos-dev \
  libproj-dev proj-bin libcairo2-dev libjansson-dev libcmocka-dev libunistring-dev \
  libglib2.0-dev libxml2-dev python3 valgrind chromium libjs-leaflet fonts-dejavu-core poppler-utils python3-pil \
  libprotobuf-c-dev protobuf-c-compiler libwebp-dev zlib1g-dev curl

ifeq ($(SAN),1)
BUILD   := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD   := build
SANFLAGS :=
endif

# pkg-config is only asked when building, so `make deps` works before it exists.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lgeos_c -lunistring -lm

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wshadow \
           -Iinclude -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) $(SANFLAGS) \
           -DFP_DATADIR='"$(CURDIR)/geodata"' -DFP_STYLEDIR='"$(CURDIR)/styles"'
LDFLAGS += $(SANFLAGS)

LIB_SRC := $(sort $(wildcard src/common/*.c src/store/*.c src/ingest/*.c src/geocode/*.c src/aggregate/*.c src/style/*.c src/export/*.c src/render/*.c src/tiles/*.c src/serve/*.c))
# Vector tiles: the protobuf-c code generated from the MVT 2.1 schema.
PROTO_C := $(BUILD)/gen/vector_tile.pb-c.c
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/vector_tile.pb-c.o
CLI_SRC := $(wildcard src/cli/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo check bench clean unit
all: $(BUILD)/footprint $(BUILD)/libfootprint.a

$(BUILD)/%.o: %.c $(wildcard include/*.h) $(wildcard src/*/*.h) $(PROTO_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(PROTO_C): src/tiles/vector_tile.proto
	@mkdir -p $(dir $@)
	protoc-c --c_out=$(BUILD)/gen --proto_path=src/tiles $<

$(BUILD)/gen/vector_tile.pb-c.o: $(PROTO_C)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libfootprint.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/footprint: $(CLI_OBJ) $(BUILD)/libfootprint.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libfootprint.a $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfootprint.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libfootprint.a $(PKG_LIBS) -lcmocka

$(BUILD)/footprint-csvbench: bench/csvbench.c $(BUILD)/libfootprint.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libfootprint.a $(PKG_LIBS)

unit: $(UNIT_BIN)

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "make deps: installing" $$missing; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

demo: deps
	$(MAKE) --no-print-directory all
	./$(BUILD)/footprint run

check: deps
	$(MAKE) --no-print-directory all unit
	@BUILD=$(BUILD) SAN=$(SAN) tests/run.sh

bench: deps
	$(MAKE) --no-print-directory all $(BUILD)/footprint-csvbench
	@BUILD=$(BUILD) bench/run.sh

clean:
	rm -rf build build-san
