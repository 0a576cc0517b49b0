#!/bin/bash
# Layering: only src/store/ speaks SQL to the store (issue 13, item 1). A
# grep over src/: no SQL keyword string and no sqlite3_ call outside
# src/store/, except the files allowed below, each with the reason.
. "$(dirname "$0")/lib.sh"

SRC="$ROOT/src"
# An SQL statement in a C string: a keyword right after the opening quote.
SQL_RE='"(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|REPLACE|WITH) '

# Allowed for good:
#   src/geocode/    its SQL moves into src/store/ in the geocode branch,
#                   worked on in parallel (it adds its own src/store/ files)
#   src/serve/mbtiles.c, src/tiles/sink.c
#                   MBTiles is an output file format, not the store: they
#                   read and write .mbtiles files (their own SQLite files)
allowed_re='^src/(geocode/|serve/mbtiles\.c|tiles/sink\.c)'
# Not moved yet (issue 13 item 1 continues): each must still hold SQL, so
# this list can only shrink; remove a file when its SQL has moved.
pending="src/export/export.c src/export/export_internal.h src/export/geojson.c src/export/ogr_writer.c
src/render/render.c src/render/render_internal.h src/render/choropleth.h src/tiles/mvt.c src/tiles/mvt.h src/tiles/raster.c
src/tiles/tiles.c src/tiles/tiles_internal.h"

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

case_begin "no SQL outside src/store/ but in the allowed and pending files"
    n=0
    for f in $(offenders); do
        n=$((n + 1))
        [[ "$f" =~ $allowed_re ]] && continue
        grep -qxF "$f" <<<"$(tr ' ' '\n' <<<"$pending")" && continue
        fail "$f speaks SQL: $(cd "$ROOT" && grep -nE "$SQL_RE|$LITE_RE" "$f" | head -3)"
    done
    [ "$n" -gt 0 ] || fail "found no file at all: is FP_ROOT right?"
case_end

case_begin "every pending file still holds SQL (the list only shrinks)"
    all=$(offenders)
    for f in $pending; do
        grep -qxF "$f" <<<"$all" || fail "$f holds no SQL any more: remove it from the pending list"
    done
case_end

case_begin "the moved modules hold no SQL: cli, run, common, geom, ingest, aggregate"
    for d in cli run common geom ingest aggregate; do
        hits=$(cd "$ROOT" && grep -rnE "$SQL_RE|$LITE_RE" "src/$d" | head -3)
        assert_eq "" "$hits" "SQL in src/$d"
    done
case_end

case_begin "the public headers hand out no SQLite handle"
    hits=$(cd "$ROOT" && grep -nE "fp_store_sqlite|sqlite3" include/*.h)
    assert_eq "" "$hits" "sqlite in include/"
case_end

case_begin "the store's raw handle is used only by src/store/, geocode and the pending files"
    for f in $(cd "$ROOT" && grep -rl "fp_store_sqlite" src | grep -v '^src/store/' | sort); do
        [[ "$f" =~ ^src/geocode/ ]] && continue
        grep -qxF "$f" <<<"$(tr ' ' '\n' <<<"$pending")" && continue
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

case_begin "a folder's *_internal.h is included only inside that folder (but the pending store ones)"
    # store_internal.h: the raw SQLite handle of the files whose SQL has not
    # moved into src/store/ yet (the pending list above, and geocode). This
    # list only shrinks.
    allowed="src/export/export.c store/store_internal.h
src/geocode/geocode.c store/store_internal.h
src/render/render.c store/store_internal.h
src/tiles/tiles.c store/store_internal.h"
    while read -r line; do
        [ -n "$line" ] || continue
        grep -qxF "$line" <<<"$allowed" || fail "$line: another folder's internal header"
    done <<<"$(cross_internal)"
case_end

case_begin "no getenv below the CLI: the environment is read once, into an fp_context"
    hits=$(cd "$ROOT" && grep -rnE '\b(g_)?getenv *\(' src --include='*.c' --include='*.h' | grep -v '^src/cli/')
    assert_eq "" "$hits" "getenv calls outside src/cli/"
case_end

case_begin "the library prints nothing: no stdout/stderr output outside src/cli/ and src/run/"
    hits=$(cd "$ROOT" && grep -rnE '\b(printf|puts|perror|vprintf) *\(|\b(f|v)printf *\( *(stdout|stderr)|\bfputs *\([^;]*, *(stdout|stderr) *\)|\bfputc *\([^;]*, *(stdout|stderr) *\)|\bfflush *\( *(stdout|stderr)' \
           src --include='*.c' --include='*.h' | grep -vE '^src/(cli|run)/')
    assert_eq "" "$hits" "console output in the library"
case_end

case_begin "no mutable globals in the library but the geodesic ellipsoid (set once, then read)"
    # File-scope variables that are not const (statics and externs alike).
    hits=$(cd "$ROOT" && grep -rnE '^(static )?(volatile |_Atomic )?[A-Za-z_][A-Za-z0-9_ ]*[ *]+[a-z_][a-z0-9_]*(\[[^]]*\])* *(=[^=]|;)' \
           src --include='*.c' --include='*.h' | grep -vE ':[0-9]+:(static )?const |typedef|extern|return' |
           grep -vE ':[0-9]+:(struct|enum) [a-z_]+;' | grep -vE '^src/cli/' |
           grep -vE '^src/geom/geodesy\.c:[0-9]+:static (struct geod_geodesic wgs84|pthread_once_t wgs84_once)')
    # Function-scope statics keep state between calls just the same.
    inner=$(cd "$ROOT" && grep -rnE '^\s+static [^(]*(\[|=|;)' src --include='*.c' | grep -v 'static const' | grep -v '^src/cli/')
    assert_eq "" "$hits$inner" "mutable globals"
case_end

case_begin "the umbrella header is not included below the CLI and the run layer"
    hits=$(cd "$ROOT" && grep -rln '#include "footprint.h"' src | grep -vE '^src/(cli|run)/' | sort | tr '\n' ' ')
    # render.c and tiles.c still take it for their own stages' headers.
    assert_eq "src/render/render.c src/tiles/tiles.c " "$hits" "files including footprint.h"
case_end
