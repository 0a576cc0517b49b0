# footprint — one hand-written Makefile.
#   make            build build/footprint and build/libfootprint.a
#   make deps       install missing Debian packages (idempotent, silent when complete)
#   make demo       deps + build + `footprint run` on the embedded default into output/
#   make check      deps + build + every test; last line "N passed, N failed"
#   make check SAN=1  the same under ASan+UBSan (separate build dir; leaks fail)
#   make check T=export[,cli,...]  only those tests (a suite tests/e2e/test_NAME.sh
#                   and/or a unit test tests/unit/test_NAME.c; e2e/NAME, unit/NAME)
#   make bench      benchmarks against the established tools (see bench/README.md)
#   make clean

SHELL   := /bin/bash
CC      ?= cc
SAN     ?=
PKGS    := gdal spatialite geos proj sqlite3 libpq libcrypto glib-2.0 jansson libxml-2.0 cairo pangocairo fontconfig libpng libprotobuf-c libwebp zlib minizip

DEB_PACKAGES := build-essential pkg-config gdal-bin libgdal-dev libspatialite-dev \
  libsqlite3-mod-spatialite spatialite-bin libsqlite3-dev sqlite3 libgeos-dev \
  libproj-dev proj-bin libcairo2-dev libpango1.0-dev libjansson-dev libcmocka-dev libunistring-dev \
  libglib2.0-dev libxml2-dev libminizip-dev python3 valgrind chromium libjs-leaflet fonts-dejavu-core fonts-wqy-microhei poppler-utils python3-pil python3-gdal \
  libprotobuf-c-dev protobuf-c-compiler libwebp-dev zlib1g-dev libgeotiff-dev libtiff-dev curl python3-websocket clang libclang-rt-14-dev \
  qgis python3-qgis libreoffice-calc-nogui nodejs iso-codes \
  libpq-dev libssl-dev postgresql-15 postgresql-15-postgis-3 time

# What an installed footprint needs at run time on Debian 12 (`make install`
# on a server, README "Installing for a team"): the packages of the libraries
# the program links (objdump -p: NEEDED; the sanitizers' build names four more,
# freetype, harfbuzz, freexl, rttopo, which the others need anyway), GDAL (loaded when first used, so no
# NEEDED entry and dpkg-shlibdeps cannot see it), Leaflet (the raster tiles'
# preview copies it) and the fonts maps are drawn in. test_install.sh checks
# it against the program's NEEDED entries. `make runtime-deps` installs them.
DEB_RUNTIME := libgdal32 libspatialite7 libgeos-c1v5 libproj25 libsqlite3-0 libpq5 libssl3 libjansson4 libxml2 \
  libpango-1.0-0 libpangocairo-1.0-0 libglib2.0-0 libcairo2 libfontconfig1 libpng16-16 libprotobuf-c1 libwebp7 zlib1g \
  libminizip1 libunistring2 libgeotiff5 libtiff6 libc6 libfreetype6 libharfbuzz0b libfreexl1 librttopo1 \
  libjs-leaflet fonts-dejavu-core fonts-wqy-microhei

ifeq ($(SAN),1)
BUILD   := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# The build runs its program once (build-san/prepared): the tests' settings.
RUN_ENV := ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
else
BUILD   := build
SANFLAGS :=
RUN_ENV :=
endif

# pkg-config is only asked when building, so `make deps` works before it exists.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# footprint does not link GDAL: it loads it on first use (src/common/gdal_api.h
# says why). GDAL_LIBS is for the programs that call GDAL themselves: the fuzz
# harnesses and their replays (fuzz_wkt calls OGR's WKT reader directly).
PKG_LIBS   = $(shell pkg-config --libs $(filter-out gdal,$(PKGS)) 2>/dev/null) -lgeos_c -lunistring -lgeotiff -ltiff -lm
GDAL_LIBS  = $(shell pkg-config --libs gdal 2>/dev/null)
GDAL_SONAME := $(shell objdump -p "$$($(CC) -print-file-name=libgdal.so 2>/dev/null)" 2>/dev/null | awk '$$1 == "SONAME" {print $$2}')

# CFLAGS, CPPFLAGS and LDFLAGS are the user's (`make CFLAGS='-O2 -g' CPPFLAGS=-D_FORTIFY_SOURCE=2`,
# as dpkg-buildflags gives them): what the build needs is in FP_CFLAGS, kept
# apart so that setting them on the command line does not drop it (GNU
# coding standards, "Variables for Specifying Commands").
CFLAGS  ?= -O2 -g
FP_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wshadow \
           -Iinclude -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) $(SANFLAGS) \
           -DFP_DATADIR='"$(CURDIR)/geodata"' -DFP_STYLEDIR='"$(CURDIR)/styles"' -DFP_WEBDIR='"$(CURDIR)/web"' \
           -DFP_PREPAREDDIR='"$(CURDIR)/$(BUILD)/prepared"' -DFP_GDAL_SONAME='"$(or $(GDAL_SONAME),libgdal.so)"'
ALL_CFLAGS = $(CPPFLAGS) $(FP_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard src/common/*.c src/geom/*.c src/store/*.c src/ingest/*.c src/geocode/*.c src/aggregate/*.c src/style/*.c src/export/*.c src/render/*.c src/tiles/*.c src/serve/*.c src/qa/*.c src/diff/*.c))
# Vector tiles: the protobuf-c code generated from the MVT 2.1 schema.
PROTO_C := $(BUILD)/gen/vector_tile.pb-c.c
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/vector_tile.pb-c.o
# The program: the CLI and the run layer above the library (src/run/:
# `footprint run` and the summaries printed; the library prints nothing).
CLI_SRC := $(wildcard src/cli/*.c src/run/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo check bench clean unit
all: $(BUILD)/footprint $(BUILD)/libfootprint.a $(BUILD)/prepared/done

# Each object depends on the headers it really includes: the compiler writes
# them to a .d file next to the object (-MMD; -MP adds an empty rule per
# header so a deleted header does not break the build), included below. The
# generated protobuf header must exist before the first compile, when there
# are no .d files yet: an order-only prerequisite, not a rebuild trigger.
DEPFLAGS = -MMD -MP
$(BUILD)/%.o: %.c | $(PROTO_C)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

# The commit the program is built from, for `footprint --version` and the
# outputs' stamps (src/common/version.c): `git describe --always --dirty` when
# this folder is a git checkout's top (a short commit id, "-dirty" with
# uncommitted changes), else "no git" (a tarball; git missing). Asked on every
# make (FORCE) but the header is rewritten only when the text changes, so an
# unchanged commit rebuilds nothing and a new one recompiles version.c alone
# (then the library and the program are relinked).
FP_GIT_COMMIT = $(shell top=$$(git -C "$(CURDIR)" rev-parse --show-toplevel 2>/dev/null) && \
                  [ "$$top" -ef "$(CURDIR)" ] && git -C "$(CURDIR)" describe --always --dirty 2>/dev/null || echo "no git")
%/gen/fp_build_commit.h: FORCE
	@mkdir -p $(dir $@)
	@printf '/* Generated by the Makefile: the commit this build is made from. */\n#define FP_BUILD_COMMIT "%s"\n' \
	    "$(FP_GIT_COMMIT)" > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/src/common/version.o: $(BUILD)/gen/fp_build_commit.h
.PHONY: FORCE
FORCE:

$(PROTO_C): src/tiles/vector_tile.proto
	@mkdir -p $(dir $@)
	protoc-c --c_out=$(BUILD)/gen --proto_path=src/tiles $<

$(BUILD)/gen/vector_tile.pb-c.o: $(PROTO_C)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/libfootprint.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/footprint: $(CLI_OBJ) $(BUILD)/libfootprint.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libfootprint.a $(PKG_LIBS)

# What `init` computes for the default regions (geodesic areas, subregion and
# continent unions: 0.6 s of a first init's 1 s), computed once here by the
# program just built and read by every init of those regions on this machine
# (FOOTPRINT_PREPARED; src/aggregate/region_cache.c). Made in a temporary
# folder and renamed: an interrupted build leaves no half entry.
# The parsed gazetteer too (gazetteer-KEY.bin, 52 MB, src/geocode/gazetteer_cache.c),
# made by geocoding one row: every geocode reads it from here instead of each
# user's cache keeping a copy of its own (a shared server's twenty analysts:
# a gigabyte).
$(BUILD)/prepared/done: $(BUILD)/footprint geodata/regions.gpkg geodata/gazetteer.tsv.gz
	@rm -rf $(BUILD)/prepared $(BUILD)/prepared.tmp && mkdir -p $(BUILD)/prepared.tmp
	@env -u FOOTPRINT_DATA -u FOOTPRINT_TIMING -u FOOTPRINT_TEST_PAUSE_AT -u FOOTPRINT_TEST_RESUME_FILE \
	    $(RUN_ENV) FOOTPRINT_CACHE=$(BUILD)/prepared.tmp FOOTPRINT_PREPARED=off \
	    $(BUILD)/footprint --quiet --db $(BUILD)/prepared.tmp/init.sqlite init --regions geodata/regions.gpkg
	@printf 'id,company,category,place,country\nP1,footprint,build,Nairobi,KEN\n' > $(BUILD)/prepared.tmp/one.csv
	@env -u FOOTPRINT_DATA -u FOOTPRINT_TIMING -u FOOTPRINT_TEST_PAUSE_AT -u FOOTPRINT_TEST_RESUME_FILE \
	    $(RUN_ENV) FOOTPRINT_CACHE=$(BUILD)/prepared.tmp FOOTPRINT_PREPARED=off sh -c \
	    '$(BUILD)/footprint --quiet --db $(BUILD)/prepared.tmp/init.sqlite import $(BUILD)/prepared.tmp/one.csv >/dev/null && \
	     $(BUILD)/footprint --quiet --db $(BUILD)/prepared.tmp/init.sqlite geocode >/dev/null'
	@ls $(BUILD)/prepared.tmp/gazetteer-*.bin >/dev/null
	@rm -f $(BUILD)/prepared.tmp/init.sqlite* $(BUILD)/prepared.tmp/one.csv && touch $(BUILD)/prepared.tmp/done
	@mv $(BUILD)/prepared.tmp $(BUILD)/prepared

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfootprint.a | $(PROTO_C)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libfootprint.a $(PKG_LIBS) -lcmocka

$(BUILD)/footprint-csvbench: bench/csvbench.c $(BUILD)/libfootprint.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libfootprint.a $(PKG_LIBS)

unit: $(UNIT_BIN)

# apt_missing TARGET,PACKAGES: installs those of PACKAGES not installed yet
# (silent when none is missing), with sudo unless root.
define apt_missing
	@missing=$$(for p in $(2); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "make $(1): installing" $$missing; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_missing,deps,$(DEB_PACKAGES))
	@# npm packages the tests read outputs with (the pmtiles reader), pinned by
	@# tests/node/package-lock.json; installed here, never while tests run.
	@# (Debian's nodejs has no npm; NodeSource's brings its own, and conflicts with Debian's npm.)
	@command -v npm >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    echo "make deps: installing npm"; DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	@[ -f tests/node/node_modules/pmtiles/package.json ] || \
	    (echo "make deps: npm ci in tests/node" && npm ci --prefix tests/node --no-audit --no-fund --silent)

.PHONY: runtime-deps print-runtime-deps
runtime-deps:
	$(call apt_missing,runtime-deps,$(DEB_RUNTIME))
print-runtime-deps:
	@echo $(DEB_RUNTIME)

demo: deps
	$(MAKE) --no-print-directory -j$(shell nproc) all
	./$(BUILD)/footprint run

check: deps
	$(MAKE) --no-print-directory -j$(shell nproc) all unit
	@BUILD=$(BUILD) SAN=$(SAN) T=$(T) tests/run.sh

bench: deps
	$(MAKE) --no-print-directory all $(BUILD)/footprint-csvbench
	@BUILD=$(BUILD) bench/run.sh

clean:
	rm -rf build build-san

# ---- Installing for a team (GNU coding standards' targets and variables) ---
#   make install [PREFIX=/usr/local] [DESTDIR=/staging]   then the build tree may go
#   make uninstall [PREFIX=...]                            removes exactly those files
# The program, the static library with its headers and a pkg-config file,
# the man page, and the data the program reads at run time in
# $(pkgdatadir): geodata/ (regions, gazetteer, admin-1 names, the sample list,
# with their sources and licences), styles/, web/vendor/ (MapLibre, pmtiles)
# and prepared/ (the default regions' cache entries, so no user's first
# `init` computes them). An installed program finds that folder beside
# itself (PREFIX/bin -> PREFIX/share/footprint, src/cli/main.c), so the
# prefix is not compiled in and a DESTDIR staging can be moved into place;
# with another datadir, FOOTPRINT_DATA/_STYLES/_WEB/_PREPARED name the folders.
# Nothing is written under the prefix at run time (caches: ~/.cache/footprint).
PREFIX     ?= /usr/local
prefix     ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir     ?= $(exec_prefix)/bin
libdir     ?= $(exec_prefix)/lib
includedir ?= $(prefix)/include
datarootdir ?= $(prefix)/share
datadir    ?= $(datarootdir)
mandir     ?= $(datarootdir)/man
docdir     ?= $(datarootdir)/doc/footprint
pkgdatadir  = $(datadir)/footprint
INSTALL    ?= install
GEODATA_FILES := regions.gpkg gazetteer.tsv.gz admin1_names.tsv.gz admin1_iso3166.tsv projects.csv README.md PROJECTS.md
PUBLIC_HEADERS := $(wildcard include/*.h)
FP_VERSION_STRING = $(shell awk 'NF == 3 && $$2 ~ /^FP_VERSION_(MAJOR|MINOR|PATCH)$$/ {v[$$2] = $$3} \
                       END {print v["FP_VERSION_MAJOR"] "." v["FP_VERSION_MINOR"] "." v["FP_VERSION_PATCH"]}' include/fp_version.h)

.PHONY: install uninstall
install: all
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir)/pkgconfig $(DESTDIR)$(includedir)/footprint \
	    $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(docdir) $(DESTDIR)$(pkgdatadir)/geodata $(DESTDIR)$(pkgdatadir)/styles \
	    $(DESTDIR)$(pkgdatadir)/web/vendor/maplibre-gl $(DESTDIR)$(pkgdatadir)/web/vendor/pmtiles $(DESTDIR)$(pkgdatadir)/prepared
	$(INSTALL) -m 755 $(BUILD)/footprint $(DESTDIR)$(bindir)/footprint
	$(INSTALL) -m 644 $(BUILD)/libfootprint.a $(DESTDIR)$(libdir)/libfootprint.a
	$(INSTALL) -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(includedir)/footprint/
	$(INSTALL) -m 644 doc/footprint.1 $(DESTDIR)$(mandir)/man1/footprint.1
	$(INSTALL) -m 644 README.md doc/STYLE.md doc/ROBUSTNESS.md $(DESTDIR)$(docdir)/
	$(INSTALL) -m 644 $(addprefix geodata/,$(GEODATA_FILES)) $(DESTDIR)$(pkgdatadir)/geodata/
	$(INSTALL) -m 644 styles/*.json $(DESTDIR)$(pkgdatadir)/styles/
	$(INSTALL) -m 644 web/vendor/maplibre-gl/* $(DESTDIR)$(pkgdatadir)/web/vendor/maplibre-gl/
	$(INSTALL) -m 644 web/vendor/pmtiles/* $(DESTDIR)$(pkgdatadir)/web/vendor/pmtiles/
	$(INSTALL) -m 644 $(BUILD)/prepared/* $(DESTDIR)$(pkgdatadir)/prepared/
	@# pkg-config: only a static library is shipped, so the libraries it needs
	@# are in Requires and Libs (not .private): `pkg-config --libs footprint` links.
	@printf '%s\n' 'prefix=$(prefix)' 'exec_prefix=$(exec_prefix)' 'libdir=$(libdir)' \
	    'includedir=$(includedir)' 'pkgdatadir=$(pkgdatadir)' '' 'Name: footprint' \
	    'Description: geocoded project locations: store, aggregate, export, render, tiles (static library)' \
	    'Version: $(FP_VERSION_STRING)' 'URL: file://$(docdir)/README.md' \
	    'Requires: $(filter-out gdal,$(PKGS))' \
	    'Libs: -L$${libdir} -lfootprint -lgeos_c -lunistring -lgeotiff -ltiff -lm -lpthread' \
	    'Cflags: -I$${includedir}/footprint' > $(DESTDIR)$(libdir)/pkgconfig/footprint.pc
	@chmod 644 $(DESTDIR)$(libdir)/pkgconfig/footprint.pc
	@echo "installed footprint $(FP_VERSION_STRING) under $(DESTDIR)$(prefix) (data: $(pkgdatadir))"

uninstall:
	rm -f $(DESTDIR)$(bindir)/footprint $(DESTDIR)$(libdir)/libfootprint.a $(DESTDIR)$(libdir)/pkgconfig/footprint.pc \
	    $(DESTDIR)$(mandir)/man1/footprint.1
	rm -rf $(DESTDIR)$(includedir)/footprint $(DESTDIR)$(pkgdatadir) $(DESTDIR)$(docdir)

# ---- Robustness (issue 7): fuzzing and valgrind ---------------------------
#   make fuzz       builds the libFuzzer harnesses of tests/fuzz/ with clang
#                   (ASan + UBSan) in build-fuzz/ and runs each for
#                   FUZZ_SECONDS (default 30); prints executions per harness
#                   and fails if one crashed (the input is in build-fuzz/artifacts/).
#   make valgrind   a representative subset of the end-to-end tests with the
#                   footprint binary under valgrind (leaks and errors fail).
# The harnesses are also built with the normal compiler as replay programs
# ($(BUILD)/fuzz/replay_NAME, part of `make unit`), which
# tests/e2e/test_fuzz_regressions.sh runs on the seed corpus and every
# crash regression.
FUZZ_BUILD   := build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wno-unused-parameter -Iinclude -Isrc -I$(FUZZ_BUILD)/gen \
                $(PKG_CFLAGS) -DFP_DATADIR='"$(CURDIR)/geodata"' -DFP_STYLEDIR='"$(CURDIR)/styles"' -DFP_WEBDIR='"$(CURDIR)/web"' \
                -DFP_GDAL_SONAME='"$(or $(GDAL_SONAME),libgdal.so)"'
# The serve harness links only once src/serve implements the parser.
FUZZ_HAVE_SERVE := $(shell grep -ls 'fp_http_parse_request' src/serve/*.c 2>/dev/null)
FUZZ_NAMES   := $(filter-out $(if $(FUZZ_HAVE_SERVE),,http_request),\
                  $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
# The tile stage is not fuzzed here (no outside input) and stays out of this build.
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(filter-out src/tiles/%,$(LIB_SRC)))
FUZZ_HDRS    := $(wildcard tests/fuzz/*.h)
REPLAY_BINS  := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)

.PHONY: fuzz fuzz-build valgrind
fuzz: deps
	$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run.sh $(FUZZ_NAMES)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/src/common/version.o: $(FUZZ_BUILD)/gen/fp_build_commit.h

$(FUZZ_BUILD)/libfootprint.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDRS) $(FUZZ_BUILD)/libfootprint.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libfootprint.a $(PKG_LIBS) $(GDAL_LIBS)

# Replay programs: the same harnesses with a plain main(), in the normal build.
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_HDRS) $(BUILD)/libfootprint.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay_main.c $(BUILD)/libfootprint.a $(PKG_LIBS) $(GDAL_LIBS)

unit: $(REPLAY_BINS)

# Valgrind over the end-to-end tests: which ones and why in tests/tools/valgrind_run.sh.
valgrind: deps
	$(MAKE) --no-print-directory -j$(shell nproc) all unit
	@BUILD=$(BUILD) tests/tools/valgrind_run.sh

.PHONY: fuzz-clean
clean: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)

# The header dependencies written by -MMD (none before the first build).
-include $(wildcard $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_BIN:=.d) $(FUZZ_LIB_OBJ:.o=.d))
