#!/usr/bin/env bash
# make install / uninstall, as a system administrator installs footprint for a
# team (GNU coding standards' PREFIX and DESTDIR) and as a C developer builds
# against the library (pkg-config). Checked with the tools they would use:
# find, pkg-config, the C compiler, and the installed program itself run from
# a folder far from the build tree, with the installed data edited so that the
# build tree's copy would show.
. "$(dirname "$0")/lib.sh"
BUILDDIR=$(basename "$(dirname "$FP")")               # build, or build-san under SAN=1
MK=(make -C "$ROOT" --no-print-directory -s)
[ "$BUILDDIR" = build-san ] && MK+=(SAN=1)
# The installed program's environment: none of the test run's settings.
clean_env() { env -u FOOTPRINT_CACHE -u FOOTPRINT_DATA -u FOOTPRINT_STYLES -u FOOTPRINT_WEB -u FOOTPRINT_PREPARED \
                  -u XDG_CACHE_HOME HOME="$WORK/home" "$@"; }
mkdir -p home

case_begin "make install DESTDIR=... PREFIX=/opt/footprint stages the program, library, headers, pkg-config file, man page and data; make uninstall removes every file"
out=$("${MK[@]}" install DESTDIR="$WORK/stage" PREFIX=/opt/footprint 2>&1); rc=$?
assert_eq 0 "$rc" "make install exit ($out)"
P="$WORK/stage/opt/footprint"
for f in bin/footprint lib/libfootprint.a lib/pkgconfig/footprint.pc include/footprint/footprint.h include/footprint/fp_store.h \
         share/man/man1/footprint.1 share/footprint/geodata/regions.gpkg share/footprint/geodata/gazetteer.tsv.gz \
         share/footprint/geodata/README.md share/footprint/styles/world-choropleth.json \
         share/footprint/web/vendor/maplibre-gl/maplibre-gl.js share/footprint/web/vendor/pmtiles/pmtiles.js \
         share/doc/footprint/README.md; do
    [ -f "$P/$f" ] || fail "missing: $f"
done
[ -x "$P/bin/footprint" ] || fail "bin/footprint is not executable"
assert_eq 2 "$(ls "$P/share/footprint/prepared" | grep -c -e '^prepared-' -e '^gazetteer-')" "prepared entries installed (regions, gazetteer)"
# The run layer's header is the program's, not the library's.
[ -e "$P/include/footprint/fp_run.h" ] && fail "fp_run.h installed (its functions are not in libfootprint.a)"
# Every installed header is one of include/.
assert_eq "$(cd "$ROOT/include" && ls *.h | sort | tr '\n' ' ')" "$(cd "$P/include/footprint" && ls | sort | tr '\n' ' ')" "headers installed"
# man finds the page (MANPATH of the staged prefix).
man -M "$P/share/man" -w footprint >/dev/null 2>&1 || fail "man -M $P/share/man -w footprint finds no page"
# The staging area holds nothing outside the prefix.
assert_eq "opt" "$(ls "$WORK/stage")" "top of the staging area"
out=$("${MK[@]}" uninstall DESTDIR="$WORK/stage" PREFIX=/opt/footprint 2>&1); rc=$?
assert_eq 0 "$rc" "make uninstall exit ($out)"
assert_eq "" "$(find "$WORK/stage" -type f | head -5)" "files left after uninstall"
case_end

case_begin "the installed program, moved elsewhere (a staged package put in place), reads its own data: its styles, its sample list, its prepared regions; writes nothing under the prefix; a relative XDG_CACHE_HOME is ignored"
"${MK[@]}" install DESTDIR="$WORK/stage2" PREFIX=/usr/local >/dev/null 2>&1 || fail "make install"
mv "$WORK/stage2/usr/local" "$WORK/moved"
S="$WORK/moved/share/footprint"
# Marks only the installed copies carry: a sample list of 3 rows (the build
# tree's has 82) and a style title.
# The third row has a town to look up: the gazetteer's parsed copy goes to the cache.
printf 'id,company,category,name,country,city,lat,lon\nI1,Acme,data centre,one,KEN,,-1.28,36.82\nI2,Acme,5g,two,KEN,,-0.1,34.75\nI3,Acme,5g,three,FRA,Lyon,,\n' > "$S/geodata/projects.csv"
/usr/bin/python3 - "$S/styles/world-choropleth.json" <<'PY' || fail "editing the installed style"
import json, sys
p = sys.argv[1]
s = json.load(open(p))
s.setdefault("title", {})["text"] = "Installed copy title"
json.dump(s, open(p, "w"))
PY
chmod -R a-w "$WORK/moved"
touch marker; sleep 1
mkdir -p elsewhere && cd elsewhere
out=$(clean_env XDG_CACHE_HOME=relcache FOOTPRINT_TIMING=1 "$WORK/moved/bin/footprint" --db t.sqlite run 2>&1); rc=$?
assert_eq 0 "$rc" "footprint run exit ($(tail -3 <<<"$out"))"
assert_eq 3 "$(sqlite3 t.sqlite 'SELECT count(*) FROM projects')" "projects imported from the installed sample list"
assert_contains "$out" "shipped" "init read the installed prepared regions (FOOTPRINT_TIMING)"
out=$(clean_env "$WORK/moved/bin/footprint" --db t.sqlite render --style world-choropleth -o m.pdf 2>&1)
assert_contains "$(pdftotext m.pdf - 2>/dev/null)" "Installed copy title" "render used the installed style ($out)"
assert_eq "" "$(find "$WORK/moved" -newer "$WORK/marker" | head -3)" "files written under the installed prefix"
assert_eq 1 "$(sqlite3 t.sqlite "SELECT count(*) FROM projects WHERE source_key = 'I3' AND geocode_method IS NOT NULL")" "Lyon geocoded"
# The gazetteer came from the installed prepared/: no copy in the user's cache.
assert_eq "" "$(ls "$WORK/home/.cache/footprint" 2>/dev/null | grep gazetteer)" "gazetteer entries in the user's cache"
# Without the shipped entries the parsed gazetteer is cached, in ~/.cache, not ./relcache.
out=$(clean_env XDG_CACHE_HOME=relcache FOOTPRINT_PREPARED=off "$WORK/moved/bin/footprint" --db t.sqlite geocode --redo 2>&1)
[ -e relcache ] && fail "a relative XDG_CACHE_HOME made ./relcache (XDG: relative paths are ignored)"
assert_eq 1 "$(ls "$WORK/home/.cache/footprint" 2>/dev/null | grep -c '^gazetteer-')" "the gazetteer cached in \$HOME/.cache/footprint ($out)"
cd "$WORK"
chmod -R u+w "$WORK/moved"
case_end

case_begin "a C program builds against the installed library with only pkg-config's flags and runs: version, a store opened, regions loaded, a CSV imported"
"${MK[@]}" install PREFIX="$WORK/pfx" >/dev/null 2>&1 || fail "make install PREFIX=$WORK/pfx"
export PKG_CONFIG_PATH="$WORK/pfx/lib/pkgconfig"
assert_eq "0.1.0" "$(pkg-config --modversion footprint)" "pkg-config --modversion"
assert_eq "$WORK/pfx/share/footprint" "$(pkg-config --variable=pkgdatadir footprint)" "pkgdatadir"
cat > app.c <<'C'
#include <stdio.h>
#include "footprint.h"
int main(int argc, char **argv)
{
    char regions[4096];
    fp_error err = {0};
    fp_store *s = NULL;
    fp_regions_result rr = {0};
    fp_import_options o = {0};
    fp_import_result r = {0};
    if (argc != 4) return 2;
    snprintf(regions, sizeof regions, "%s/geodata/regions.gpkg", argv[1]);
    fp_global_init();
    if (fp_store_open(argv[2], FP_STORE_CREATE, &s, &err) || fp_store_load_regions(s, regions, &rr, &err) ||
        fp_import_file(s, argv[3], &o, &r, &err)) {
        printf("error: %s\n", err.message);
        return 1;
    }
    printf("%s stored %ld\n", fp_version(), r.stored);
    fp_store_close(s);
    fp_global_cleanup();
    return 0;
}
C
printf 'id,company,category,name,country,lat,lon\nA,c,5g,a,KEN,-1.28,36.82\nB,c,5g,b,FRA,48.86,2.35\n' > two.csv
# shellcheck disable=SC2046
# Under SAN=1 the installed library is the sanitizers' build: its users link them too.
san=""; [ "$BUILDDIR" = build-san ] && san="-fsanitize=address,undefined"
out=$(cc -std=c99 $san -o app app.c $(pkg-config --cflags --libs footprint) 2>&1); rc=$?
assert_eq 0 "$rc" "compile and link with pkg-config's flags ($(head -c 400 <<<"$out"))"
out=$(./app "$(pkg-config --variable=pkgdatadir footprint)" app.sqlite two.csv 2>&1)
assert_contains "$out" "stored 2" "the program's output"
assert_eq 2 "$(sqlite3 app.sqlite 'SELECT count(*) FROM projects')" "projects in its store"
"${MK[@]}" uninstall PREFIX="$WORK/pfx" >/dev/null 2>&1
assert_eq "" "$(find "$WORK/pfx" -type f | head -3)" "files left after uninstall"
case_end

case_begin "make CFLAGS=... CPPFLAGS=... (as dpkg-buildflags sets them) keep the flags the build needs"
cmd=$(make -C "$ROOT" -n -W src/common/util.c "$BUILDDIR/src/common/util.o" CFLAGS='-O1 -g' CPPFLAGS=-D_FORTIFY_SOURCE=2 2>&1 |
      grep -- ' -c src/common/util.c')
for want in -O1 -D_FORTIFY_SOURCE=2 -std=c11 -Iinclude -DFP_DATADIR; do
    assert_contains "$cmd" " $want" "the compile command"
done
case_end

case_begin "make print-runtime-deps names the Debian package of every library the program links (NEEDED) and of GDAL, which it loads when first used"
listed=" $(make -C "$ROOT" -s --no-print-directory print-runtime-deps) "
libs=$( (objdump -p "$FP" | awk '$1 == "NEEDED" {print $2}' | grep -v -e '^libasan' -e '^libubsan'
         echo "$(sed -n 's/.*FP_GDAL_SONAME=.\?"\([^"]*\)".*/\1/p' <<<"$(make -C "$ROOT" -n -W src/common/gdal_api.c "$BUILDDIR/src/common/gdal_api.o" 2>/dev/null)" | head -1)") | sort -u)
n=0
for lib in $libs; do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')
    [ -n "$path" ] || { fail "$lib: not found by ldconfig"; continue; }
    # dpkg knows a file by the path its package ships (/lib or /usr/lib: merged /usr).
    real=$(readlink -f "$path")
    pkg=""
    for f in "$real" "${real#/usr}" "$(dirname "$path")/$(basename "$real")"; do
        pkg=$(dpkg -S "$f" 2>/dev/null | head -1 | cut -d: -f1)
        [ -n "$pkg" ] && break
    done
    [ -n "$pkg" ] || { fail "$lib ($path): no Debian package owns it"; continue; }
    n=$((n + 1))
    case "$listed" in *" $pkg "*) ;; *) fail "$lib is in $pkg, which print-runtime-deps does not list" ;; esac
done
[ "$n" -ge 20 ] || fail "only $n libraries checked ($libs)"
assert_contains "$libs" "libgdal.so" "GDAL's soname among the libraries checked"
case_end
