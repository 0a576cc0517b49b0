#!/bin/bash
# Layering: only src/store/ speaks SQL to the store (issue 13, item 1). A
# grep over src/: no SQL keyword string and no sqlite3_ call outside
# src/store/, except the files allowed below, each with the reason.
. "$(dirname "$0")/lib.sh"

SRC="$ROOT/src"
# An SQL statement in a C string: a keyword right after the opening quote.
SQL_RE='"(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|REPLACE|WITH) '

# Allowed for good:
#   src/common/mbtiles_file.c
#                   MBTiles is an output file format, not the store: the
#                   one helper that reads and writes .mbtiles files (their
#                   own SQLite files, schema and busy wait), below the two
#                   stages that use it -- the tile writer (src/tiles/sink.c)
#                   and the server (src/serve/mbtiles.c), which hold no SQL
#   src/export/gpkg_styles.c
#                   likewise the exported GeoPackage's layer_styles table
#                   (QGIS's styles inside the OUTPUT file; OGR has no API
#                   for it and its SQL dialect would paste the QML in)
allowed_re='^src/(common/mbtiles_file\.c|export/gpkg_styles\.c)$'

# SQLite itself: its calls, its handle type, its header.
LITE_RE='sqlite3_|sqlite3 \*|<sqlite3\.h>'

# Files under src/ (outside src/store/) with an SQL string or SQLite use.
offenders() {
    (cd "$ROOT" && grep -rlE "$SQL_RE|$LITE_RE" src --include='*.c' --include='*.h' | grep -v '^src/store/' | sort)
}

case_begin "the SQL pattern finds SQL strings and sqlite3_ calls (self-test)"
    printf 'static const char *q = "SELECT id FROM projects";\n' > probe1.c
    printf 'int n = sqlite3_changes(db);\n' > probe2.c
    printf 'static void f(sqlite3 *db);\n' > probe4.c
    printf 'const char *opt = "CREATE_CSVT"; /* SELECT in a comment */\n' > probe3.c
    assert_eq "probe1.c probe2.c probe4.c" \
        "$(grep -lE "$SQL_RE|$LITE_RE" probe1.c probe2.c probe3.c probe4.c | tr '\n' ' ' | sed 's/ $//')" \
        "files the pattern flags"
case_end

case_begin "no SQL outside src/store/ but in the allowed files"
    n=0
    for f in $(offenders); do
        n=$((n + 1))
        [[ "$f" =~ $allowed_re ]] && continue
        fail "$f speaks SQL: $(cd "$ROOT" && grep -nE "$SQL_RE|$LITE_RE" "$f" | head -3)"
    done
    [ "$n" -gt 0 ] || fail "found no file at all: is FP_ROOT right?"
case_end

case_begin "every module holds no SQL but the two allowed files"
    for d in $(cd "$SRC" && ls -d */ | tr -d / | grep -vx store); do
        hits=$(cd "$ROOT" && grep -rnE "$SQL_RE|$LITE_RE" "src/$d" | grep -vE '^src/(common/mbtiles_file|export/gpkg_styles)\.c:' | head -3)
        assert_eq "" "$hits" "SQL in src/$d"
    done
case_end

case_begin "the public headers hand out no SQLite handle"
    hits=$(cd "$ROOT" && grep -nE "fp_store_sqlite|sqlite3" include/*.h)
    assert_eq "" "$hits" "sqlite in include/"
case_end

case_begin "the store's raw handle is used only by src/store/"
    for f in $(cd "$ROOT" && grep -rl "fp_store_sqlite" src | grep -v '^src/store/' | sort); do
        fail "$f takes the store's SQLite handle"
    done
case_end

# ---- Layers (issue 13 items 2, 3, 6): what sits above and below the stages.

# A folder's *_internal.h included from another folder: "FILE HEADER" lines.
cross_internal() {
    (cd "$ROOT" && grep -rnoE '#include "[a-z_]+/[a-z_]+_internal\.h"' src --include='*.c' --include='*.h' |
        sed -E 's|^(src/([a-z_]+)/[^:]+):[0-9]+:#include "([a-z_]+)/([a-z_]+_internal\.h)"|\2 \3 \1 \3/\4|' |
        awk '$1 != $2 { print $3, $4 }' | sort -u)
}

case_begin "the cross-folder include pattern finds one (self-test)"
    mkdir -p probe/src/tiles && printf '#include "render/render_internal.h"\n#include "tiles/tiles_internal.h"\n' > probe/src/tiles/x.c
    got=$(ROOT=$PWD/probe cross_internal)
    assert_eq "src/tiles/x.c render/render_internal.h" "$got" "cross-folder includes in the probe"
case_end

case_begin "a folder's *_internal.h is included only inside that folder"
    hits=$(cross_internal)
    assert_eq "" "$hits" "another folder's internal header"
case_end

case_begin "no getenv below the CLI: the environment is read once, into an fp_context"
    hits=$(cd "$ROOT" && grep -rnE '\b(g_)?getenv *\(' src --include='*.c' --include='*.h' | grep -v '^src/cli/')
    assert_eq "" "$hits" "getenv calls outside src/cli/"
case_end

case_begin "the library prints nothing: no stdout/stderr output outside src/cli/ and src/run/"
    # But one: a GDAL call on a path that did not ask fpi_gdal_require first
    # (a bug) when GDAL cannot be loaded ends the process
    # (src/common/gdal_api.c); its reason is printed just before abort().
    hits=$(cd "$ROOT" && grep -rnE '\b(printf|puts|perror|vprintf) *\(|\b(f|v)printf *\( *(stdout|stderr)|\bfputs *\([^;]*, *(stdout|stderr) *\)|\bfputc *\([^;]*, *(stdout|stderr) *\)|\bfflush *\( *(stdout|stderr)' \
           src --include='*.c' --include='*.h' | grep -vE '^src/(cli|run)/' |
           grep -vE '^src/common/gdal_api\.c:[0-9]+: +fprintf\(stderr, "footprint: %s\\n", gdal_failure\);')
    assert_eq "" "$hits" "console output in the library"
case_end

case_begin "no mutable globals in the library but the geodesic ellipsoid, GDAL's function table (or why it failed to load) and the write-behind VFS (set once, then read), SQLite's page-line arena (process-wide as SQLite's allocator is, under its lock) and Pango's font map of each thread (thread-local, with an atomic count of those alive)"
    # File-scope variables that are not const (statics and externs alike).
    hits=$(cd "$ROOT" && grep -rnE '^(static )?(volatile |_Atomic )?[A-Za-z_][A-Za-z0-9_ ]*[ *]+[a-z_][a-z0-9_]*(\[[^]]*\])* *(=[^=]|;)' \
           src --include='*.c' --include='*.h' | grep -vE ':[0-9]+:(static )?const |typedef|extern|return' |
           grep -vE ':[0-9]+:(struct|enum) [a-z_]+;' | grep -vE '^src/cli/' |
           grep -vE '^src/geom/geodesy\.c:[0-9]+:static (struct geod_geodesic wgs84|pthread_once_t wgs84_once)' |
           grep -vE '^src/common/gdal_api\.c:[0-9]+:static (struct fpi_gdal_api gdal_table|pthread_once_t gdal_once|char gdal_failure\[)' |
           grep -vE '^src/store/sqlite_memory\.c:[0-9]+:static (pthread_mutex_t arena_lock =|struct sqlite_arena arena;)' |
           grep -vE '^src/store/write_behind\.c:[0-9]+:static (struct write_behind_vfs \{|pthread_once_t wb_once =)' |
           grep -vE '^src/render/text\.c:[0-9]+:static GPrivate thread_map = G_PRIVATE_INIT')
    # Function-scope statics keep state between calls just the same.
    inner=$(cd "$ROOT" && grep -rnE '^\s+static [^(]*(\[|=|;)' src --include='*.c' | grep -v 'static const' | grep -v '^src/cli/')
    assert_eq "" "$hits$inner" "mutable globals"
case_end

case_begin "the umbrella header is not included below the CLI and the run layer"
    hits=$(cd "$ROOT" && grep -rln '#include "footprint.h"' src | grep -vE '^src/(cli|run)/' | sort | tr '\n' ' ')
    # render.c and tiles.c still take it for their own stages' headers.
    assert_eq "src/render/render.c src/tiles/tiles.c " "$hits" "files including footprint.h"
case_end

case_begin "the public prefix fp_ is the public API's: every fp_ function the library defines is declared in include/"
    # Internal functions are fpi_ (footprint internal): declared in the
    # folders' own headers, not promised to library users.
    lib="$(dirname "$FP")/libfootprint.a"
    [ -f "$lib" ] || fail "no $lib"
    defined=$(nm -g --defined-only "$lib" 2>/dev/null | awk '$2 ~ /[TDBRC]/ {print $3}' | grep '^fp_' | sort -u)
    public=$(cat "$ROOT"/include/*.h | grep -oE '\bfp_[A-Za-z0-9_]+' | sort -u)
    [ -n "$defined" ] || fail "no fp_ symbol found in $lib"
    assert_eq "" "$(comm -23 <(echo "$defined") <(echo "$public") | tr '\n' ' ')" "fp_ functions not in the public headers"
    internal=$(nm -g --defined-only "$lib" 2>/dev/null | awk '$2 ~ /[TDBRC]/ {print $3}' | grep -c '^fpi_')
    [ "$internal" -gt 100 ] || fail "expected the internal functions under fpi_, found $internal"
case_end

case_begin "libfootprint.a exports no global symbol outside fp_ and fpi_ (a host program's names are its own)"
    # The generated MVT encoder too: its .proto's package is fpi_vector_tile.
    # Under SAN=1 ASan adds its own names per global (__odr_asan.NAME, __odr_asan_gen_NAME, __asan_*).
    lib="$(dirname "$FP")/libfootprint.a"
    n=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 {print $3}' | grep -c .)
    [ "$n" -gt 100 ] || fail "expected the library's symbols in $lib, found $n"
    others=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 {print $3}' | grep -vE '^(fp_|fpi_|__odr_asan|__asan_)' | sort -u | tr '\n' ' ')
    assert_eq "" "$others" "global symbols without the fp_/fpi_ prefix"
case_end

case_begin "a C++ program includes every public header and links with libfootprint.a (extern \"C\")"
    # fp_run.h is the run layer's, not the library's (README, Layout).
    lib="$(dirname "$FP")/libfootprint.a"
    for h in $(cd "$ROOT/include" && ls *.h | grep -vx fp_run.h); do echo "#include \"$h\""; done > cxx_probe.cpp
    cat >> cxx_probe.cpp <<'CPP'
#include <cstdio>
int main()
{
    fp_global_init();
    std::printf("%s|%s\n", fp_version(), fp_status_name(FP_ERR_USAGE));
    fp_global_cleanup();
    return 0;
}
CPP
    # The Makefile's own link flags (ALL_LDFLAGS has the sanitizers under SAN=1).
    printf 'print-%%: ; @echo $($*)\n' > print.mk
    flags=$(make -s --no-print-directory -C "$ROOT" -f Makefile -f "$PWD/print.mk" SAN="${SAN:-}" print-ALL_LDFLAGS print-PKG_LIBS | tr '\n' ' ')
    if ! out=$(g++ -I"$ROOT/include" -o cxx_probe cxx_probe.cpp "$lib" $flags 2>&1); then
        fail "g++ failed: $(grep -m3 -E "error|undefined|cannot" <<<"$out")"
    else
        assert_eq "$("$FP" --version | sed 's/^footprint //')|usage error" "$(./cxx_probe 2>&1)" "the C++ program's output"
    fi
case_end
